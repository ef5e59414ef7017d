"""Settings / about: backends and whether they can be reached, the data folder, the label text."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from drafter.i18n import _
from drafter.service import DrafterService
from drafter.ui.common import (
    current_user,
    get_service,
    html_lang,
    md_escape,
    md_safe,
    oidc_configured,
    page_header,
    role_map,
    role_names,
    text_lang,
)


def safe_url(url: str) -> str:
    """The database URL with its password replaced by *** (what may be shown on screen)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo = f"{parts.username or ''}:***"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def backend_rows(service: DrafterService) -> list[dict[str, Any]]:
    """The service's backend status, checked now; if checking fails, said so rather than breaking the page."""
    try:
        return service.backend_status(check=True)
    except Exception as exc:  # report, never crash the page
        return [{**row, "reachable": False, "check": str(exc)} for row in service.backend_status()]


def runs_in_app(row: dict[str, Any]) -> bool:
    """A backend with nothing to reach: it runs inside this app and sends nothing off the machine."""
    return row["endpoint"] is None and not row["external"]


def reachability(row: dict[str, Any]) -> str:
    """Whether the backend can be reached now, in one sentence (the service asks a server for its models)."""
    if runs_in_app(row):
        return _("Always available: it runs inside this app and needs no network.")
    if row["reachable"]:
        return _("Reachable: {detail}", detail=str(row["check"]))
    return _("Not reachable: {detail}", detail=str(row["check"]))


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    settings = service.settings
    page_header(
        _("Settings and about"), _("How this Drafter is configured. Settings come from DRAFTER_* variables.")
    )

    st.subheader(_("Backends"))
    rows = sorted(backend_rows(service), key=lambda r: str(r["name"]))
    default = next((row for row in rows if row["default"]), None)
    if default is not None and not default["language_model"]:
        st.info(
            _("The {name} backend is active. It uses no language model: it fills the template from your inputs "
              "and quotes the most relevant sentences of your sources. Its drafts are rough and need a person to "
              "finish them; the document label says that they were assembled by rule.", name=default["name"]),
            icon=":material/info:",
        )
    st.table(
        [
            {
                _("Backend"): _("{name} (default)", name=row["name"]) if row["default"] else row["name"],
                _("Model"): row["model"],
                _("Sends data off this machine"): _("yes") if row["external"] else _("no"),
                _("Reachability"): reachability(row),
            }
            for row in rows
        ]
    )
    if default is None:
        st.error(
            _("The configured default backend {backend} is not available; drafts use one of: {names}.",
              backend=repr(settings.backend), names=", ".join(str(row["name"]) for row in rows))
        )

    st.subheader(_("Data"))
    url = safe_url(settings.sqlalchemy_url())
    st.markdown(
        _("**Data folder:** `{data}`", data=settings.data_dir) + "  \n"
        + _("**Database:** `{url}`", url=url) + "  \n"
        + _("**Templates:** {count} from `{folder}`", count=len(service.templates()),
            folder=settings.templates_dir) + "  \n"
        + _("**Style guides:** from `{folder}`", folder=settings.style_guides_dir)
    )

    st.subheader(_("Labelling"))
    st.markdown(
        _("Every exported document carries a visible AI-use statement and machine-readable metadata "
          "(the GB 45438-2025 `AIGC` property and a Drafter provenance property). With the current "
          "default backend the statement reads, for example:")
    )
    for language in ("en", "zh"):
        statement = html.escape(service.example_label_statement(language))
        st.html(f'<blockquote lang="{html_lang(text_lang(language))}">{statement}</blockquote>')

    st.subheader(_("Identity and roles"))
    roles = role_map(service)
    if oidc_configured():
        st.markdown(_("Sign-in: your organisation's OIDC provider (Streamlit's built-in login)."))
    else:
        st.warning(
            _("Sign-in: development sign-in. Anyone can pick any name; configure an OIDC provider "
              "before real use (see docs/ui.md).")
        )
    if roles.configured:
        st.markdown(
            _("Roles come from DRAFTER_ROLES or DRAFTER_ROLES_FILE; anyone not listed is a drafter only.")
        )
    else:
        st.markdown(_("No roles are configured, so the development defaults apply."))
    st.markdown(
        _("You are **{user}** with the role(s): {roles}.", user=md_escape(user), roles=role_names(roles.roles(user)))
    )
    st.table(
        [
            {_("User"): md_safe(name), _("Roles"): role_names(roles.roles(name))}
            for name in roles.known_users()
        ]
    )
