"""Settings / about: backends and whether they can be reached, the data folder, the label text."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from drafter.backends.base import Backend
from drafter.roles import Role
from drafter.service import DrafterService
from drafter.ui.common import current_user, get_service, md_escape, oidc_configured, page_header, role_map


def reachability(service: DrafterService, backend: Backend) -> str:
    """Whether the backend can be reached now, in one sentence (asks a server for its models; no tokens)."""
    if backend.name == "offline":
        return "Always available: it runs inside this app and needs no network."
    try:
        ok, message = backend.check(service.options)
    except Exception as exc:  # report, never crash the page
        return f"Not reachable: {exc}"
    return ("Reachable: " if ok else "Not reachable: ") + message


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    settings = service.settings
    page_header(
        "Settings and about", "How this Drafter is configured. Settings come from DRAFTER_* variables."
    )

    st.subheader("Backends")
    default = service.backends.get(settings.backend)
    if default is not None and default.name == "offline":
        st.info(
            "The offline backend is active. It uses no language model: it fills the template from your inputs "
            "and quotes the most relevant sentences of your sources. Its drafts are rough and need a person "
            "to finish them; the document label says that they were assembled by rule.",
            icon=":material/info:",
        )
    st.table(
        [
            {
                "Backend": name + (" (default)" if name == settings.backend else ""),
                "Model": b.model,
                "Sends data off this machine": "yes" if b.external else "no",
                "Reachability": reachability(service, b),
            }
            for name, b in sorted(service.backends.items())
        ]
    )
    if default is None:
        st.error(
            f"The configured default backend {settings.backend!r} is not available; "
            f"drafts use one of: {', '.join(sorted(service.backends))}."
        )

    st.subheader("Data")
    url = sa.make_url(settings.sqlalchemy_url()).render_as_string(hide_password=True)
    st.markdown(
        f"**Data folder:** `{settings.data_dir}`  \n**Database:** `{url}`  \n"
        f"**Templates:** {len(service.templates())} from `{settings.templates_dir}`  \n"
        f"**Style guides:** from `{settings.style_guides_dir}`"
    )

    st.subheader("Labelling")
    st.markdown(
        "Every exported document carries a visible AI-use statement and machine-readable metadata "
        "(the GB 45438-2025 `AIGC` property and a Drafter provenance property). With the current "
        "default backend the statement reads, for example:"
    )
    for language in ("en", "zh"):
        st.markdown(f"> {md_escape(service.example_label_statement(language))}")

    st.subheader("Identity and roles")
    roles = role_map(service)
    if oidc_configured():
        st.markdown("Sign-in: your organisation's OIDC provider (Streamlit's built-in login).")
    else:
        st.warning(
            "Sign-in: development sign-in. Anyone can pick any name; configure an OIDC provider "
            "before real use (see docs/ui.md)."
        )
    if roles.configured:
        st.markdown(
            "Roles come from DRAFTER_ROLES or DRAFTER_ROLES_FILE; anyone not listed is a drafter only."
        )
    else:
        st.markdown("No roles are configured, so the development defaults apply.")
    st.markdown(
        f"You are **{md_escape(user)}** with the role(s): "
        f"{', '.join(sorted(r.value for r in roles.roles(user)))}."
    )
    st.table(
        [
            {"User": name, "Roles": ", ".join(r.value for r in Role if r in roles.roles(name))}
            for name in roles.known_users()
        ]
    )
