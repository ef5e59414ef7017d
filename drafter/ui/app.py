"""The app frame: page config, language, sign-in, navigation filtered by role, and the signed-in user in the sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from drafter.errors import DrafterError
from drafter.i18n import _
from drafter.roles import Role
from drafter.service import DrafterService
from drafter.ui.common import (
    current_user,
    get_service,
    keep_widget_state,
    md_escape,
    role_map,
    role_names,
    sign_out,
    start_run,
)
from drafter.ui.language import apply_language, declare_page_language, language_selector

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    st.set_page_config(page_title="Drafter", page_icon="📝", layout="centered")
    start_run()
    try:
        route()
    finally:  # also when a page reruns or switches (Streamlit raises to do that)
        keep_widget_state()


def _service() -> tuple[DrafterService | None, str | None]:
    """The service and why it could not be built (None when it was)."""
    try:
        return get_service(), None
    except DrafterError as exc:  # a broken configuration: say what is wrong, not a traceback
        return None, str(exc)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def route() -> None:
    service, problem = _service()
    user = current_user()
    # the language first: everything drawn below (even the error about a broken configuration) uses it
    apply_language(service, user)
    declare_page_language()
    language_selector(service, user if service is not None else None)
    if service is None:
        st.error(_("Drafter could not start: {problem} Check the DRAFTER_* settings.", problem=problem))
        st.stop()
        return
    try:
        roles = role_map(service)
    except DrafterError as exc:
        st.error(_("Drafter could not start: {problem} Check the DRAFTER_* settings.", problem=str(exc)))
        st.stop()
        return
    if user is None:
        st.navigation([st.Page(PAGES / "sign_in.py", title=_("Sign in"), icon=":material/login:")]).run()
        return
    pages = [st.Page(PAGES / "draft.py", title=_("Draft"), icon=":material/edit_note:", default=True)]
    if roles.has(user, Role.drafter):
        pages.append(st.Page(PAGES / "simplify.py", title=_("Simplify"), icon=":material/auto_fix_high:"))
    if roles.has(user, Role.reviewer):
        pages.append(st.Page(PAGES / "review.py", title=_("Review queue"), icon=":material/fact_check:"))
    pages.append(st.Page(PAGES / "history.py", title=_("My drafts"), icon=":material/history:"))
    if roles.has(user, Role.admin):
        pages.append(st.Page(PAGES / "stats.py", title=_("Statistics"), icon=":material/bar_chart:"))
    pages.append(st.Page(PAGES / "settings.py", title=_("Settings and about"), icon=":material/settings:"))
    page = st.navigation(pages)
    with st.sidebar:
        st.markdown(_("Signed in as **{user}**", user=md_escape(user)))
        st.caption(_("Roles: {roles}", roles=role_names(roles.roles(user))))
        st.button(_("Sign out"), on_click=sign_out)
    page.run()
