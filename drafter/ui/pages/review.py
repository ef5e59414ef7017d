"""Review queue page (run by st.navigation)."""

from drafter.ui import review_page

review_page.render()
