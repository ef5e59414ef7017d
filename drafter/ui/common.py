"""What every page shares: the service, the signed-in user and their roles, and small widgets.

No business rule lives here: pages ask `DrafterService` and show what it answers.
"""

from __future__ import annotations

import difflib
import functools
import html
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import streamlit as st

import drafter.i18n as i18n
from drafter.errors import ConflictError, DrafterError
from drafter.i18n import N_, _, date_text, ngettext
from drafter.models import (
    Draft,
    DraftStatus,
    Finding,
    FindingSeverity,
    FindingStatus,
    Origin,
    Section,
    user_key,
)
from drafter.review import Action, Permissions, allowed_actions, open_blocking
from drafter.roles import Role, RoleMap, load_roles
from drafter.service import DrafterService
from drafter.settings import Settings, get_settings
from drafter.ui.language import html_lang, in_language, text_lang
from drafter.ui.warm import warm_in_background

T = TypeVar("T")

# Tests (and anyone embedding the app) may put a ready DrafterService here, e.g. one with a scripted backend.
SERVICE_OVERRIDE_KEY = "drafter.service"
USER_KEY = "drafter.user"
# Session keys under this prefix survive page switches (see keep_widget_state).
KEEP = "keep."

ORIGIN_BADGE = {
    # (label, colour): the text says the origin; colour only repeats it
    Origin.ai: (N_("AI-generated"), "orange"),
    Origin.ai_edited: (N_("AI-generated, edited by a person"), "violet"),
    Origin.human: (N_("Written by a person"), "green"),
}
STATUS_TEXT = {
    DraftStatus.generating: N_("Generating"),
    DraftStatus.failed: N_("Generation failed"),
    DraftStatus.draft: N_("Draft"),
    DraftStatus.in_review: N_("In review"),
    DraftStatus.approved: N_("Approved"),
    DraftStatus.changes_requested: N_("Changes requested"),
}
ROLE_TEXT = {
    Role.drafter: N_("drafter"),
    Role.reviewer: N_("reviewer"),
    Role.admin: N_("admin"),
}
SEVERITY_TEXT = {"blocking": N_("blocking"), "warning": N_("warning"), "info": N_("info")}


def role_names(roles: object) -> str:
    """The roles in `roles` (a set of Role), named in the interface language, in a stable order."""
    return _(", ").join(_(ROLE_TEXT[r]) for r in Role if r in roles)  # type: ignore[operator]


def when(moment: object, *, time: bool = True) -> str:
    """A date (and time, UTC) as the interface language writes it: 3 March 2026 14:05, 2026年3月3日 14:05."""
    import datetime as _dt

    if not isinstance(moment, _dt.datetime):
        return str(moment)
    day = date_text(moment.date())
    return f"{day} {moment:%H:%M}" if time else day


# --- service and settings -------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _service_for(settings_json: str) -> DrafterService:
    # keyed on the settings so a changed environment (e.g. another data folder in tests) gets its own service
    return DrafterService.from_settings(Settings.model_validate_json(settings_json))


@functools.lru_cache(maxsize=8)
def _settings_json(_environment: tuple[object, ...]) -> str:
    return get_settings().model_dump_json()


def _environment() -> tuple[object, ...]:
    """What the settings are read from: the DRAFTER_* variables and the working folder's `.env` (its time)."""
    try:
        dotenv = os.stat(".env").st_mtime_ns
    except OSError:
        dotenv = None
    return os.getcwd(), dotenv, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("DRAFTER_")))


def get_service() -> DrafterService:
    """The app's one DrafterService, built from `get_settings()` and shared by all sessions.

    The settings are read again only when what they are read from changed (reading them costs ~10 ms, and every
    script run asks for the service several times)."""
    override = st.session_state.get(SERVICE_OVERRIDE_KEY)
    if isinstance(override, DrafterService):
        return override  # a test's own service: built and warmed as the test wants
    return shared_service()


def shared_service() -> DrafterService:
    """The service shared by all sessions of this process, warming up in the background from its first use."""
    service = _service_for(_settings_json(_environment()))
    warm_in_background(service)  # once per service: returns at once
    return service


def role_map(service: DrafterService) -> RoleMap:
    return load_roles(service.settings)


def backends(service: DrafterService) -> dict[str, dict[str, Any]]:
    """The configured backends as the service reports them (model, external, endpoint, default…), by name."""
    return {row["name"]: row for row in sorted(service.backend_status(), key=lambda r: str(r["name"]))}


def backend_select(service: DrafterService, key: str, help_text: str) -> str:
    """Choose a backend (the configured default first time), with its description underneath."""
    rows = backends(service)
    names = list(rows)
    if st.session_state.get(key) not in names:
        st.session_state[key] = next((name for name, row in rows.items() if row["default"]), names[0])
    name = str(st.selectbox(
        _("Backend"), names, key=kept(key), format_func=lambda n: f"{n} ({rows[n]['model']})", help=help_text
    ))
    st.caption(rows[name]["description"])
    return name


# --- identity -----------------------------------------------------------------------------------


def oidc_configured() -> bool:
    """True when an OIDC provider is configured in Streamlit's secrets ([auth] section)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises rather than answering False
        return False


def current_user() -> str | None:
    """The signed-in user's name: from the OIDC provider when configured, else the development sign-in."""
    if oidc_configured():
        if not st.user.is_logged_in:
            return None
        for claim in ("email", "preferred_username", "name", "sub"):
            value = st.user.get(claim)
            if value:
                return user_key(str(value))  # the one form names are stored and compared in
        return None
    user = st.session_state.get(USER_KEY)
    return user_key(str(user)) if user else None


def sign_out() -> None:
    """Forget the user and everything they typed, so the next person on this browser starts clean."""
    for key in list(st.session_state.keys()):
        if key != SERVICE_OVERRIDE_KEY:
            del st.session_state[key]
    if oidc_configured():
        st.logout()


def has_role(service: DrafterService, user: str, role: Role) -> bool:
    return role_map(service).has(user, role)


def permissions(service: DrafterService, user: str, draft: Draft) -> Permissions:
    """What `user` may do with `draft` now: the review rules' answer, so no page repeats them."""
    roles = role_map(service)
    return allowed_actions(draft, user, roles_configured=roles.configured, is_reviewer=roles.has(user, Role.reviewer),
                           contributed=service.contributors(draft.id))


# --- state that survives page switches ------------------------------------------------------------


RENDERED_KEY = "drafter.rendered"  # KEEP keys of the widgets drawn in the current run


def kept(key: str) -> str:
    """Name a widget's key and note that it is on screen in this run (see keep_widget_state)."""
    rendered: set[str] = st.session_state.setdefault(RENDERED_KEY, set())
    rendered.add(key)
    return key


def start_run() -> None:
    st.session_state[RENDERED_KEY] = set()


def keep_widget_state() -> None:
    """At the end of a run, keep the values of widgets that this run did not draw.

    Streamlit deletes a widget's state when a run does not draw it (a page switch, the draft editor
    replacing the form, another template chosen). Re-assigning the key makes it ordinary session state,
    which is kept, and the widget picks it up when it is drawn again. Widgets on screen are left alone:
    re-assigning one would send its value back to the browser and could overwrite what is being typed.
    """
    rendered: set[str] = st.session_state.get(RENDERED_KEY, set())
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(KEEP) and key not in rendered:
            st.session_state[key] = st.session_state[key]


# --- errors -------------------------------------------------------------------------------------


@contextmanager
def clear_errors(what: str) -> Iterator[None]:
    """Show a DrafterError as its one sentence (never a traceback); anything else as a short apology."""
    try:
        yield
    except DrafterError as exc:
        st.error(md_safe(str(exc)), icon=":material/error:")
    except Exception as exc:  # an unexpected bug: still one sentence, and nothing typed is lost
        st.error(
            _("Something went wrong while {what} ({error}). Your work is saved; try again, and tell your "
              "administrator if it happens again.", what=_(what), error=type(exc).__name__),
            icon=":material/error:",
        )


def attempt(what: str, action: Callable[[], T]) -> T | None:
    """Run `action`; on failure show its one-sentence message and return None."""
    with clear_errors(what):
        return action()
    return None


# --- text and diffs -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@])")


def md_escape(text: str) -> str:
    """Text shown as Markdown exactly as typed (no accidental emphasis, links, lists or maths)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


# What Markdown needs to fetch, link or run anything: images and links (brackets), autolinks and HTML (angle
# brackets), maths ($). Escaping only these keeps our own one-sentence messages readable as they are.
_MD_ACTIVE = re.compile(r"([\\\[\]<>$])")


def md_safe(text: str) -> str:
    """A message that may quote author text (a title, a file name), shown so nothing in it is fetched or linked."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def show_text(text: str) -> None:
    for paragraph in text.split("\n"):
        if paragraph.strip():
            st.markdown(md_escape(paragraph))


def show_lang_text(text: str, language: str) -> None:
    """Author or draft text: as Markdown-escaped text, or, when written in the other language than the
    interface, as escaped HTML paragraphs carrying their own `lang` (a screen reader then switches voice)."""
    if text_lang(language) == i18n.current():
        show_text(text)
        return
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    if paragraphs:
        st.html(f'<div lang="{html_lang(text_lang(language))}">{paragraphs}</div>')


def show_heading(text: str, language: str, level: int = 3) -> None:
    """A heading from the document (author text), with its own `lang` when not in the interface language."""
    if text_lang(language) == i18n.current():
        st.markdown(f"{'#' * level} {md_escape(text)}")
    else:
        st.html(f'<h{level} lang="{html_lang(text_lang(language))}">{html.escape(text)}</h{level}>')


def origin_badge(section: Section) -> None:
    """The section's origin, which the service computed from its spans (who wrote which part)."""
    label, colour = ORIGIN_BADGE[section.provenance.origin]
    if section.spans and all(sp.origin == "input" for sp in section.spans):
        label = N_("The author's own words")  # carried over from the inputs: nothing here was written by a machine
    st.badge(_(label), color=colour)  # type: ignore[arg-type]


def citations_legend(draft: Draft) -> None:
    """Name the sources behind the [n] markers the backends put after quoted sentences."""
    if draft.request.sources:
        st.caption(
            md_safe(_("Citations: {sources}", sources="; ".join(
                f"[{i}] {s.name}" for i, s in enumerate(draft.request.sources, 1))))
        )


def status_label(draft: Draft) -> str:
    return status_text(draft.status)


def status_text(status: str) -> str:
    """A draft status (`in_review`…) as the interface names it."""
    known = {s.value: text for s, text in STATUS_TEXT.items()}
    return _(known[status]) if status in known else status.replace("_", " ")


# dark text on light backgrounds: well above the WCAG AA contrast ratio
DEL_STYLE = "background:#ffe1e1;color:#6b0000;text-decoration:line-through"
INS_STYLE = "background:#d9f5dd;color:#00420f;text-decoration:underline"


def word_diff_html(before: str, after: str) -> str:
    """A word-level diff as HTML: removed words in <del>, added words in <ins> (escaped, accessible)."""
    a, b = re.findall(r"\S+|\s+", before), re.findall(r"\S+|\s+", after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            out.append(f'<del style="{DEL_STYLE}">{html.escape("".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins style="{INS_STYLE}">{html.escape("".join(b[j1:j2]))}</ins>')
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
    return "".join(out).replace("\n", "<br>")


def show_diff(before: str, after: str, *, caption: str) -> None:
    """Render a word diff with a legend that does not rely on colour alone."""
    if before.strip() == after.strip():
        st.caption(_("{caption}: no changes.", caption=caption))
        return
    st.caption(_("{caption} — removed text is struck through, added text is underlined.", caption=caption))
    st.html(f'<div style="line-height:1.6">{word_diff_html(before, after)}</div>')


def page_header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


_SEVERITY_ICON = {"blocking": "⛔", "warning": "⚠️", "info": "ℹ️"}


def _finding_line(finding: Finding, headings: dict[str, str]) -> str:
    where = headings.get(finding.section_id or "", _("whole document"))
    severity = _(SEVERITY_TEXT.get(finding.severity.value, finding.severity.value))
    text = (f"{_SEVERITY_ICON[finding.severity.value]} **{severity}** · {md_escape(where)} · "
            f"`{finding.rule_id}`: {md_escape(finding.message)}")
    if finding.suggestion:
        text += " " + _("*Suggestion:* {suggestion}", suggestion=md_escape(finding.suggestion))
    if finding.status == FindingStatus.waived:
        text += " " + _("— waived by {who}: {reason}", who=md_escape(finding.waived_by or ""),
                        reason=md_escape(finding.waiver_reason or ""))
    return text


def findings_list(service: DrafterService, draft: Draft, *, allow_waive: bool) -> None:
    """The checks' findings on a draft, blocking ones first; reviewers may waive a blocking one with a reason."""
    st.markdown(_("**Automatic checks** (facts against inputs and sources, style guide, readability)"))
    findings = attempt(N_("loading the checks"), lambda: service.findings(draft.id))
    if findings is None:
        return
    if not findings:
        st.caption(_("No findings: every fact is in the inputs or sources, and the style guide's rules are met."))
        return
    headings = {s.id: s.heading for s in draft.sections}
    blocking = [f for f in findings if f.severity == FindingSeverity.blocking]
    others = [f for f in findings if f.severity != FindingSeverity.blocking]
    still_open = open_blocking(findings)
    if still_open:
        st.error(ngettext("{n} blocking finding must be corrected or waived with a reason before approval.",
                          "{n} blocking findings must be corrected or waived with a reason before approval.",
                          len(still_open)))
    user = current_user()
    may_waive = allow_waive and user is not None and Action.waive in permissions(service, user, draft)
    for finding in blocking:
        st.markdown(_finding_line(finding, headings))
        if may_waive and finding in still_open:
            with st.form(key=f"waive.{draft.id}.{finding.id}", border=False):
                reason = st.text_input(_("Reason for waiving finding {finding}", finding=finding.id),
                                       placeholder=_("e.g. figure confirmed with the finance team"))
                if st.form_submit_button(_("Waive with this reason")):
                    waive = partial(service.waive, draft.id, finding.id, reason, str(user))
                    if attempt(N_("waiving the finding"), waive) is not None:
                        st.rerun()
    if others:
        with st.expander(ngettext("{n} style and readability note", "{n} style and readability notes",
                                  len(others))):
            for finding in others:
                st.markdown(_finding_line(finding, headings))


def highlighted_paragraphs(text: str, findings: list[Finding]) -> str:
    """The text as HTML paragraphs with each open finding's span marked (its message as the tooltip)."""
    spans = sorted(
        (f.start, f.end, f) for f in findings
        if f.status == FindingStatus.open and f.start is not None and f.end is not None and f.end > f.start
    )
    out, pos = [], 0
    for start, end, finding in spans:
        if start < pos:
            continue  # overlapping spans: the first one wins
        colour = "#ffd6d6" if finding.severity == FindingSeverity.blocking else "#fff1b8"
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark style="background:{colour};color:#000" title="{html.escape(finding.message)}">'
                   f"{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    return "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())


def section_findings_note(findings: list[Finding]) -> None:
    """One line per open blocking or warning finding of a section, shown right under it."""
    for f in findings:
        if f.status == FindingStatus.open and f.severity != FindingSeverity.info:
            icon = _SEVERITY_ICON[f.severity.value]
            st.caption(f"{icon} {md_escape(f.message)}")


def flash_message(key: str, kind: str, message: str) -> None:
    """Keep a message to show once, at the top of the page, after the next rerun."""
    st.session_state[key] = (kind, message)


def show_flash_message(key: str) -> None:
    # always one container in the same place, so the page keeps its shape when the message goes away
    # (otherwise Streamlit redraws what follows and open expanders close under the user's cursor)
    slot = st.container()
    item = st.session_state.pop(key, None)
    if item:
        kind, message = item
        # messages quote titles, headings and error sentences: author-controlled, so shown as text
        {"success": slot.success, "error": slot.error, "warning": slot.warning}.get(kind, slot.info)(md_safe(message))


def edit_box(
    service: DrafterService, user: str, draft: Draft, section: Section, *, scope: str, label: str, button: str,
    button_key: str, saved_message: str, flash_key: str,
) -> None:
    """A section's edit box; once saved, `saved_message` is shown at the top of the page (`flash_key`).

    Its state is keyed by section (saving one section does not reset what is typed in another) and remembers the
    draft version it started from, so a change someone else saved meanwhile is refused by the service's
    optimistic lock, and never silently replaces what the user typed: the text stays to compare and save again.
    The save runs in the button's callback, before the page is drawn, so the page shows the saved draft in the
    same run.
    """
    key = f"{KEEP}{scope}.edit.{draft.id}.{section.id}"
    base_key, conflict_key = key + ".base", key + ".conflict"
    base = st.session_state.get(base_key)
    if key not in st.session_state or base is None:
        st.session_state[key] = section.text
        st.session_state[base_key] = (draft.version, section.text)
    elif base[1] != section.text and st.session_state[key] == base[1]:
        # nothing typed here yet: follow the section's new text
        st.session_state[key] = section.text
        st.session_state[base_key] = (draft.version, section.text)
    elif base[1] != section.text:
        st.session_state[conflict_key] = True
    if st.session_state.get(conflict_key):
        st.warning(_("This draft changed while you were editing. Your text is kept below: compare it with "
                     "the current version above, then save again."))
    st.text_area(label, key=kept(key), height=200)
    st.button(button, key=button_key, on_click=_save_edit,
              args=(service, user, draft.id, section.id, key, saved_message, flash_key))
    problem = st.session_state.pop(key + ".error", None)
    if problem:
        st.error(md_safe(problem))


@in_language
def _save_edit(
    service: DrafterService, user: str, draft_id: str, section_id: str, key: str, saved_message: str,
    flash_key: str,
) -> None:
    base_key, conflict_key = key + ".base", key + ".conflict"
    text = str(st.session_state[key])
    try:
        service.edit_section(draft_id, section_id, text, user, expected_version=st.session_state[base_key][0])
    except ConflictError as exc:
        # keep the text; the next save applies it to the version now stored (and shown by this run)
        try:
            current = service.get_draft(draft_id)
            now = next((s.text for s in current.sections if s.id == section_id), "")
            st.session_state[base_key] = (current.version, now)
        except DrafterError:
            pass
        st.session_state[conflict_key] = True
        st.session_state[key + ".error"] = str(exc)
        return
    except DrafterError as exc:
        st.session_state[key + ".error"] = str(exc)
        return
    for k in (key, base_key, conflict_key):
        st.session_state.pop(k, None)
    flash_message(flash_key, "success", saved_message)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def text_count(text: str) -> str:
    """How long a text is, the way its language counts: Chinese in characters (字), other text in words."""
    han = len(_HAN.findall(text))
    if han and han >= len(re.findall(r"[A-Za-z]", text)) / 2:
        chars = len(re.sub(r"\s", "", text))
        return ngettext("{n} character", "{n} characters", chars)
    return ngettext("{n} word", "{n} words", len(text.split()))


def template_title(service: DrafterService, template_id: str) -> str:
    """A template's title (what people call it), or its id when the template is no longer installed."""
    try:
        return service.template(template_id).title
    except DrafterError:
        return template_id


def review_copy_download(service: DrafterService, user: str, draft: Draft, *, key: str) -> None:
    """The review copy for Word, made only when the button is pressed (review and history pages)."""
    st.download_button(
        _("Download review copy"),
        data=lambda: service.review_copy_bytes(draft.id, user),
        file_name=f"review-copy-{draft.id}-v{draft.version}.docx",
        key=key,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
    )
