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
from drafter.errors import DrafterError, InputError
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
        tmp = self._write_temporary(doc, output)
        try:
            self.store.append_audit(
                user, "exported", draft_id,
                {"path": str(output), "produce_id": produce_id, "content_sha256": draft.content_sha256,
                 "label": label.statement, "checks_run": checks.checks_run(draft, template),
                 **self._signed({"action": "exported", "draft_id": draft_id, "content_sha256": draft.content_sha256,
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
        return ExportResult(output, label.statement, produce_id, draft.content_sha256)

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
        return signing.load_private_key(self.settings.signing_key_path(), create=True)

    def public_key_pem(self) -> str:
        """The deployment's public key (PEM), to publish so anyone can verify an exported document."""
        return signing.public_key_pem(self.signing_key())

    def verify_file(self, path: Path, public_key: Path | None = None) -> VerifyReport:
        """Check an exported file; the signature with `public_key` (a PEM file), else the deployment's own key."""
        if public_key is not None:
            key = signing.load_public_key(public_key)
        elif self.settings.signing_key_path().is_file():
            key = signing.load_private_key(self.settings.signing_key_path()).public_key()
        else:
            key = None  # this deployment has signed nothing yet: the report says the signature was not checked
        from drafter.export.verify import verify_docx

        report = verify_docx(path, key)
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
        recorded = [e for e in events if e.action == "exported" and e.details.get("produce_id") == produce_id]
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
