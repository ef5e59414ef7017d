"""The interface language of a browser session: chosen, remembered per user, declared to assistive technology.

Each script run picks the language before anything is drawn (`apply_language`): the signed-in user's stored
choice, else a choice made in this session before signing in, else the browser's language (when a catalog
serves it), else `DRAFTER_LANGUAGE`, else English. `language_selector` lets the user switch on any page and
stores the choice for them. `declare_page_language` keeps `<html lang>` in step, and `lang_html` marks a piece
of text written in the other language so a screen reader uses the right voice.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

import drafter.i18n as i18n
from drafter.errors import DrafterError
from drafter.i18n import _
from drafter.service import DrafterService

# Each language named in itself, so a person who cannot read the current one still finds their own.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}
CHOICE_KEY = "drafter.language.choice"  # chosen in this session while signed out
STORED_KEY = "drafter.language.stored"  # (user, language or None) read from the store once per session
WIDGET_KEY = "drafter.language.widget"
RUN_KEY = "drafter.language.run"  # the language of the last whole run, for the fragments' own runs
P = ParamSpec("P")


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def html_lang(lang: str) -> str:
    """A catalog name as a BCP 47 tag for HTML: zh_CN → zh-CN."""
    return lang.replace("_", "-")


def text_lang(language: str) -> str:
    """A document's language (`en`, `zh`) as the interface language that reads it (`en`, `zh_CN`)."""
    return "zh_CN" if language.startswith("zh") else "en"


def browser_language() -> str | None:
    """The browser's language (navigator.language) when a catalog serves it."""
    try:
        return i18n.normalise(st.context.locale)
    except Exception:  # outside a browser session (a bare script run) there is no locale to read
        return None


def _stored(service: DrafterService | None, user: str | None) -> str | None:
    if service is None or user is None:
        return None
    cached = st.session_state.get(STORED_KEY)
    if isinstance(cached, tuple) and cached[0] == user:
        return cached[1]
    try:
        stored = service.user_language(user)
        pending = st.session_state.pop(CHOICE_KEY, None)
        if pending and stored is None:
            # chosen on the sign-in page by this person: remember it for them
            stored = service.set_user_language(user, pending)
    except DrafterError:
        stored = None  # the store is unreachable: the page still works, in the default language
    st.session_state[STORED_KEY] = (user, stored)
    return stored


def choose_language(service: DrafterService | None, user: str | None) -> str:
    """The language for this run (see the module docstring for the order)."""
    return (
        _stored(service, user)
        or i18n.normalise(st.session_state.get(CHOICE_KEY))
        or browser_language()
        or i18n.deployment_default()
    )


def apply_language(service: DrafterService | None, user: str | None) -> str:
    """Set the language for the rest of this script run and return it."""
    st.session_state[RUN_KEY] = lang = i18n.set_language(choose_language(service, user))
    return lang


def in_language(func: Callable[P, None]) -> Callable[P, None]:
    """A widget callback (or fragment) in the interface language: callbacks run before the script, so before
    `apply_language`; this sets the language the last whole run chose, so their messages are in it."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        i18n.set_language(st.session_state.get(RUN_KEY))
        func(*args, **kwargs)

    return wrapper


def fragment(func: Callable[P, None]) -> Callable[P, None]:
    """`st.fragment`, in the interface language (a run of the fragment alone does not pass through
    `apply_language` either)."""
    return st.fragment(in_language(func))


def _on_change(service: DrafterService | None, user: str | None) -> None:
    chosen = str(st.session_state.get(WIDGET_KEY) or "")
    if user is None or service is None:
        st.session_state[CHOICE_KEY] = chosen
        return
    try:
        saved = service.set_user_language(user, chosen)
    except DrafterError as exc:
        # not stored, but this session still follows the choice
        st.session_state[STORED_KEY] = (user, i18n.normalise(chosen))
        st.session_state["drafter.language.problem"] = str(exc)
        return
    st.session_state[STORED_KEY] = (user, saved)


def language_selector(service: DrafterService | None, user: str | None) -> None:
    """The language switch in the sidebar; a signed-in user's choice is stored for their next sessions."""
    languages = i18n.available_languages()
    st.session_state[WIDGET_KEY] = i18n.current()
    with st.sidebar:
        st.selectbox(
            _("Interface language"), languages, key=WIDGET_KEY, format_func=language_name,
            on_change=_on_change, args=(service, user),
            help=_("Remembered for you on this Drafter; by default the language of your browser."),
        )
        problem = st.session_state.pop("drafter.language.problem", None)
        if problem:
            st.error(problem)


_DECLARE = """<script>
(function () {{
  var root = window.parent && window.parent.document ? window.parent.document : document;
  root.documentElement.lang = "{lang}";
  document.documentElement.lang = "{lang}";
}})();
</script>"""


def declare_page_language() -> None:
    """Make `<html lang>` follow the interface language (Streamlit's page always says `en`)."""
    lang = html_lang(i18n.current())
    st.html(_DECLARE.format(lang=html.escape(lang)), unsafe_allow_javascript=True)


def lang_html(text: str, language: str, *, tag: str = "span") -> str:
    """`text` escaped as HTML, wrapped with its own `lang` when it differs from the interface language."""
    escaped = html.escape(text)
    own = html_lang(text_lang(language))
    if text_lang(language) == i18n.current():
        return escaped
    return f'<{tag} lang="{own}">{escaped}</{tag}>'
