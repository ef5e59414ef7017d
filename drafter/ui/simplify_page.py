"""Simplify page: a regulation in, a plain-language / child / easy-read version out, side by side per section.

The result is an ordinary draft: it is edited and submitted here, then reviewed, approved and exported
through the review queue and "My drafts" like any other.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import streamlit as st

from drafter.errors import DrafterError
from drafter.i18n import N_, _, ngettext
from drafter.models import Draft, DraftStatus, Finding, FindingSeverity, FindingStatus, Section
from drafter.review import Action, Permissions, open_blocking
from drafter.service import DrafterService
from drafter.ui.common import (
    DEL_STYLE,
    INS_STYLE,
    KEEP,
    attempt,
    backend_select,
    current_user,
    edit_box,
    flash_message,
    get_service,
    html_lang,
    kept,
    md_escape,
    md_safe,
    origin_badge,
    page_header,
    permissions,
    show_flash_message,
    show_heading,
    show_lang_text,
    status_label,
    text_lang,
)

CURRENT_KEY = KEEP + "simplify.current"  # id of the simplified draft being worked on
TEXT_KEY = KEEP + "simplify.text"
TITLE_KEY = KEEP + "simplify.title"
AUDIENCE_KEY = KEEP + "simplify.audience"
BACKEND_KEY = KEEP + "simplify.backend"
SEEN_UPLOADS_KEY = KEEP + "simplify.seen_uploads"
SOURCE_NAME_KEY = KEEP + "simplify.source_name"
FLASH_KEY = KEEP + "simplify.flash"
GO_KEY = "simplify.go"
PROBLEM_KEY = "simplify.problem"

AUDIENCE_TEXT = {
    "plain": N_("Plain language (the general public)"),
    "child": N_("Children (about 9 to 11 years old)"),
    "easy-read": N_("Easy read (one idea per sentence, very common words)"),
}
DEFAULT_TITLE = N_("Simplified text")


def audience_text(audience: str) -> str:
    return _(AUDIENCE_TEXT[audience]) if audience in AUDIENCE_TEXT else audience


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    page_header(
        _("Simplify"),
        _("Turn a regulation or notice into a plain-language, child-friendly or easy-read version. Every number, "
          "date, amount and reference must survive; anything lost is flagged for the reviewer."),
    )
    show_flash()
    current = st.session_state.get(CURRENT_KEY)
    if current:
        draft_view(service, user, str(current))
    else:
        new_form(service, user)


def flash(kind: str, message: str) -> None:
    flash_message(FLASH_KEY, kind, message)


def show_flash() -> None:
    show_flash_message(FLASH_KEY)


# --- the form ---------------------------------------------------------------------------------------


def new_form(service: DrafterService, user: str) -> None:
    st.subheader(_("1. The text to simplify"))
    upload_widget(service)
    st.session_state.setdefault(TEXT_KEY, "")
    st.text_area(
        _("Text of the regulation or notice"),
        key=kept(TEXT_KEY),
        height=240,
        help=_("Keep its headings and numbering (Section 1, § 404.610, 第三条…): each becomes one section."),
        placeholder=_("Paste the text here, or upload a file above."),
    )
    st.subheader(_("2. Title and readers"))
    st.session_state.setdefault(TITLE_KEY, "")
    st.text_input(_("Title of the simplified version"), key=kept(TITLE_KEY), placeholder=_(DEFAULT_TITLE))
    if st.session_state.get(AUDIENCE_KEY) not in service.audiences():
        st.session_state[AUDIENCE_KEY] = "plain"
    st.selectbox(
        _("Audience"), service.audiences(), key=kept(AUDIENCE_KEY), format_func={a: audience_text(a) for a in service.audiences()}.__getitem__
    )
    backend_name = backend_widget(service)
    st.button(_("Simplify"), type="primary", on_click=_on_simplify)
    problem = st.session_state.pop(PROBLEM_KEY, None)
    if problem:
        st.error(problem, icon=":material/error:")
    if st.session_state.pop(GO_KEY, False):
        start(service, user, backend_name)


def upload_widget(service: DrafterService) -> None:
    seen: set[str] = st.session_state.setdefault(SEEN_UPLOADS_KEY, set())
    limit_mb = service.settings.max_source_bytes / 1_048_576
    upload = st.file_uploader(
        _("Upload the regulation (.docx, .txt, .md)"),
        type=service.upload_types(),
        help=_("Up to {mb} MB. Its text appears below, where you can check it before simplifying.",
               mb=f"{limit_mb:.0f}"),
    )
    if upload is None or upload.file_id in seen:
        return
    seen.add(upload.file_id)
    doc = attempt(
        N_("reading a source"),
        lambda: service.read_source(upload.name, upload.getvalue()),
    )
    if doc is None:
        return
    if not doc.text.strip():
        st.error(md_safe(_("{name} contains no text to simplify.", name=upload.name)), icon=":material/error:")
        return
    # the text area and title are drawn after this, so filling them here is allowed
    st.session_state[TEXT_KEY] = doc.text
    st.session_state[SOURCE_NAME_KEY] = doc.name
    if not str(st.session_state.get(TITLE_KEY, "")).strip():
        st.session_state[TITLE_KEY] = Path(doc.name).stem.replace("-", " ").replace("_", " ").strip().capitalize()


def backend_widget(service: DrafterService) -> str:
    return backend_select(
        service, BACKEND_KEY,
        _("The offline backend simplifies by rule, uses no language model and sends nothing off this machine."),
    )


def _on_simplify() -> None:
    if not str(st.session_state.get(TEXT_KEY, "")).strip():
        st.session_state[PROBLEM_KEY] = _("Paste the text to simplify, or upload a file, then press Simplify.")
        return
    st.session_state[GO_KEY] = True


def start(service: DrafterService, user: str, backend_name: str) -> None:
    text = str(st.session_state.get(TEXT_KEY, ""))
    title = str(st.session_state.get(TITLE_KEY, "")).strip() or _(DEFAULT_TITLE)
    audience = str(st.session_state.get(AUDIENCE_KEY, "plain"))
    source_name = str(st.session_state.get(SOURCE_NAME_KEY) or "pasted text")
    draft = attempt(
        N_("saving the text to simplify"),
        lambda: service.start_simplification(
            text, title=title, audience=audience, user=user, backend=backend_name, source_name=source_name
        ),
    )
    if draft is None:
        return  # the one-sentence reason is shown; everything typed stays in the form
    st.session_state[CURRENT_KEY] = draft.id
    run_with_progress(service, user, draft.id)
    st.rerun()


def run_with_progress(service: DrafterService, user: str, draft_id: str) -> None:
    with st.status(_("Simplifying…"), expanded=True) as status:
        bar = st.progress(0.0, text=_("Simplifying the first section"))

        def on_section(done: int, total: int, section: Section) -> None:
            bar.progress(done / total, text=md_safe(_("{done} of {total} sections simplified (last: {heading})",
                                                      done=done, total=total, heading=section_name(section))))

        outcome, changed = "", False
        try:
            done_draft = service.generate_simplified(draft_id, user, on_section=on_section)
            outcome = service.simplification_outcome(done_draft)
            # the same test the outcome sentence uses, so its colour never depends on its wording or language
            changed = any(s.metrics.get("changed") is not False for s in done_draft.sections if s.original is not None)
        except DrafterError as exc:
            status.update(label=_("Simplification stopped"), state="error")
            flash("error", _("{problem} The sections already simplified are saved; press “Resume” to try again.",
                             problem=str(exc)))
        except Exception as exc:  # a bug must not lose work: the draft and the text stay saved
            status.update(label=_("Simplification stopped"), state="error")
            flash(
                "error",
                _("Simplification stopped unexpectedly ({error}). Your text is saved; "
                  "press “Resume” to try again.", error=type(exc).__name__),
            )
        else:
            status.update(label=_("Finished"), state="complete", expanded=False)
            # says honestly what the rules changed ("Not simplified: …" when they found nothing to change)
            flash(
                "success" if changed else "warning",
                _("{outcome} Compare each section with the original, fix what the checks flag, "
                  "then submit it for review.", outcome=outcome),
            )


# --- the result -------------------------------------------------------------------------------------


def draft_view(service: DrafterService, user: str, draft_id: str) -> None:
    draft = attempt(N_("loading the simplified version"), lambda: service.get_draft(draft_id))
    if draft is None:
        st.session_state.pop(CURRENT_KEY, None)
        st.button(_("Back to a new simplification"))
        return
    audience = str(draft.request.inputs.get("audience", ""))
    show_heading(draft.title, draft.language, 2)
    st.markdown(
        _("**Status:** {status} · **Audience:** {audience} · **Version:** {version} · **Backend:** {backend}",
          status=status_label(draft), audience=md_escape(audience_text(audience)), version=draft.version,
          backend=md_escape(draft.backend))
    )
    allowed = permissions(service, user, draft)
    if Action.resume in allowed:
        reason = f" ({md_safe(draft.error)})" if draft.error else ""
        st.warning(ngettext("Simplification did not finish{reason}. {n} section is saved.",
                            "Simplification did not finish{reason}. {n} sections are saved.",
                            len(draft.sections), reason=reason))
        if st.button(_("Resume"), type="primary"):
            run_with_progress(service, user, draft.id)
            st.rerun()
    findings = attempt(N_("checking the simplified text"), lambda: service.findings(draft.id)) or []
    blocking = open_blocking(findings)
    if blocking:
        st.error(
            ngettext("{n} blocking finding: a fact or an obligation of the original is missing or changed. Fix "
                     "the sections marked below (or a reviewer waives them with a reason) before approval.",
                     "{n} blocking findings: a fact or an obligation of the original is missing or changed. Fix "
                     "the sections marked below (or a reviewer waives them with a reason) before approval.",
                     len(blocking)),
            icon=":material/block:",
        )
    for section in draft.sections:
        section_card(service, user, draft, section, [f for f in findings if f.section_id == section.id],
                     editable=Action.edit in allowed)
    general = [f for f in findings if f.section_id is None]
    if general:
        st.markdown(_("**Findings about the whole text**"))
        for finding in general:
            show_finding(finding)
    actions(service, user, draft, allowed)


def section_card(
    service: DrafterService, user: str, draft: Draft, section: Section, findings: list[Finding], *,
    editable: bool = True,
) -> None:
    with st.container(border=True):
        if section.heading:  # a part with no heading in the original gets none here either
            show_heading(section.heading, draft.language)
        origin_badge(section)
        if section.original is None:  # the glossary written after the simplified sections: nothing to compare
            show_lang_text(section.text, draft.language)
        else:
            left, right = st.columns(2)
            diff = service.word_changes(section.original, section.text, draft.language)
            with left:
                st.markdown(_("**Original**"))
                show_marked(diff.original, "del", draft.language)
            with right:
                st.markdown(_("**Simplified**"))
                show_marked(diff.simplified, "ins", draft.language)
            st.caption(_("What changed: words removed or replaced are struck through in the original, new words "
                         "are underlined in the simplified text ({share:.0%} of the words changed).",
                         share=diff.changed_share))
        readability(section, draft.language)
        for finding in findings:
            show_finding(finding)
        if editable:
            edit_widget(service, user, draft, section)


def section_name(section: Section) -> str:
    """What to call a section in a label: its heading, or for a part the original gave no heading, its first
    words (the document's own, so nothing is invented)."""
    if section.heading:
        return section.heading
    words = (section.original or section.text).split()
    return " ".join(words[:6]) + (" …" if len(words) > 6 else "")


def show_marked(pieces: list[tuple[str, bool]], tag: str, language: str = "en") -> None:
    """Text with its changed stretches marked, one paragraph per line: `del` (struck through) on the
    original's side, `ins` (underlined) on the simplified side, so the marking does not rely on colour."""
    style = DEL_STYLE if tag == "del" else INS_STYLE
    lines: list[list[str]] = [[]]
    for text, changed in pieces:
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append([])
            if part:
                safe = html.escape(part)
                lines[-1].append(f'<{tag} style="{style}">{safe}</{tag}>' if changed and part.strip() else safe)
    body = "".join(f"<p>{''.join(line)}</p>" for line in lines if "".join(line).strip())
    if body:
        # the text's own language, whatever the interface's (a screen reader then reads it with the right voice)
        st.html(f'<div lang="{html_lang(text_lang(language))}" style="line-height:1.6">{body}</div>')


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def readability_rows(metrics: dict[str, Any], language: str) -> list[tuple[str, str, str]]:
    """(measure, before, after) rows for the readability table of one section."""
    before: dict[str, Any] = metrics.get("readability_before") or {}
    after: dict[str, Any] = metrics.get("readability_after") or {}
    if language == "zh":
        measures = [
            (_("Average sentence length (characters)"), "avg_sentence_chars", 1),
            (_("Longest sentence (characters)"), "max_sentence_chars", 0),
            (_("Share of uncommon characters (%)"), "uncommon_char_share", 1),
        ]
    else:
        measures = [
            (_("Reading grade (Flesch-Kincaid)"), "flesch_kincaid_grade", 1),
            (_("Reading ease (Flesch, 0-100)"), "flesch_reading_ease", 0),
            (_("SMOG grade"), "smog", 1),
            (_("Average words per sentence"), "avg_sentence_words", 1),
        ]
    rows = []
    for label, key, digits in measures:
        b, a = before.get(key), after.get(key)
        if key == "uncommon_char_share":
            b = b * 100 if isinstance(b, float) else b
            a = a * 100 if isinstance(a, float) else a
        rows.append((label, _fmt(b, digits), _fmt(a, digits)))
    return rows


def readability(section: Section, language: str) -> None:
    if not section.metrics.get("readability_before"):
        return
    rows = readability_rows(section.metrics, language)
    columns = (_("Readability"), _("Original"), _("Simplified"))  # outside an f-string, where Babel finds them
    header = "| " + " | ".join(columns) + " |"
    table = header + "\n|---|---|---|\n" + "\n".join(
        f"| {label} | {b} | {a} |" for label, b, a in rows
    )
    st.markdown(table)
    if language == "zh":
        st.caption(
            _("Shorter sentences and fewer uncommon characters are easier to read: aim for at most 25 "
              "characters a sentence for the public and 15 for children.")
        )
    else:
        st.caption(
            _("A lower reading grade and a higher reading ease mean easier text: grade 8 suits most adults, "
              "grade 5 a ten-year-old.")
        )


def show_finding(finding: Finding) -> None:
    text = md_escape(finding.message)
    if finding.status == FindingStatus.waived:
        st.info(_("Waived by {who}: {text} — “{reason}”", who=md_escape(finding.waived_by or ""), text=text,
                  reason=md_escape(finding.waiver_reason or "")))
    elif finding.severity == FindingSeverity.blocking:
        st.error(_("**Blocking:** {text}", text=text), icon=":material/block:")
    elif finding.severity == FindingSeverity.warning:
        st.warning(_("**Warning:** {text}", text=text), icon=":material/warning:")
    else:
        st.warning(_("**Info:** {text}", text=text), icon=":material/warning:")


def edit_widget(service: DrafterService, user: str, draft: Draft, section: Section) -> None:
    name = section_name(section)
    with st.expander(md_safe(_("Edit “{heading}”", heading=name))):
        edit_box(service, user, draft, section, scope="simplify",
                 label=_("Simplified text of “{heading}”", heading=name), button=_("Save edit"),
                 button_key=f"simplify-save-{draft.id}-{section.id}",
                 saved_message=_("Saved your edit to “{heading}”; the checks ran again.", heading=name),
                 flash_key=FLASH_KEY)


def actions(service: DrafterService, user: str, draft: Draft, allowed: Permissions) -> None:
    cols = st.columns(2)
    if Action.submit in allowed and cols[0].button(_("Submit for review"), type="primary"):
        submitted = attempt(N_("submitting the simplified version"), lambda: service.submit(draft.id, user))
        if submitted is not None:
            flash("success", _("Submitted for review. A reviewer other than you will see it in their queue."))
            st.rerun()
    if draft.status == DraftStatus.in_review:
        cols[0].info(_("In review: any edit now returns it to you and withdraws it from review."))
    if cols[1].button(_("Simplify another text")):
        st.session_state.pop(CURRENT_KEY, None)
        st.rerun()
