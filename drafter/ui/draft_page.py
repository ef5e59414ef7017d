"""Draft page: choose a template, fill its form, add sources, generate, edit, refine, submit for review."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

import streamlit as st

from drafter.errors import DrafterError
from drafter.i18n import N_, _, date_text, ngettext
from drafter.models import Draft, DraftRequest, DraftStatus, FieldSpec, Finding, Section, SourceDoc, Template
from drafter.review import Action, Permissions
from drafter.service import DrafterService
from drafter.ui.common import (
    KEEP,
    attempt,
    backend_select,
    backends,
    citations_legend,
    current_user,
    edit_box,
    findings_list,
    flash_message,
    get_service,
    kept,
    md_escape,
    md_safe,
    origin_badge,
    page_header,
    permissions,
    section_findings_note,
    show_flash_message,
    show_heading,
    show_lang_text,
    status_label,
    text_count,
)
from drafter.ui.language import fragment, in_language

CURRENT_KEY = KEEP + "draft.current"  # id of the draft being worked on
SOURCES_KEY = KEEP + "draft.sources"  # name -> SourceDoc, attached so far
SEEN_UPLOADS_KEY = KEEP + "draft.seen_uploads"  # uploader file ids already turned into sources
TEMPLATE_KEY = KEEP + "draft.template"
PROBLEMS_KEY = "draft.problems"  # field name -> message from the last Generate press
GO_KEY = "draft.go"  # id of a draft just saved by Generate, to generate in this run
PASTE_ERROR_KEY = "draft.paste_error"  # why the pasted text could not be added
START_ERROR_KEY = "draft.start_error"  # why Generate could not save the request
SUBMIT_ERROR_KEY = "draft.submit_error"
REFINE_KEY = "draft.refine"  # (draft id, section id, instruction's key) asked by a Refine button
BACKEND_KEY = KEEP + "draft.backend"
CHOSEN_KEY = "draft.chosen"  # (style guide, backend) as the last run of the details chose them
FLASH_KEY = KEEP + "draft.flash"  # (kind, message) shown once after a rerun
EXAMPLE_DATE = datetime.date(2026, 3, 3)
RISK_TEXT = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "prohibited": N_("prohibited")}
GUARD_ACTION_TEXT = {
    "block": N_("blocks sending"),
    "redact": N_("replaced by a placeholder, restored after"),
    "allow": N_("sent as is"),
}

LANGUAGES = {"en": N_("English"), "zh": N_("Chinese (中文)")}


def input_key(template_id: str, field: str) -> str:
    return f"{KEEP}draft.in.{template_id}.{field}"


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:  # the entrypoint only shows this page to a signed-in user
        return
    page_header(_("Draft"), _("Fill in a template, add your sources and let the assistant write a first draft."))
    # always drawn, so the page below keeps its place in the element tree (Streamlit would otherwise redraw it
    # in the next run, closing any expander the user opens)
    progress = st.empty()
    just_saved = st.session_state.pop(GO_KEY, None)
    current = st.session_state.get(CURRENT_KEY)
    pending = st.session_state.pop(REFINE_KEY, None)
    if just_saved:
        # saved by the Generate button's callback: generate it now, then show it, in this same run
        generate_here(service, user, str(just_saved), progress)
    elif current and pending and pending[0] == current:
        refine_here(service, user, pending[1], pending[2], progress)
    show_flash()
    if current:
        draft_view(service, user, str(current))
    else:
        new_draft_form(service, user)


def flash(kind: str, message: str) -> None:
    flash_message(FLASH_KEY, kind, message)


def show_flash() -> None:
    show_flash_message(FLASH_KEY)


# --- the new-draft form -----------------------------------------------------------------------------


def _template_label(t: Template) -> str:
    language = _(LANGUAGES[t.language]) if t.language in LANGUAGES else t.language
    return f"{language} · {t.kind} · {t.title}"


def new_draft_form(service: DrafterService, user: str) -> None:
    templates = service.templates()  # sorted by language, then kind
    by_id = {t.id: t for t in templates}
    if not templates:
        st.error(_("No templates are installed; ask your administrator to add some to the templates folder."))
        return
    st.subheader(_("1. Template"))
    if st.session_state.get(TEMPLATE_KEY) not in by_id:
        st.session_state[TEMPLATE_KEY] = templates[0].id
    template_id = st.selectbox(
        _("Template"),
        list(by_id),
        key=kept(TEMPLATE_KEY),
        # labels made now, in this run's language (a format_func may be called later, outside the run)
        format_func={i: _template_label(t) for i, t in by_id.items()}.__getitem__,
        help=_("Templates are grouped by language and kind of document."),
    )
    template = by_id[str(template_id)]
    show_lang_text(template.description, template.language)
    st.caption(_("Audience: {audience} · Risk tier: {tier}", audience=md_escape(template.audience),
                 tier=_(RISK_TEXT.get(template.risk_tier.value, template.risk_tier.value))))

    # Sources first, then the details, the style and the backend with the sensitive-data check, then Generate.
    # The middle part is a fragment: committing a field re-runs only it (the fields and the check of what they
    # hold), not the page. Not a form: a form keeps what is typed in the browser until it is sent, so switching
    # to another page before pressing Generate would lose it.
    st.subheader(_("2. Sources"))
    sources_widget(service)
    # a container of its own per template: without it Streamlit kept the previous template's fields on screen
    with st.container(key=f"draft-details-{template.id}"):
        details_and_check(service, template, st.session_state.get(PROBLEMS_KEY, {}))
    st.button(_("Generate draft"), type="primary", on_click=_on_generate, args=(service, template, user))
    problems = st.session_state.get(PROBLEMS_KEY, {})
    if problems:
        st.error(ngettext("Fill in the required field marked above ({n} missing), then generate again.",
                          "Fill in the required fields marked above ({n} missing), then generate again.",
                          len(problems)))
    failed = st.session_state.pop(START_ERROR_KEY, None)
    if failed:
        st.error(md_safe(failed), icon=":material/error:")


@fragment
def details_and_check(service: DrafterService, template: Template, problems: dict[str, str]) -> None:
    st.subheader(_("3. Details"))
    st.caption(_("Fields marked (required) must be filled in."))
    for field in template.fields:
        field_widget(template.id, field, problems.get(field.name), template.language)
    st.subheader(_("4. Style and backend"))
    # kept as the widgets return them: inside the Generate callback Streamlit may hand over a select box's
    # value as it was shown ("offline (none)") rather than the option
    st.session_state[CHOSEN_KEY] = options_widget(service, template)
    guard_preview(service, form_request(service, template))


def field_widget(template_id: str, field: FieldSpec, problem: str | None, template_language: str = "en") -> None:
    key = input_key(template_id, field.name)
    if key not in st.session_state:
        st.session_state[key] = field.default or ""
    label = _("{label} (required)", label=field.label) if field.required else field.label
    help_text = field.help or None
    if field.type == "textarea":
        st.text_area(label, key=kept(key), help=help_text, height=100)
    elif field.type == "list":
        st.text_area(
            label,
            key=kept(key),
            help=help_text or _("One item per line."),
            placeholder=_("One item per line"),
            height=120,
        )
    elif field.type == "date":
        st.text_input(
            label,
            key=kept(key),
            help=help_text or _("The date as it should appear in the document."),
            placeholder=_("e.g. {date}", date=date_text(EXAMPLE_DATE, "zh" if template_language == "zh" else "en")),
        )
    else:
        st.text_input(label, key=kept(key), help=help_text)
    if problem:
        st.error(problem, icon=":material/error:")


def collect_inputs(template: Template) -> dict[str, str]:
    return {f.name: str(st.session_state.get(input_key(template.id, f.name), "")) for f in template.fields}


def form_request(service: DrafterService, template: Template) -> DraftRequest:
    """The request as the form's fields, style guide, backend and sources hold it now."""
    guide_id, backend = st.session_state.get(CHOSEN_KEY) or (template.default_style_guide, service.settings.backend)
    return DraftRequest(template_id=template.id, inputs=collect_inputs(template), sources=list(_sources().values()),
                        style_guide_id=str(guide_id), backend=str(backend))


@in_language
def _on_generate(service: DrafterService, template: Template, user: str) -> None:
    """Runs before the page is drawn: the field messages appear next to their fields, or the draft is saved and
    the page opens on it and generates it, in this one run."""
    problems = service.input_problems(template.id, collect_inputs(template))
    st.session_state[PROBLEMS_KEY] = problems
    if problems:
        return
    try:
        draft = service.start_draft(form_request(service, template), user)
    except DrafterError as exc:  # e.g. a refusal by the guard: said next to the button; the form keeps its text
        st.session_state[START_ERROR_KEY] = str(exc)
        return
    except Exception as exc:  # a bug: still one sentence, and nothing typed is lost
        st.session_state[START_ERROR_KEY] = _(
            "Something went wrong while {what} ({error}). Your work is saved; try again, and tell your "
            "administrator if it happens again.", what=_(N_("saving your request")), error=type(exc).__name__)
        return
    st.session_state[CURRENT_KEY] = draft.id
    st.session_state[GO_KEY] = draft.id


def _sources() -> dict[str, SourceDoc]:
    sources: dict[str, SourceDoc] = st.session_state.setdefault(SOURCES_KEY, {})
    return sources


def sources_widget(service: DrafterService) -> None:
    sources = _sources()
    seen: set[str] = st.session_state.setdefault(SEEN_UPLOADS_KEY, set())
    limit_mb = service.settings.max_source_bytes / 1_048_576
    uploads = st.file_uploader(
        _("Upload source documents (.docx, .txt, .md)"),
        type=service.upload_types(),
        accept_multiple_files=True,
        help=_("Up to {mb} MB each. Sources are quoted as data, never followed as instructions.",
               mb=f"{limit_mb:.0f}"),
    )
    for upload in uploads or []:
        if upload.file_id in seen:
            continue
        seen.add(upload.file_id)
        read = partial(service.add_source, upload.name, upload.getvalue())
        doc = attempt(N_("reading a source"), read)
        if doc is not None:
            sources[doc.name] = doc
    with st.expander(_("Paste a source instead")):
        st.text_input(
            _("Name of the pasted source"), key=kept(KEEP + "draft.paste_name"), placeholder=_("e.g. notes.txt")
        )
        st.text_area(_("Pasted text"), key=kept(KEEP + "draft.paste_text"), height=120)
        st.button(_("Add pasted source"), on_click=_add_pasted, args=(service,))
        problem = st.session_state.pop(PASTE_ERROR_KEY, None)
        if problem:
            st.error(md_safe(problem), icon=":material/error:")
    if sources:
        st.markdown(_("**Attached sources**"))
    else:
        st.caption(
            _("No sources attached. Without sources, sections that need facts are left for you to complete.")
        )
    for name, doc in list(sources.items()):
        cols = st.columns([5, 1])
        cols[0].markdown(f"**{md_escape(name)}** — {text_count(doc.text)}")
        cols[1].button(_("Remove"), key=f"remove-source-{name}", help=_("Remove {name}", name=name),
                       on_click=_remove_source, args=(name,))


def _remove_source(name: str) -> None:
    _sources().pop(name, None)


@in_language
def _add_pasted(service: DrafterService) -> None:
    """Runs before the page is drawn (so the list below shows the new source in the same run)."""
    name = str(st.session_state.get(KEEP + "draft.paste_name", "")).strip() or "pasted text"
    try:
        doc = service.add_source(name if name.endswith((".txt", ".md")) else f"{name}.txt",
                                  str(st.session_state.get(KEEP + "draft.paste_text", "")).encode("utf-8"))
    except DrafterError as exc:
        st.session_state[PASTE_ERROR_KEY] = str(exc)
        return
    if not doc.text.strip():
        st.session_state[PASTE_ERROR_KEY] = _("The pasted text is empty; paste the text of the source first.")
        return
    _sources()[doc.name] = doc
    st.session_state[KEEP + "draft.paste_text"] = ""  # a callback may empty the box it belongs to


def guide_key(template_id: str) -> str:
    return f"{KEEP}draft.guide.{template_id}"


def options_widget(service: DrafterService, template: Template) -> tuple[str, str]:
    guides = service.style_guides_for(template.id)
    guide_ids = [g.id for g in guides]
    key = guide_key(template.id)
    if st.session_state.get(key) not in guide_ids:
        st.session_state[key] = template.default_style_guide
    titles = {g.id: g.title for g in guides}
    guide_id = st.selectbox(_("Style guide"), guide_ids, key=kept(key), format_func=lambda g: titles[g])
    backend_name = backend_select(
        service, BACKEND_KEY,
        _("The offline backend uses no language model and sends nothing off this machine."),
    )
    return str(guide_id), str(backend_name)


@st.cache_data(show_spinner=False, max_entries=64)
def _scan(_service: DrafterService, text: str, backend: str | None) -> list[dict[str, Any]]:
    """Guard findings for one text, cached by content: scanning a large source on every rerun is wasteful."""
    report = _service.scan(text, backend)
    return [{**f.as_json(), "found": text[f.start : f.end]} for f in report.findings]


def guard_preview(service: DrafterService, request: DraftRequest) -> None:
    """What the sensitive-data guard will redact or block for this backend, before anything is sent."""
    try:
        policy = service.guard_policy(request.backend)
    except DrafterError:
        return
    template = service.template(request.template_id)
    labels = {f.name: f.label for f in template.fields}
    pieces = [(labels.get(k, k), v) for k, v in request.inputs.items() if v.strip()]
    pieces += [(_("source {name}", name=s.name), s.text) for s in request.sources]
    rows = []
    blocked = False
    for where, text in pieces:
        for f in _scan(service, text, request.backend):
            line = text.count("\n", 0, f["start"]) + 1
            rows.append({
                _("Where"): _("{where}, line {line}", where=where, line=line),
                _("What"): f.get("marking") or f["type"].replace("_", " ").lower(),
                _("Found"): f["found"] if len(f["found"]) <= 40 else f["found"][:37] + "…",
                _("What happens"): _(GUARD_ACTION_TEXT[f["action"]]),
            })
            blocked = blocked or f["action"] == "block"
    external = bool(backends(service).get(policy.backend, {}).get("external"))
    where = (_("sends text off this machine") if policy.personal_data != "allow" or external
             else _("runs on this machine"))
    st.markdown(_("**Sensitive-data check** for backend `{backend}` (cleared up to {clearance}; {where}).",
                  backend=md_escape(policy.backend), clearance=policy.clearance.value.replace("_", " "),
                  where=where))
    if not rows:
        st.caption(_("Nothing sensitive found in the fields or sources."))
    else:
        st.dataframe(rows, hide_index=True, width="stretch")
        if blocked:
            st.error(_("This request will be refused for this backend because of a classification marking. "
                       "Choose a backend cleared for it (the offline backend runs on this machine) or remove the "
                       "marked material."))
    if not service.scan("", request.backend).ner_available:
        st.caption(_("Names and postal addresses are found only after a label such as 'Contact:' (no name "
                     "recognition model is installed)."))


# --- generation ---------------------------------------------------------------------------------------


def generate_here(service: DrafterService, user: str, draft_id: str, progress: Any) -> None:
    """Generate a draft just saved, its progress shown in `progress` (an st.empty), emptied once it is written."""
    try:
        template = service.template(service.get_draft(draft_id).template_id)
    except DrafterError as exc:
        flash("error", str(exc))
        return
    with progress.container():
        generate_with_progress(service, user, draft_id, template)
    progress.empty()


def generate_with_progress(service: DrafterService, user: str, draft_id: str, template: Template) -> None:
    """Run generation with a progress bar and each section's text appearing as it is written."""
    headings = {s.id: s.heading for s in template.sections}
    total = len(template.sections)
    with st.status(_("Generating the draft…"), expanded=True) as status:
        bar = st.progress(0.0, text=_("Writing section 1 of {total}", total=total))
        slots: dict[str, Any] = {}
        texts: dict[str, str] = {}

        def on_token(section_id: str, piece: str) -> None:
            texts[section_id] = texts.get(section_id, "") + piece
            if section_id not in slots:
                slots[section_id] = st.empty()
            slots[section_id].markdown(
                f"**{md_escape(headings.get(section_id, section_id))}**\n\n" + md_escape(texts[section_id])
            )

        def on_section(done: int, total: int, section: Section) -> None:
            bar.progress(done / total, text=md_safe(_("{done} of {total} sections written (last: {heading})",
                                                      done=done, total=total, heading=section.heading)))

        try:
            service.generate(draft_id, user, on_section=on_section, on_token=on_token)
        except DrafterError as exc:
            status.update(label=_("Generation stopped"), state="error")
            flash(
                "error",
                _("{problem} Your inputs and the sections already written are saved; "
                  "press “Resume generation” to try again.", problem=str(exc)),
            )
        except Exception as exc:  # a bug must not lose work: the draft and inputs stay saved
            status.update(label=_("Generation stopped"), state="error")
            flash(
                "error",
                _("Generation stopped unexpectedly ({error}). Your inputs are saved; "
                  "press “Resume generation” to try again.", error=type(exc).__name__),
            )
        else:
            status.update(label=_("Draft generated"), state="complete", expanded=False)
            flash(
                "success",
                _("Draft generated. Check each section, edit what needs changing, then submit it for review."),
            )


# --- working on a draft -------------------------------------------------------------------------------


def draft_view(service: DrafterService, user: str, draft_id: str) -> None:
    draft = attempt(N_("loading the draft"), lambda: service.get_draft(draft_id))
    if draft is None:
        st.session_state.pop(CURRENT_KEY, None)
        st.button(_("Back to a new draft"))
        return
    show_heading(draft.title, draft.language, 2)
    st.markdown(
        _("**Status:** {status} · **Version:** {version} · **Author:** {author} · **Backend:** {backend}",
          status=status_label(draft), version=draft.version, author=md_escape(draft.author),
          backend=md_escape(draft.backend))
    )
    if draft.author != user:
        st.info(_("This draft belongs to {author}. If you edit it you can no longer approve it.",
                  author=md_safe(draft.author)))
    allowed = permissions(service, user, draft)
    if Action.resume in allowed:
        resume_panel(service, user, draft)
    latest = service.reviews(draft.id)[-1:] if draft.status == DraftStatus.changes_requested else []
    for review in latest:
        st.warning(md_safe(_("{reviewer} asked for changes: {comment}", reviewer=review.reviewer,
                             comment=review.comment)))
    st.caption(
        _("Each section shows where its text came from: AI-generated, AI-generated then edited by a person, "
          "or written by a person. The AI's original text is kept for the reviewer.")
    )
    found = attempt(N_("loading the checks"), lambda: service.findings(draft.id)) or []
    for section in draft.sections:
        section_card(service, user, draft, section, [f for f in found if f.section_id == section.id],
                     editable=Action.edit in allowed)
    citations_legend(draft)
    findings_panel(service, draft)
    actions(service, user, draft, allowed)


def resume_panel(service: DrafterService, user: str, draft: Draft) -> None:
    reason = f" ({md_safe(draft.error)})" if draft.error else ""
    st.warning(ngettext("Generation did not finish{reason}. {n} section is saved.",
                        "Generation did not finish{reason}. {n} sections are saved.",
                        len(draft.sections), reason=reason))
    st.button(_("Resume generation"), type="primary", on_click=st.session_state.__setitem__, args=(GO_KEY, draft.id))


def section_card(
    service: DrafterService, user: str, draft: Draft, section: Section, findings: list[Finding], *,
    editable: bool = True,
) -> None:
    with st.container(border=True):
        show_heading(section.heading, draft.language)
        origin_badge(section)
        if section.provenance.instruction:
            st.caption(_("Refined by instruction: “{instruction}”",
                         instruction=md_safe(section.provenance.instruction)))
        show_lang_text(section.text, draft.language)
        section_findings_note(findings)
        if not editable:
            return
        with st.expander(_("Edit “{heading}”", heading=md_safe(section.heading))):
            edit_box(service, user, draft, section, scope="draft",
                     label=_("Text of “{heading}”", heading=section.heading),
                     button=_("Save edit"), button_key=f"save-{draft.id}-{section.id}",
                     saved_message=_("Saved your edit to “{heading}”.", heading=section.heading), flash_key=FLASH_KEY)
        with st.expander(_("Refine “{heading}” with an instruction", heading=md_safe(section.heading))):
            ikey = f"{KEEP}draft.refine.{draft.id}.{section.id}"
            st.text_input(
                _("Instruction for “{heading}”", heading=section.heading), key=kept(ikey),
                placeholder=_("e.g. make it shorter"),
            )
            # refined at the top of the next run, before the draft is drawn (see refine_here)
            st.button(_("Refine"), key=f"refine-{draft.id}-{section.id}", on_click=st.session_state.__setitem__,
                      args=(REFINE_KEY, (draft.id, section.id, ikey)))
            problem = st.session_state.pop(ikey + ".error", None)
            if problem:
                st.error(md_safe(problem), icon=":material/error:")


def refine_here(service: DrafterService, user: str, section_id: str, ikey: str, progress: Any) -> None:
    """Refine a section as its Refine button asked, with a spinner in `progress` (an st.empty) meanwhile; the
    page then shows the refined draft in this same run."""
    draft_id = str(st.session_state.get(CURRENT_KEY))
    instruction = str(st.session_state.get(ikey, ""))
    try:
        heading = next((s.heading for s in service.get_draft(draft_id).sections if s.id == section_id), section_id)
    except DrafterError as exc:
        st.session_state[ikey + ".error"] = str(exc)
        return
    with progress.container(), st.spinner(md_safe(_("Rewriting “{heading}”…", heading=heading))):
        try:
            refined = service.refine_section(draft_id, section_id, instruction, user)
        except DrafterError as exc:
            st.session_state[ikey + ".error"] = str(exc)
            refined = None
        except Exception as exc:  # a bug: one sentence by the button, nothing lost
            st.session_state[ikey + ".error"] = _(
                "Something went wrong while {what} ({error}). Your work is saved; try again, and tell your "
                "administrator if it happens again.", what=_(N_("refining the section")), error=type(exc).__name__)
            refined = None
    progress.empty()
    if refined is not None:
        st.session_state[ikey] = ""  # not drawn yet in this run, so it may be emptied now
        flash("success", refined_message(refined, section_id))


def refined_message(draft: Draft, section_id: str) -> str:
    """What a refinement did, honestly: "AI-generated" only when a language model wrote the new text."""
    section = next(s for s in draft.sections if s.id == section_id)
    if section.provenance.language_model is False:
        return _("Rewrote “{heading}” by rule, without a language model (it only shortens, removes sentences, "
                 "makes lists or uses plain words); check it.", heading=section.heading)
    return _("Rewrote “{heading}”. The new text is AI-generated; check it.", heading=section.heading)


def findings_panel(service: DrafterService, draft: Draft) -> None:
    """The automatic checks on this draft: unsupported facts (blocking), style and readability."""
    findings_list(service, draft, allow_waive=False)


def actions(service: DrafterService, user: str, draft: Draft, allowed: Permissions) -> None:
    cols = st.columns(2)
    if Action.submit in allowed:
        cols[0].button(_("Submit for review"), type="primary", on_click=_submit, args=(service, user, draft.id))
    problem = st.session_state.pop(SUBMIT_ERROR_KEY, None)
    if problem:
        cols[0].error(md_safe(problem), icon=":material/error:")
    if draft.status == DraftStatus.in_review:
        cols[0].info(_("In review: any edit now returns the draft to you and withdraws it from review."))
    cols[1].button(_("Start a new draft"), on_click=st.session_state.pop, args=(CURRENT_KEY, None))


@in_language
def _submit(service: DrafterService, user: str, draft_id: str) -> None:
    """Runs before the page is drawn, so the page shows the submitted draft in the same run."""
    try:
        service.submit(draft_id, user)
    except DrafterError as exc:
        st.session_state[SUBMIT_ERROR_KEY] = str(exc)
        return
    flash("success", _("Submitted for review. A reviewer other than you will see it in their queue."))
