"""Sign-in page (run by st.navigation)."""

from drafter.ui import signin_page

signin_page.render()
