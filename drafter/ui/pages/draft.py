"""Draft page (run by st.navigation)."""

from drafter.ui import draft_page

draft_page.render()
