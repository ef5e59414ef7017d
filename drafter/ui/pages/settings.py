"""Settings / about page (run by st.navigation)."""

from drafter.ui import settings_page

settings_page.render()
