"""Review queue: drafts waiting for me (not my own), AI passages highlighted, diffs, checklist, decision."""

from __future__ import annotations

import html

import streamlit as st

from drafter.errors import DrafterError
from drafter.i18n import N_, _, ngettext
from drafter.models import Checklist, Citation, Draft, DraftStatus, Finding, Origin, Section
from drafter.roles import Role
from drafter.service import DrafterService
from drafter.ui.common import (
    KEEP,
    attempt,
    citations_legend,
    current_user,
    findings_list,
    get_service,
    has_role,
    highlighted_paragraphs,
    html_lang,
    kept,
    md_escape,
    md_safe,
    origin_badge,
    page_header,
    review_copy_download,
    section_findings_note,
    show_diff,
    show_heading,
    status_text,
    template_title,
    text_lang,
    when,
)
from drafter.ui.language import in_language

SELECTED_KEY = KEEP + "review.selected"
DECISION_ERROR_KEY = "review.decision_error"
FLASH_KEY = "review.flash"
# an AI passage: a left rule and a pale background, with dark text well above AA contrast
AI_STYLE = (
    "background:#fff4d6;color:#1f1f1f;border-left:4px solid #8a5a00;padding:0.5rem 0.75rem;margin:0.25rem 0"
)


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    page_header(
        _("Review queue"), _("Drafts waiting for a reviewer, oldest first. You never see your own drafts here.")
    )
    if not has_role(service, user, Role.reviewer):
        st.warning(
            _("You do not have the reviewer role, so there is nothing for you to review. "
              "Ask your administrator if you should review drafts.")
        )
        return
    slot = st.container()  # same place every run, so the page keeps its shape when the message goes
    item = st.session_state.pop(FLASH_KEY, None)
    if item:
        (slot.success if item[0] == "success" else slot.error)(md_safe(item[1]))
    own = service.list_drafts(author=user, status=DraftStatus.in_review.value)
    if own:
        st.info(
            ngettext("{n} of your own drafts is in review. You cannot approve your own work: "
                     "another person must review it.",
                     "{n} of your own drafts are in review. You cannot approve your own work: "
                     "another person must review it.", len(own))
        )
    queue = service.review_queue(user)
    if not queue:
        st.info(_("Nothing is waiting for your review."))
        return
    by_id = {d.id: d for d in queue}
    if st.session_state.get(SELECTED_KEY) not in by_id:
        st.session_state[SELECTED_KEY] = queue[0].id
    chosen = st.selectbox(
        _("Draft to review ({n} waiting)", n=len(queue)),
        list(by_id),
        key=kept(SELECTED_KEY),
        format_func={i: _("{title} — by {author}, {when} UTC", title=d.title, author=d.author,
                          when=when(d.created_at)) for i, d in by_id.items()}.__getitem__,
    )
    review_draft(service, user, by_id[str(chosen)])


def review_draft(service: DrafterService, user: str, draft: Draft) -> None:
    show_heading(draft.title, draft.language, 2)
    st.markdown(
        _("**Author:** {author} · **Version:** {version} · **Template:** {template} · **Backend:** {backend}",
          author=md_escape(draft.author), version=draft.version,
          template=md_escape(template_title(service, draft.template_id)), backend=md_escape(draft.backend))
    )
    for previous in service.reviews(draft.id):
        text = (_("Earlier: {reviewer} approved on {day}: {comment}", reviewer=previous.reviewer,
                  day=when(previous.created_at, time=False), comment=previous.comment)
                if previous.decision == "approved" else
                _("Earlier: {reviewer} asked for changes on {day}: {comment}", reviewer=previous.reviewer,
                  day=when(previous.created_at, time=False), comment=previous.comment))
        st.caption(md_safe(text))
    ai = sum(1 for s in draft.sections if s.provenance.origin != Origin.human)
    st.markdown(
        _("{ai} of {total} sections come from the AI. AI passages are shaded with a rule on the left; where a "
          "person changed the AI text, the changes are shown below the section.", ai=ai, total=len(draft.sections))
    )
    found = attempt(N_("loading the checks"), lambda: service.findings(draft.id)) or []
    for section in draft.sections:
        mine = [f for f in found if f.section_id == section.id]
        review_section(section, mine, draft.language)
        section_findings_note(mine)
    citations_legend(draft)
    findings_panel(service, draft)
    with st.expander(_("Sources ({n})", n=len(draft.request.sources))):
        if not draft.request.sources:
            st.write(_("This draft has no sources."))
        for source in draft.request.sources:
            st.markdown(f"**{md_escape(source.name)}**")
            st.text(source.text)
    word_review_panel(service, user, draft)
    decision_form(service, user, draft)


def word_review_panel(service: DrafterService, user: str, draft: Draft) -> None:
    """Review in Word: download a review copy; upload the reviewed file, see what it changes, then apply."""
    with st.expander(_("Review in Word")):
        st.caption(
            _("The review copy shows a person's changes to the AI text as tracked changes, with comments on AI "
              "passages and open findings. It is not the labelled export and carries no approval. Upload it "
              "after review: you see what it changes before anything is applied.")
        )
        review_copy_download(service, user, draft, key=f"review-copy-{draft.id}")
        upload = st.file_uploader(_("Reviewed copy (.docx)"), type=["docx"], key=f"review-upload-{draft.id}")
        if upload is None:
            return
        data = upload.getvalue()
        summary = attempt(N_("reading the reviewed copy"),
                          lambda: service.import_review(draft.id, data, user, apply=False))
        if summary is None:
            return
        changed = summary.changed_sections
        st.markdown("**" + _("Sections that change: {changed}; comments: {comments}.", changed=len(changed),
                             comments=len(summary.comments)) + "**")
        for change in changed:
            st.markdown(f"**{md_escape(change.heading)}**")
            show_diff(change.old_text, change.new_text, caption=_("Changes in the reviewed copy"))
            st.text(change.new_text)
        for comment in summary.comments:
            who = md_escape(comment.author or _("an unnamed reviewer"))
            st.caption(_("Comment by {who} on “{anchor}”:", who=who, anchor=md_escape(comment.anchor)))
            st.text(comment.text)
        if not changed and not summary.comments:
            return
        if st.button(_("Apply the reviewed changes"), key=f"review-apply-{draft.id}"):
            done = attempt(N_("applying the reviewed copy"),
                           lambda: service.import_review(draft.id, data, user, apply=True))
            if done is not None:
                st.session_state[FLASH_KEY] = (
                    "success",
                    _("Applied the reviewed copy as {user} (sections changed: {changed}; comments: {comments}); "
                      "“{title}” is now: {status}.", user=user, changed=len(changed), comments=len(summary.comments),
                      title=draft.title, status=status_text(done.status)),
                )
                st.rerun()


def review_section(section: Section, findings: list[Finding], language: str = "en") -> None:
    with st.container(border=True):
        show_heading(section.heading, language)
        origin_badge(section)
        paragraphs = highlighted_paragraphs(section.text, findings)
        lang = html_lang(text_lang(language))  # the passage's own language, whatever the interface's
        if section.provenance.origin == Origin.human:
            st.html(f'<div lang="{lang}">{paragraphs}</div>')
        else:
            label = html.escape(_("AI-generated passage"))
            st.html(f'<div role="region" style="{AI_STYLE}" aria-label="{label}"><div lang="{lang}">{paragraphs}'
                    "</div></div>")
        ai_text = section.provenance.ai_text
        if section.provenance.origin == Origin.ai_edited and ai_text is not None:
            show_diff(ai_text, section.text, caption=_("Changes a person made to the AI text"))
        if section.provenance.instruction:
            st.caption(_("Rewritten by the AI on the instruction: “{instruction}”",
                         instruction=md_safe(section.provenance.instruction)))
        evidence_view(section)


def sentence_evidence(section: Section) -> list[Citation]:
    """The per-sentence evidence a model gave for this section, for the sentences still in its text."""
    flat = " ".join(section.text.split())
    return [c for c in section.citations
            if c.verified is not None and c.sentence.strip() and " ".join(c.sentence.split()) in flat]


def evidence_view(section: Section) -> None:
    """Each sentence a model wrote with its evidence: the source passage and paragraph, or that it was not found."""
    rows = sentence_evidence(section)
    if not rows:
        return
    found = sum(1 for c in rows if c.verified)
    label = _("Evidence for each sentence ({found} of {total} found in the sources)", found=found, total=len(rows))
    with st.expander(label):
        for c in rows:
            verdict = _("Found") if c.verified else _("Not found")  # outside the f-string, where Babel finds it
            st.markdown(f"**{verdict}**: {md_escape(c.sentence)}")
            if c.verified:
                where = _("Source [{n}] {name}, paragraph {paragraph}", n=c.marker, name=c.source,
                          paragraph=c.paragraph if c.paragraph is not None else "?")
                st.caption(md_safe(f"{where}: “{c.quote or c.evidence}”"))
            elif c.source:
                st.caption(md_safe(_("The passage given as evidence is not in source [{n}] {name}: “{passage}”",
                                     n=c.marker, name=c.source, passage=c.evidence)))
            else:
                st.caption(md_safe(_("The evidence names source [{n}], which was not supplied: “{passage}”",
                                     n=c.marker, passage=c.evidence)))


def findings_panel(service: DrafterService, draft: Draft) -> None:
    """Check findings with a waiver form for each open blocking one (a written reason is required)."""
    findings_list(service, draft, allow_waive=True)


def decision_form(service: DrafterService, user: str, draft: Draft) -> None:
    st.subheader(_("Your decision"))
    seen_key = f"review.seen.{draft.id}"
    st.session_state.setdefault(seen_key, draft.version)  # the version the reviewer is looking at
    prefix = f"{KEEP}review.{draft.id}."
    st.checkbox(_("I checked the facts against the sources"), key=kept(prefix + "facts"))
    st.checkbox(
        _("The draft contains no sensitive data that should not be there"), key=kept(prefix + "sensitive")
    )
    st.checkbox(_("The AI-use label (which sections are AI-generated) is accurate"), key=kept(prefix + "label"))
    st.text_area(_("Comment (required when you request changes)"), key=kept(prefix + "comment"), height=100)
    cols = st.columns(2)
    # the decisions run in the buttons' callbacks, before the page is drawn: one run per click
    cols[0].button(_("Approve"), type="primary", key=f"approve-{draft.id}", on_click=_decide,
                   args=(service, user, draft, "approve"))
    cols[1].button(_("Request changes"), key=f"changes-{draft.id}", on_click=_decide,
                   args=(service, user, draft, "changes"))
    problem = st.session_state.pop(DECISION_ERROR_KEY, None)
    if problem:
        st.error(md_safe(problem), icon=":material/error:")


@in_language
def _decide(service: DrafterService, user: str, draft: Draft, decision: str) -> None:
    seen_key = f"review.seen.{draft.id}"
    seen = int(st.session_state.get(seen_key, draft.version))
    prefix = f"{KEEP}review.{draft.id}."
    comment = str(st.session_state.get(prefix + "comment", ""))
    try:
        if decision == "approve":
            checklist = Checklist(
                facts_checked=bool(st.session_state.get(prefix + "facts")),
                no_sensitive_data=bool(st.session_state.get(prefix + "sensitive")),
                label_accurate=bool(st.session_state.get(prefix + "label")),
            )
            service.approve(draft.id, user, checklist, comment=comment, expected_version=seen)
            message = _("Approved “{title}”. The author can now export it.", title=draft.title)
        else:
            service.request_changes(draft.id, user, comment)
            message = _("Sent “{title}” back to {author} with your comment.", title=draft.title, author=draft.author)
    except DrafterError as exc:
        # refused (its sentence is shown by the buttons); from now on the reviewer is looking at the current version
        st.session_state[DECISION_ERROR_KEY] = str(exc)
        st.session_state[seen_key] = _current_version(service, draft)
        return
    except Exception as exc:  # a bug: one sentence, nothing lost
        st.session_state[DECISION_ERROR_KEY] = _(
            "Something went wrong while {what} ({error}). Your work is saved; try again, and tell your "
            "administrator if it happens again.",
            what=_(N_("approving") if decision == "approve" else N_("requesting changes")), error=type(exc).__name__)
        return
    st.session_state.pop(seen_key, None)
    st.session_state[FLASH_KEY] = ("success", message)


def _current_version(service: DrafterService, draft: Draft) -> int:
    try:
        return service.get_draft(draft.id).version
    except DrafterError:
        return draft.version
