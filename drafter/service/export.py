"""Export of an approved draft to a labelled .docx, verification of a file, and the label's wording."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter import review as rules
from drafter import signing
from drafter.checks import runner as checks
from drafter.errors import ConversionError, DrafterError, InputError, shown
from drafter.gongwen import GongwenIssue
from drafter.gongwen import check_document as check_gongwen
from drafter.i18n import lazy
from drafter.labeling import build_label
from drafter.models import (
    Checklist,
    Draft,
    DraftRequest,
    DraftStatus,
    Origin,
    Provenance,
    Review,
    Section,
    utcnow,
)
from drafter.service.audit_signing import AuditSigning

if TYPE_CHECKING:
    from drafter.export.verify import VerifyReport

log = logging.getLogger("drafter.service")
# python-docx and lxml load when a document is first written or read, not when the service is imported
# (`drafter templates` and `drafter --help` stay light).


@dataclass(frozen=True)
class ExportResult:
    path: Path
    label_statement: str
    produce_id: str
    content_sha256: str
    docx_path: Path | None = None  # a PDF export: the labelled .docx it was made from, written beside it


class ExportUseCases(AuditSigning):
    def export(self, draft_id: str, output: Path, user: str, *, include_original: bool = False) -> ExportResult:
        """Write the approved draft to .docx; `include_original` adds each simplified section's source text.

        The export is recorded before the file appears: the document is written to a temporary file beside
        `output`, the signed `exported` event is appended, then the file is renamed into place. A failed rename is
        recorded as `export_failed`; if the event cannot be recorded, no file appears.
        """
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        with self._audited(user, "export", draft_id):
            approval = rules.check_export(draft, self.store.latest_approval(draft_id))
            history = self.store.audit_events(draft_id)
            rules.check_approval_recorded(draft, approval, history, self.store.verify_draft_events(draft_id))
            self._check_signed_approval(draft, approval, history)
        from drafter.export.docx_writer import build_document, check_writable
        from drafter.export.signature import sign_document

        check_writable(output)
        template = self.catalog.template(draft.template_id)
        label = build_label(
            draft, approval, system=self.settings.system_name, organisation=self.settings.organisation,
            exported_by=user, exported_at=utcnow(), findings=self._current_findings(draft),
        )
        guide = self.catalog.style_guides.get(draft.style_guide_id)
        doc = build_document(draft, template, label, include_original=include_original, guide=guide,
                             house_styles_dir=self.settings.house_styles_dir)
        sign_document(doc, self.signing_key())
        produce_id = label.aigc["AIGC"]["ProduceID"]
        content = draft.content_sha256  # hashes the whole draft: once
        tmp = self._write_temporary(doc, output)
        try:
            self.store.append_audit(
                user, "exported", draft_id,
                {"path": str(output), "produce_id": produce_id, "content_sha256": content,
                 "label": label.statement, "checks_run": checks.checks_run(draft, template),
                 **self._signed({"action": "exported", "draft_id": draft_id, "content_sha256": content,
                                 "exported_by": user, "produce_id": produce_id, "path": str(output)})},
            )
        except BaseException:
            tmp.unlink(missing_ok=True)  # not recorded, so it never appears
            raise
        try:
            os.replace(tmp, output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            reason = exc.strerror or str(exc)
            self.store.append_audit(user, "export_failed", draft_id,
                                    {"path": str(output), "produce_id": produce_id, "reason": reason})
            raise InputError(
                "Could not write {output}: {reason}. Nothing was exported (recorded as a failed export).",
                output=output, reason=reason,
            ) from exc
        self._anchor_after("exported")
        log.info("exported", extra={"draft_id": draft_id, "action": "export"})
        return ExportResult(output, label.statement, produce_id, content)

    def export_pdf(self, draft_id: str, output: Path, user: str, *, include_original: bool = False) -> ExportResult:
        """Write the labelled .docx beside `output` (same name, .docx), then the PDF made from it by LibreOffice.

        The PDF carries the visible statement (it is in the .docx) and, written with pypdf, the label and
        provenance in its document information and XMP, signed over its text and drawing
        (drafter.export.pdf). Like the .docx, the PDF export is recorded before the file appears. Without
        LibreOffice, or if it fails, a ConversionError (exit 3) says so; the .docx is written and recorded.
        """
        from drafter.export.docx_writer import check_writable
        from drafter.export.libreoffice import convert_to_pdf, find_soffice
        from drafter.export.pdf import PdfLabel, label_pdf
        from drafter.export.properties import get_custom_properties

        pdf_path, docx_path = output.with_suffix(".pdf"), output.with_suffix(".docx")
        check_writable(docx_path)  # the PDF's folder and permissions are the .docx's
        if pdf_path.exists() and not os.access(pdf_path, os.W_OK):
            raise InputError("Cannot write to {path}: permission denied.", path=str(pdf_path))
        result = self.export(draft_id, docx_path, user, include_original=include_original)
        user = self._user(user)
        soffice = find_soffice()
        if soffice is None:
            self.store.append_audit(user, "export_failed", draft_id,
                                    {"path": str(pdf_path), "format": "pdf", "produce_id": result.produce_id,
                                     "reason": "LibreOffice is not installed"})
            raise ConversionError("LibreOffice is not installed (no soffice command), so no PDF was made; the "
                                  "labelled .docx is at {docx}.", docx=str(docx_path))
        from docx import Document as open_document

        doc = open_document(str(docx_path))
        props = get_custom_properties(doc)
        draft = self.store.get_draft(draft_id)
        label = PdfLabel(
            title=draft.title.replace("\n", ""), statement=result.label_statement,
            keywords=doc.core_properties.keywords or "AIGC", aigc=props.get("AIGC", ""),
            provenance=props.get("DrafterProvenance", ""), language=draft.language,
        )
        fd, name = tempfile.mkstemp(prefix=f".{pdf_path.name}.", suffix=".tmp", dir=pdf_path.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            with tempfile.TemporaryDirectory(prefix="drafter-pdf-") as scratch:
                try:
                    rendered = convert_to_pdf(docx_path, Path(scratch), soffice=soffice)
                except ConversionError as exc:
                    self.store.append_audit(user, "export_failed", draft_id,
                                            {"path": str(pdf_path), "format": "pdf", "produce_id": result.produce_id,
                                             "reason": exc.english})
                    raise ConversionError("{reason} The labelled .docx is at {docx}.", reason=shown(exc),
                                          docx=str(docx_path)) from exc
                text_hash = label_pdf(rendered, tmp, label, self.signing_key())
            self.store.append_audit(
                user, "exported", draft_id,
                {"path": str(pdf_path), "format": "pdf", "produce_id": result.produce_id,
                 "content_sha256": result.content_sha256, "label": result.label_statement, "from": str(docx_path),
                 "text_sha256": text_hash,
                 **self._signed({"action": "exported", "draft_id": draft_id, "content_sha256": result.content_sha256,
                                 "exported_by": user, "produce_id": result.produce_id, "path": str(pdf_path),
                                 "format": "pdf", "text_sha256": text_hash})},
            )
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        try:
            os.replace(tmp, pdf_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            reason = exc.strerror or str(exc)
            self.store.append_audit(user, "export_failed", draft_id, {"path": str(pdf_path), "format": "pdf",
                                                                      "produce_id": result.produce_id, "reason": reason})
            raise InputError("Could not write {path}: {reason}. The PDF was not exported (recorded as a failed "
                             "export).", path=str(pdf_path), reason=reason) from exc
        self._anchor_after("exported")
        log.info("exported", extra={"draft_id": draft_id, "action": "export_pdf"})
        return ExportResult(pdf_path, result.label_statement, result.produce_id, result.content_sha256, docx_path)

    @staticmethod
    def _write_temporary(doc: Any, output: Path) -> Path:
        """Write `doc` to a hidden temporary file beside `output`, flushed to disk (same folder: the rename is atomic)."""
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                doc.save(fh)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(
                "Could not write {output}: {reason}. Nothing was exported.",
                output=output, reason=exc.strerror or exc,
            ) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def export_file_name(self, draft_id: str) -> str:
        """A file name for the export: the title cut at a word boundary, safe on every system."""
        from drafter.export.naming import file_name

        draft = self.store.get_draft(draft_id)
        return file_name(draft.title, draft.id)

    def gongwen_issues(self, draft_id: str) -> list[GongwenIssue]:
        """The 公文 format and style rules (drafter.gongwen) for a draft; empty for other templates."""
        draft = self.store.get_draft(draft_id)
        return check_gongwen(self.catalog.template(draft.template_id), draft.request.inputs, draft.sections)

    def signing_key(self) -> signing.Ed25519PrivateKey:
        """The deployment's signing key, created on first use (settings.signing_key_path(), mode 0600)."""
        return self._deployment_key()

    def public_key_pem(self) -> str:
        """The deployment's public key (PEM), to publish so anyone can verify an exported document."""
        return signing.public_key_pem(self.signing_key())

    def verify_file(self, path: Path, public_key: Path | None = None) -> VerifyReport:
        """Check an exported file; the signature with `public_key` (a PEM file), else the deployment's own key."""
        # with no key file, this deployment has signed nothing yet: the report says the signature was not checked
        key = signing.load_public_key(public_key) if public_key is not None else self._public_key()
        from drafter.export.verify import verify_docx
        from drafter.export.verify_pdf import is_pdf, verify_pdf

        report = verify_pdf(path, key) if is_pdf(path) else verify_docx(path, key)
        self._check_export_record(report)
        return report

    def _check_export_record(self, report: VerifyReport) -> None:
        """With the store reachable, the file must be one this deployment recorded exporting.

        A document of another deployment (its draft is not in this store) is left to its signature.
        """
        prov = report.provenance or {}
        draft_id, produce_id = prov.get("draft_id"), prov.get("produce_id")
        if not draft_id or not produce_id:
            return
        try:
            events = self.store.audit_events(str(draft_id))
        except DrafterError:
            return
        if not events:
            return  # not a draft of this deployment
        recorded = [e for e in events if e.action == "exported" and e.details.get("produce_id") == produce_id
                     and e.details.get("format", "docx") == report.kind]
        if report.kind == "pdf":
            self._check_pdf_record(report, [e.details for e in recorded])
        if not recorded:
            report.problems.append(lazy(
                "The audit log has no record of exporting this document (draft {draft_id}, produce id "
                "{produce_id}): it was not exported by this deployment as it stands.",
                draft_id=draft_id, produce_id=produce_id,
            ))
        elif all(e.details.get("content_sha256") != prov.get("content_sha256") for e in recorded):
            report.problems.append(lazy(
                "The audit log's record of this export names other content than the document's provenance."
            ))

    def _check_pdf_record(self, report: VerifyReport, recorded: list[dict[str, Any]]) -> None:
        """A PDF against the database: the recorded text fingerprint, and the approved version's text itself."""
        from drafter.export.verify_pdf import approved_text_problems

        prov = report.provenance or {}
        if recorded and all(d.get("text_sha256") != report.text_sha256 for d in recorded):
            report.problems.append("The PDF's text is not the text the audit log recorded for this export.")
        version = next((v for v in self.store.versions(str(prov.get("draft_id")))
                        if v["content_sha256"] == prov.get("content_sha256")), None)
        if version is None:
            report.content_matches = False
            report.problems.append("No version of the draft has the content hash the PDF names.")
            return
        try:
            specs = {s.id: s for s in self.catalog.template(self.store.get_draft(str(prov["draft_id"])).template_id)
                     .sections}
        except DrafterError:
            specs = {}
        # a section printed without its heading (公文 opening, closing phrase) is compared by its text alone
        sections = [("" if s.id in specs and not specs[s.id].heading_visible else s.heading, s.text)
                    for s in version["sections"]]
        problems = approved_text_problems(report, version["title"], sections)
        report.problems += problems
        report.content_matches = not problems and report.body_unchanged
        report.notes.append(
            "Compared with the database: every heading and paragraph of the approved version is in the PDF's text, "
            "in order. Text added between them is found by the text fingerprint, not by this comparison; "
            "colours, overlays and images are covered only by the drawing fingerprint and the signature."
        )

    def example_label_statement(self, language: str = "en", backend: str | None = None) -> str:
        """The visible AI-use statement an exported document would carry, for a sample draft.

        The sample has one AI-generated and one human-written section, drafted with `backend` (default:
        the configured one) and approved by a reviewer other than the author, as in real use.
        """
        engine = self.backend(backend)
        now = utcnow()
        sections = [
            Section(id="one", heading="One", text="Text.", provenance=Provenance(
                origin=Origin.ai, backend=engine.name, model=engine.model, author="author", ai_text="Text.",
                language_model=engine.capabilities.language_model)),
            Section(id="two", heading="Two", text="Text.", provenance=Provenance(origin=Origin.human, author="author")),
        ]
        draft = Draft(
            id="example", template_id="example", style_guide_id="example", language=language, title="Example",
            status=DraftStatus.approved, author="the author", backend=engine.name, version=2, sections=sections,
            request=DraftRequest(template_id="example", inputs={}), created_at=now, updated_at=now,
        )
        approval = Review(
            draft_id=draft.id, reviewer="the reviewer", decision="approved", content_sha256=draft.content_sha256,
            checklist=Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True),
            version=2, created_at=now,
        )
        return build_label(
            draft, approval, system=self.settings.system_name, organisation=self.settings.organisation,
            exported_by="the author", exported_at=now,
        ).statement
