"""Statistics page (run by st.navigation; listed for administrators only)."""

from drafter.ui import stats_page

stats_page.render()
