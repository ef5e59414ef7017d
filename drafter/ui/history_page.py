"""My drafts / history: status, versions with diffs, audit trail, export to .docx and its verification."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Protocol

import streamlit as st

from drafter.i18n import N_, _
from drafter.models import Draft
from drafter.review import Action
from drafter.roles import Role
from drafter.service import DrafterService
from drafter.ui import draft_page
from drafter.ui.common import (
    KEEP,
    attempt,
    current_user,
    get_service,
    has_role,
    kept,
    md_escape,
    md_safe,
    page_header,
    permissions,
    review_copy_download,
    show_diff,
    show_heading,
    show_lang_text,
    status_label,
    template_title,
    when,
)

SELECTED_KEY = KEEP + "history.selected"
SCOPE_KEY = KEEP + "history.scope"
EXPORT_KEY = "history.export."  # + draft id -> (file name, bytes, report, statement)
DRAFT_PAGE = str(Path(__file__).parent / "pages" / "draft.py")
SCOPE_TEXT = {"mine": N_("My drafts"), "everyone": N_("Everyone's drafts")}


class Verification(Protocol):
    """What this page shows of the service's verification of a .docx (`DrafterService.verify_file`)."""

    @property
    def ok(self) -> bool: ...
    @property
    def problems(self) -> list[str]: ...
    @property
    def label(self) -> str | None: ...
    @property
    def aigc(self) -> dict[str, Any] | None: ...
    @property
    def content_matches(self) -> bool: ...
    @property
    def body_unchanged(self) -> bool: ...


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    page_header(_("My drafts"), _("The status and history of your drafts; export approved drafts to Word."))
    everyone = False
    if has_role(service, user, Role.admin):
        everyone = (
            st.radio(_("Show"), ["mine", "everyone"], key=kept(SCOPE_KEY), horizontal=True,
                     format_func={v: _(text) for v, text in SCOPE_TEXT.items()}.__getitem__)
            == "everyone"
        )
    drafts = service.list_drafts(author=None if everyone else user)
    drafts.sort(key=lambda d: d.updated_at, reverse=True)
    if not drafts:
        st.info(_("You have no drafts yet. Start one on the Draft page."))
    else:
        st.table(
            [
                {
                    _("Title"): md_safe(d.title),  # st.table renders Markdown
                    _("Status"): status_label(d),
                    _("Version"): d.version,
                    _("Author"): md_safe(d.author),
                    _("Last change"): _("{when} UTC", when=when(d.updated_at)),
                }
                for d in drafts
            ]
        )
        by_id = {d.id: d for d in drafts}
        if st.session_state.get(SELECTED_KEY) not in by_id:
            st.session_state[SELECTED_KEY] = drafts[0].id
        chosen = st.selectbox(
            _("Draft"),
            list(by_id),
            key=kept(SELECTED_KEY),
            format_func={i: f"{d.title} — {status_label(d)}" for i, d in by_id.items()}.__getitem__,
        )
        draft_detail(service, user, by_id[str(chosen)])
    verify_upload(service)


def draft_detail(service: DrafterService, user: str, draft: Draft) -> None:
    show_heading(draft.title, draft.language, 2)
    st.markdown(
        _("**Status:** {status} · **Version:** {version} · **Author:** {author} · **Template:** {template}",
          status=status_label(draft), version=draft.version, author=md_escape(draft.author),
          template=md_escape(template_title(service, draft.template_id)))
    )
    for review in service.reviews(draft.id):
        note = f": {review.comment}" if review.comment else ""
        moment = _("{when} UTC", when=when(review.created_at))
        text = (_("{reviewer} approved on {when}{note}", reviewer=review.reviewer, when=moment, note=note)
                if review.decision == "approved" else
                _("{reviewer} asked for changes on {when}{note}", reviewer=review.reviewer, when=moment, note=note))
        st.markdown(md_escape(text))
    if st.button(_("Open in the Draft page"), key=f"open-{draft.id}"):
        st.session_state[draft_page.CURRENT_KEY] = draft.id
        st.switch_page(DRAFT_PAGE)
    export_tab, versions_tab, audit_tab = st.tabs([_("Export"), _("Versions"), _("Audit trail")])
    with export_tab:
        export_panel(service, user, draft)
        review_copy_panel(service, user, draft)
    with versions_tab:
        versions_panel(service, draft)
    with audit_tab:
        audit_panel(service, draft)


def export_panel(service: DrafterService, user: str, draft: Draft) -> None:
    if Action.export not in permissions(service, user, draft):
        st.info(
            _("This draft's status is: {status}. It can be exported once a reviewer approves it.",
              status=status_label(draft))
        )
        return
    key = EXPORT_KEY + draft.id
    if st.button(_("Export to Word (.docx)"), type="primary", key=f"export-{draft.id}"):
        with st.spinner(_("Writing and verifying the document…")):
            result = attempt(N_("exporting"), lambda: _export(service, user, draft))
        if result is not None:
            st.session_state[key] = result
    exported = st.session_state.get(key)
    if not exported:
        return
    name, data, report, statement = exported
    st.download_button(
        _("Download the .docx"),
        data=data,
        file_name=name,
        key=f"download-{draft.id}",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    pdf_panel(service, user, draft)
    st.markdown(_("**AI-use statement in the document:**"))
    show_lang_text(statement, draft.language)
    show_verification(report)


def review_copy_panel(service: DrafterService, user: str, draft: Draft) -> None:
    """A review copy for Word, at any status once the draft is written (as on the review page)."""
    st.markdown("**" + _("Review in Word") + "**")
    if not draft.written:
        st.caption(_("A review copy can be made once the draft is written."))
        return
    st.caption(
        _("The review copy shows a person's changes to the AI text as tracked changes, with comments on AI "
          "passages, quotations and open findings. It is not the labelled export and carries no approval; a "
          "reviewer uploads it back on the Review page.")
    )
    review_copy_download(service, user, draft, key=f"history-review-copy-{draft.id}")


def _export(service: DrafterService, user: str, draft: Draft) -> tuple[str, bytes, Verification, str]:
    name = service.export_file_name(draft.id)
    with tempfile.TemporaryDirectory(prefix="drafter-export-") as folder:
        path = Path(folder) / name
        result = service.export(draft.id, path, user)
        report = service.verify_file(path)
        return name, path.read_bytes(), report, result.label_statement


def pdf_panel(service: DrafterService, user: str, draft: Draft) -> None:
    """A PDF made by LibreOffice from a new labelled export, beside the .docx download (drafter.export.pdf)."""
    key = EXPORT_KEY + "pdf-" + draft.id
    if st.button(_("Make a PDF"), key=f"export-pdf-{draft.id}"):
        with st.spinner(_("Converting the document to PDF with LibreOffice…")):
            made = attempt(N_("exporting to PDF"), lambda: _export_pdf(service, user, draft))
        if made is not None:
            st.session_state[key] = made
    made = st.session_state.get(key)
    if made:
        name, data, report = made
        st.download_button(_("Download the PDF"), data=data, file_name=name, key=f"download-pdf-{draft.id}",
                           mime="application/pdf")
        if not report.ok:
            show_verification(report)


def _export_pdf(service: DrafterService, user: str, draft: Draft) -> tuple[str, bytes, Verification]:
    name = str(Path(service.export_file_name(draft.id)).with_suffix(".pdf"))
    with tempfile.TemporaryDirectory(prefix="drafter-export-") as folder:
        path = Path(folder) / name
        service.export_pdf(draft.id, path, user)
        return name, path.read_bytes(), service.verify_file(path)


def show_verification(report: Verification) -> None:
    if report.ok:
        st.success(
            _("Verified: the file carries its AI-use label and metadata, and its text matches the approved "
              "content."),
            icon=":material/verified:",
        )
    else:
        st.error(md_safe(_("Verification failed: {problems}", problems=" ".join(report.problems))))
    present, missing, yes, no = _("present"), _("missing"), _("yes"), _("no")
    check, result = _("Check"), _("Result")
    rows: list[dict[str, Any]] = [
        {check: _("Visible AI-use statement"), result: present if report.label else missing},
        {check: _("AIGC metadata"), result: present if report.aigc else missing},
        {check: _("Text matches the approved hash"), result: yes if report.content_matches else no},
        {check: _("Body unchanged since export"), result: yes if report.body_unchanged else no},
    ]
    st.table(rows)


def versions_panel(service: DrafterService, draft: Draft) -> None:
    versions = service.versions(draft.id)
    if not versions:
        st.write(_("No versions recorded."))
        return
    st.table(
        [
            {
                _("Version"): v["version"],
                _("By"): md_safe(v["actor"]),
                _("What"): v["reason"],
                _("When"): when(v["created_at"]),
            }
            for v in versions
        ]
    )
    numbers = [v["version"] for v in versions]
    if len(numbers) < 2:
        return
    cols = st.columns(2)
    before_n = cols[0].selectbox(_("Compare version"), numbers, index=len(numbers) - 2, key=f"from-{draft.id}")
    after_n = cols[1].selectbox(_("with version"), numbers, index=len(numbers) - 1, key=f"to-{draft.id}")
    by_n = {v["version"]: v for v in versions}
    before = {s.id: s for s in by_n[before_n]["sections"]}
    after = {s.id: s for s in by_n[after_n]["sections"]}
    for sid in dict.fromkeys([*before, *after]):
        heading = (after.get(sid) or before[sid]).heading
        old = before[sid].text if sid in before else ""
        new = after[sid].text if sid in after else ""
        st.markdown(f"**{md_escape(heading)}**")
        show_diff(old, new, caption=_("Version {before} → {after}", before=before_n, after=after_n))


def audit_panel(service: DrafterService, draft: Draft) -> None:
    events = service.audit_trail(draft.id)
    st.table(
        [
            {
                "#": e.seq,
                _("When"): f"{when(e.at, time=False)} {e.at:%H:%M:%S}",
                _("Who"): md_safe(e.actor),
                _("What"): e.action,
                _("Details"): md_safe(json.dumps(e.details, ensure_ascii=False, default=str)[:200]),
            }
            for e in events
        ]
    )
    count, problem = service.verify_audit()
    if problem:
        st.error(md_safe(_("The audit log failed verification: {problem}", problem=problem)))
    else:
        st.caption(_("The whole audit log ({count} events) verifies: no event was changed or removed.", count=count))


def verify_upload(service: DrafterService) -> None:
    st.subheader(_("Check a document"))
    upload = st.file_uploader(
        _("Upload an exported .docx to check its label and content"), type=["docx", "pdf"], key="history.verify"
    )
    if upload is None:
        return
    with tempfile.TemporaryDirectory(prefix="drafter-verify-") as folder:
        path = Path(folder) / "upload.docx"
        path.write_bytes(upload.getvalue())
        report = attempt(N_("checking the document"), lambda: service.verify_file(path))
    if report is not None:
        show_verification(report)
