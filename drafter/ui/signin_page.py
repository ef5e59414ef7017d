"""Sign-in: the organisation's OIDC provider when configured, else a development picker marked as such."""

from __future__ import annotations

import streamlit as st

from drafter.i18n import _
from drafter.ui.common import USER_KEY, get_service, oidc_configured, role_map, role_names

CHOICE_KEY = "signin.user"


def render() -> None:
    st.title(_("Sign in to Drafter"))
    if oidc_configured():
        st.write(_("Sign in with your organisation account to draft and review documents."))
        st.button(_("Sign in"), type="primary", on_click=st.login)
        return
    service = get_service()
    roles = role_map(service)
    st.warning(
        _("Development sign-in: there is no password and anyone can choose any name. It is for trying Drafter "
          "out on one machine. Configure an OIDC provider before real use (see docs/ui.md)."),
        icon=":material/warning:",
    )
    users = roles.known_users()
    if not users:
        st.error(_("No users are configured; set DRAFTER_ROLES (e.g. 'alice=drafter;bob=drafter,reviewer')."))
        return

    described = {name: f"{name} ({role_names(roles.roles(name))})" for name in users}
    name = st.selectbox(_("Sign in as"), users, format_func=described.__getitem__, key=CHOICE_KEY)
    # A callback, so the next run is already the signed-in one (one run per click, not two)
    st.button(_("Sign in"), type="primary", on_click=_sign_in, args=(users, name))


def _sign_in(users: list[str], shown: str) -> None:
    """Sign in as the name chosen now. Inside a callback Streamlit may hand over the option as it was shown
    ("alice (drafter)", in the language of the run that drew it) rather than the option, so a shown form is
    read back to its name; `shown` (what the last run drew) serves when nothing else does."""
    chosen = str(st.session_state.get(CHOICE_KEY, shown))
    if chosen not in users:
        named = [u for u in users if chosen.startswith(u + " (")]
        chosen = max(named, key=len) if named else shown
    st.session_state[USER_KEY] = chosen
