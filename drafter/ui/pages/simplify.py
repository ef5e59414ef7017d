"""Simplify page (run by st.navigation)."""

from drafter.ui import simplify_page

simplify_page.render()
