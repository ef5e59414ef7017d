"""The app frame: page config, sign-in, navigation filtered by role, and the signed-in user in the sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from drafter.errors import DrafterError
from drafter.roles import Role
from drafter.ui.common import (
    apply_clears,
    current_user,
    get_service,
    keep_widget_state,
    md_escape,
    role_map,
    sign_out,
    start_run,
)

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    st.set_page_config(page_title="Drafter", page_icon="📝", layout="centered")
    start_run()
    apply_clears()
    try:
        route()
    finally:  # also when a page reruns or switches (Streamlit raises to do that)
        keep_widget_state()


def route() -> None:
    try:
        service = get_service()
        roles = role_map(service)
    except DrafterError as exc:  # a broken configuration: say what is wrong, not a traceback
        st.error(f"Drafter could not start: {exc}")
        st.stop()
    except Exception as exc:
        st.error(f"Drafter could not start ({type(exc).__name__}: {exc}). Check the DRAFTER_* settings.")
        st.stop()
    user = current_user()
    if user is None:
        st.navigation([st.Page(PAGES / "sign_in.py", title="Sign in", icon=":material/login:")]).run()
        return
    pages = [st.Page(PAGES / "draft.py", title="Draft", icon=":material/edit_note:", default=True)]
    if roles.has(user, Role.drafter):
        pages.append(st.Page(PAGES / "simplify.py", title="Simplify", icon=":material/auto_fix_high:"))
    if roles.has(user, Role.reviewer):
        pages.append(st.Page(PAGES / "review.py", title="Review queue", icon=":material/fact_check:"))
    pages.append(st.Page(PAGES / "history.py", title="My drafts", icon=":material/history:"))
    if roles.has(user, Role.admin):
        pages.append(st.Page(PAGES / "stats.py", title="Statistics", icon=":material/bar_chart:"))
    pages.append(st.Page(PAGES / "settings.py", title="Settings and about", icon=":material/settings:"))
    page = st.navigation(pages)
    with st.sidebar:
        st.markdown(f"Signed in as **{md_escape(user)}**")
        st.caption("Roles: " + ", ".join(r.value for r in Role if r in roles.roles(user)))
        if st.button("Sign out"):
            sign_out()
            st.rerun()
    page.run()
