"""My drafts / history: status, versions with diffs, audit trail, export to .docx and its verification."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Protocol

import streamlit as st

from drafter.i18n import _
from drafter.models import Draft, DraftStatus
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
    show_diff,
    status_label,
)

SELECTED_KEY = KEEP + "history.selected"
SCOPE_KEY = KEEP + "history.scope"
EXPORT_KEY = "history.export."  # + draft id -> (file name, bytes, report, statement)
DRAFT_PAGE = str(Path(__file__).parent / "pages" / "draft.py")


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
    page_header("My drafts", "The status and history of your drafts; export approved drafts to Word.")
    everyone = False
    if has_role(service, user, Role.admin):
        everyone = (
            st.radio("Show", ["My drafts", "Everyone's drafts"], key=kept(SCOPE_KEY), horizontal=True)
            != "My drafts"
        )
    drafts = service.list_drafts(author=None if everyone else user)
    drafts.sort(key=lambda d: d.updated_at, reverse=True)
    if not drafts:
        st.info("You have no drafts yet. Start one on the Draft page.")
    else:
        st.table(
            [
                {
                    "Title": md_safe(d.title),  # st.table renders Markdown
                    "Status": status_label(d),
                    "Version": d.version,
                    "Author": md_safe(d.author),
                    "Last change": f"{d.updated_at:%d %b %Y %H:%M} UTC",
                }
                for d in drafts
            ]
        )
        by_id = {d.id: d for d in drafts}
        if st.session_state.get(SELECTED_KEY) not in by_id:
            st.session_state[SELECTED_KEY] = drafts[0].id
        chosen = st.selectbox(
            "Draft",
            list(by_id),
            key=kept(SELECTED_KEY),
            format_func=lambda i: f"{by_id[i].title} — {status_label(by_id[i])}",
        )
        draft_detail(service, user, by_id[str(chosen)])
    verify_upload(service)


def draft_detail(service: DrafterService, user: str, draft: Draft) -> None:
    st.subheader(md_safe(draft.title))
    st.markdown(
        f"**Status:** {status_label(draft)} · **Version:** {draft.version} · "
        f"**Author:** {md_escape(draft.author)} · **Template:** {md_escape(draft.template_id)}"
    )
    for review in service.reviews(draft.id):
        verdict = "approved" if review.decision == "approved" else "asked for changes"
        note = f": {review.comment}" if review.comment else ""
        st.markdown(md_escape(f"{review.reviewer} {verdict} on {review.created_at:%d %b %Y %H:%M} UTC{note}"))
    if st.button("Open in the Draft page", key=f"open-{draft.id}"):
        st.session_state[draft_page.CURRENT_KEY] = draft.id
        st.switch_page(DRAFT_PAGE)
    export_tab, versions_tab, audit_tab = st.tabs(["Export", "Versions", "Audit trail"])
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
            f"This draft is {status_label(draft).lower()}. It can be exported once a reviewer approves it."
        )
        return
    key = EXPORT_KEY + draft.id
    if st.button("Export to Word (.docx)", type="primary", key=f"export-{draft.id}"):
        with st.spinner("Writing and verifying the document…"):
            result = attempt("exporting", lambda: _export(service, user, draft))
        if result is not None:
            st.session_state[key] = result
    exported = st.session_state.get(key)
    if not exported:
        return
    name, data, report, statement = exported
    st.download_button(
        "Download the .docx",
        data=data,
        file_name=name,
        key=f"download-{draft.id}",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    pdf_panel(service, user, draft)
    st.markdown("**AI-use statement in the document:**")
    st.markdown(md_escape(statement))
    show_verification(report)


def review_copy_panel(service: DrafterService, user: str, draft: Draft) -> None:
    """A review copy for Word, at any status once the draft is written (as on the review page)."""
    st.markdown("**" + _("Review in Word") + "**")
    if draft.status in (DraftStatus.generating, DraftStatus.failed) or not draft.sections:
        st.caption(_("A review copy can be made once the draft is written."))
        return
    st.caption(
        _("The review copy shows a person's changes to the AI text as tracked changes, with comments on AI "
          "passages, quotations and open findings. It is not the labelled export and carries no approval; a "
          "reviewer uploads it back on the Review page.")
    )
    st.download_button(
        _("Download review copy"),
        data=lambda: service.review_copy_bytes(draft.id, user),
        file_name=f"review-copy-{draft.id}-v{draft.version}.docx",
        key=f"history-review-copy-{draft.id}",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
    )


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
            made = attempt("exporting to PDF", lambda: _export_pdf(service, user, draft))
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
            "Verified: the file carries its AI-use label and metadata, and its text matches the approved "
            "content.",
            icon=":material/verified:",
        )
    else:
        st.error("Verification failed: " + " ".join(report.problems))
    rows: list[dict[str, Any]] = [
        {"Check": "Visible AI-use statement", "Result": "present" if report.label else "missing"},
        {"Check": "AIGC metadata", "Result": "present" if report.aigc else "missing"},
        {"Check": "Text matches the approved hash", "Result": "yes" if report.content_matches else "no"},
        {"Check": "Body unchanged since export", "Result": "yes" if report.body_unchanged else "no"},
    ]
    st.table(rows)


def versions_panel(service: DrafterService, draft: Draft) -> None:
    versions = service.versions(draft.id)
    if not versions:
        st.write("No versions recorded.")
        return
    st.table(
        [
            {
                "Version": v["version"],
                "By": md_safe(v["actor"]),
                "What": v["reason"],
                "When": f"{v['created_at']:%d %b %Y %H:%M}",
            }
            for v in versions
        ]
    )
    numbers = [v["version"] for v in versions]
    if len(numbers) < 2:
        return
    cols = st.columns(2)
    before_n = cols[0].selectbox("Compare version", numbers, index=len(numbers) - 2, key=f"from-{draft.id}")
    after_n = cols[1].selectbox("with version", numbers, index=len(numbers) - 1, key=f"to-{draft.id}")
    by_n = {v["version"]: v for v in versions}
    before = {s.id: s for s in by_n[before_n]["sections"]}
    after = {s.id: s for s in by_n[after_n]["sections"]}
    for sid in dict.fromkeys([*before, *after]):
        heading = (after.get(sid) or before[sid]).heading
        old = before[sid].text if sid in before else ""
        new = after[sid].text if sid in after else ""
        st.markdown(f"**{md_escape(heading)}**")
        show_diff(old, new, caption=f"Version {before_n} → {after_n}")


def audit_panel(service: DrafterService, draft: Draft) -> None:
    events = service.audit_trail(draft.id)
    st.table(
        [
            {
                "#": e.seq,
                "When": f"{e.at:%d %b %Y %H:%M:%S}",
                "Who": md_safe(e.actor),
                "What": e.action,
                "Details": md_safe(json.dumps(e.details, ensure_ascii=False, default=str)[:200]),
            }
            for e in events
        ]
    )
    count, problem = service.verify_audit()
    if problem:
        st.error(f"The audit log failed verification: {problem}")
    else:
        st.caption(f"The whole audit log ({count} events) verifies: no event was changed or removed.")


def verify_upload(service: DrafterService) -> None:
    st.subheader("Check a document")
    upload = st.file_uploader(
        "Upload an exported .docx to check its label and content", type=["docx", "pdf"], key="history.verify"
    )
    if upload is None:
        return
    with tempfile.TemporaryDirectory(prefix="drafter-verify-") as folder:
        path = Path(folder) / "upload.docx"
        path.write_bytes(upload.getvalue())
        report = attempt("checking the document", lambda: service.verify_file(path))
    if report is not None:
        show_verification(report)
