"""My drafts / history page (run by st.navigation)."""

from drafter.ui import history_page

history_page.render()
