"""The one place that runs the pipeline: draft, refine, edit, submit, approve, request changes, export.

The CLI and the UI call this module and nothing below it. The rules that matter (review gate, four-eyes,
export only at the approved hash) are enforced here, whatever the caller.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drafter import review as rules
from drafter.backends.base import Backend, GenerationOptions
from drafter.backends.offline import OfflineBackend
from drafter.catalog import Catalog
from drafter.errors import BackendError, DrafterError, InputError, RefusedError
from drafter.export.docx_writer import build_document, check_writable, save_atomically
from drafter.export.verify import VerifyReport, verify_docx
from drafter.labeling import build_label
from drafter.models import (
    AuditEvent,
    Checklist,
    Draft,
    DraftRequest,
    DraftStatus,
    LLMCall,
    Origin,
    Provenance,
    Review,
    Section,
    SectionSpec,
    StyleGuide,
    Template,
    utcnow,
)
from drafter.prompts import PromptBundle, build_refine_prompt, build_section_prompt
from drafter.settings import Settings
from drafter.store import Store

SectionCallback = Callable[[int, int, Section], None]
TokenCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    label_statement: str
    produce_id: str
    content_sha256: str


def default_backends(settings: Settings) -> dict[str, Backend]:
    return {"offline": OfflineBackend()}


class DrafterService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalog: Catalog,
        backends: dict[str, Backend],
        options: GenerationOptions | None = None,
    ):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.backends = backends
        self.options = options or GenerationOptions()

    @classmethod
    def from_settings(cls, settings: Settings, backends: dict[str, Backend] | None = None) -> DrafterService:
        catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
        store = Store.open(settings.sqlalchemy_url())
        return cls(settings, store, catalog, backends or default_backends(settings))

    # --- catalog ----------------------------------------------------------------------------------

    def templates(self, language: str | None = None) -> list[Template]:
        return self.catalog.list_templates(language)

    def template(self, template_id: str) -> Template:
        return self.catalog.template(template_id)

    def style_guides_for(self, template_id: str) -> list[StyleGuide]:
        """The style guides a template may use (those in its language)."""
        return self.catalog.compatible_style_guides(self.catalog.template(template_id))

    def backend(self, name: str | None) -> Backend:
        name = name or self.settings.backend
        try:
            return self.backends[name]
        except KeyError:
            known = ", ".join(sorted(self.backends))
            raise InputError(f"Unknown or unconfigured backend {name!r}; available: {known}.") from None

    # --- drafting ---------------------------------------------------------------------------------

    def validate_request(self, request: DraftRequest) -> tuple[Template, str]:
        template = self.catalog.template(request.template_id)
        missing = [f.label for f in template.fields if f.required and not request.inputs.get(f.name, "").strip()]
        if missing:
            raise InputError(f"Missing required input for {template.id}: {', '.join(missing)}.")
        unknown = sorted(set(request.inputs) - {f.name for f in template.fields})
        if unknown:
            raise InputError(f"Unknown input fields for {template.id}: {', '.join(unknown)}.")
        guide_id = request.style_guide_id or template.default_style_guide
        guide = self.catalog.style_guide(guide_id)
        if guide.language != template.language:
            raise InputError(f"Style guide {guide.id} is for {guide.language}, the template is {template.language}.")
        self.backend(request.backend)
        return template, guide_id

    def input_problems(self, template_id: str, inputs: dict[str, str]) -> dict[str, str]:
        """Per-field problems with a request's inputs (field name -> one sentence); empty when all is well.

        The same rule `validate_request` enforces, itemised so a form can show each message by its field.
        """
        template = self.catalog.template(template_id)
        return {
            f.name: f"{f.label} is required."
            for f in template.fields
            if f.required and not inputs.get(f.name, "").strip()
        }

    def create_draft(
        self,
        request: DraftRequest,
        user: str,
        *,
        on_section: SectionCallback | None = None,
        on_token: TokenCallback | None = None,
    ) -> Draft:
        """Save the request, then generate every section, saving each as it is produced."""
        draft = self.start_draft(request, user)
        return self.generate(draft.id, user, on_section=on_section, on_token=on_token)

    def start_draft(self, request: DraftRequest, user: str) -> Draft:
        """Validate and save the request as a draft waiting for generation; `generate` produces its text.

        Callers that must know the draft's id before generating (the UI, to resume a failed run) use this
        and then `generate`; `create_draft` does both.
        """
        template, guide_id = self.validate_request(request)
        backend = self.backend(request.backend)
        now = utcnow()
        title = request.inputs.get(template.title_field or "", "").strip() or template.title
        draft = Draft(
            id=uuid.uuid4().hex[:12],
            template_id=template.id,
            style_guide_id=guide_id,
            language=template.language,
            title=title,
            status=DraftStatus.generating,
            author=user,
            backend=backend.name,
            version=1,
            sections=[],
            request=request.model_copy(update={"style_guide_id": guide_id, "backend": backend.name}),
            created_at=now,
            updated_at=now,
            updated_by=user,
        )
        self.store.create_draft(
            draft,
            actor=user,
            details={"template": template.id, "style_guide": guide_id, "backend": backend.name,
                     "sources": [s.name for s in request.sources]},
        )
        return draft

    def generate(
        self,
        draft_id: str,
        user: str,
        *,
        on_section: SectionCallback | None = None,
        on_token: TokenCallback | None = None,
    ) -> Draft:
        """Generate the sections not yet produced (so a failed run resumes where it stopped)."""
        draft = self.store.get_draft(draft_id)
        if draft.status not in (DraftStatus.generating, DraftStatus.failed):
            raise RefusedError(f"Draft {draft.id} is {draft.status.value}; it has already been generated.")
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        backend = self.backend(draft.backend)
        if draft.status == DraftStatus.failed:
            draft = self.store.save_draft(
                draft.model_copy(update={"status": DraftStatus.generating, "error": None}),
                expected_version=draft.version, actor=user, action="retried", details={},
            )
        done = {s.id for s in draft.sections}
        total = len(template.sections)
        for index, spec in enumerate(template.sections):
            if spec.id in done:
                continue
            prompt = build_section_prompt(
                template, guide, draft.request.inputs, draft.request.sources, spec
            )
            try:
                text = self._call(backend, prompt, draft, on_token=on_token)
            except DrafterError as exc:
                self.store.save_draft(
                    draft.model_copy(update={"status": DraftStatus.failed, "error": str(exc)}),
                    expected_version=draft.version, actor=user, action="generation_failed",
                    details={"section": spec.id, "error": str(exc)},
                )
                raise
            section = self._ai_section(spec, text, backend, prompt, user)
            draft = self.store.save_draft(
                draft.model_copy(update={"sections": [*draft.sections, section]}),
                expected_version=draft.version, actor=user, action="generated",
                details={"section": spec.id, "backend": backend.name, "model": backend.model,
                         "prompt_sha256": prompt.sha256},
                content_changed=True,
            )
            if on_section:
                on_section(index + 1, total, section)
        return self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.draft}),
            expected_version=draft.version, actor=user, action="generation_finished",
            details={"sections": len(draft.sections)},
        )

    def _ai_section(self, spec: SectionSpec, text: str, backend: Backend, prompt: PromptBundle, user: str) -> Section:
        return Section(
            id=spec.id,
            heading=spec.heading,
            text=text.strip(),
            provenance=Provenance(
                origin=Origin.ai, backend=backend.name, model=backend.model, prompt_sha256=prompt.sha256,
                generated_at=utcnow(), author=user, ai_text=text.strip(),
            ),
        )

    def _call(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, *, on_token: TokenCallback | None = None
    ) -> str:
        """One backend call, recorded in the store whether it succeeds or fails."""
        started = time.perf_counter()
        pieces: list[str] = []
        error: str | None = None
        try:
            for piece in backend.stream(prompt, self.options):
                pieces.append(piece)
                if on_token:
                    on_token(prompt.section.id, piece)
        except DrafterError as exc:
            error = str(exc)
            raise
        except Exception as exc:  # a backend bug must not lose the draft; report it clearly
            error = f"{type(exc).__name__}: {exc}"
            raise BackendError(f"Backend {backend.name} failed: {error}") from exc
        finally:
            self.store.record_llm_call(
                LLMCall(
                    id=uuid.uuid4().hex,
                    draft_id=draft.id,
                    model=backend.model,
                    backend=backend.name,
                    template_id=draft.template_id,
                    style_guide_id=draft.style_guide_id,
                    system=prompt.system_text,
                    prompt=prompt.prompt_text,
                    prompt_sha256=prompt.sha256,
                    response="".join(pieces),
                    options={"temperature": self.options.temperature, "max_tokens": self.options.max_tokens,
                             "timeout_s": self.options.timeout_s, "max_retries": self.options.max_retries,
                             "task": prompt.task, "section": prompt.section.id},
                    duration_ms=int((time.perf_counter() - started) * 1000),
                    datetime_utc=utcnow(),
                    error=error,
                )
            )
        return "".join(pieces).strip()

    def refine_section(self, draft_id: str, section_id: str, instruction: str, user: str) -> Draft:
        """Regenerate one section by instruction; the instruction is stored with the new version."""
        if not instruction.strip():
            raise InputError("Say how the section should change (e.g. 'make it shorter').")
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        spec = self._spec(template, section_id)
        current = self._section(draft, section_id)
        backend = self.backend(draft.backend)
        prompt = build_refine_prompt(
            template, guide, draft.request.inputs, draft.request.sources, spec, current.text, instruction
        )
        text = self._call(backend, prompt, draft)
        new_section = self._ai_section(spec, text, backend, prompt, user)
        new_section.provenance.instruction = instruction
        return self._replace_section(draft, new_section, user, "refined", {"section": section_id,
                                                                            "instruction": instruction})

    def edit_section(
        self, draft_id: str, section_id: str, text: str, user: str, *, expected_version: int | None = None
    ) -> Draft:
        """A person's edit. An AI section becomes ai_edited and keeps its AI original for diffing."""
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        current = self._section(draft, section_id)
        if text.strip() == current.text.strip():
            return draft
        p = current.provenance
        origin = Origin.human if p.origin == Origin.human else Origin.ai_edited
        section = current.model_copy(
            update={
                "text": text.strip(),
                "provenance": p.model_copy(update={"origin": origin, "edited_by": user, "edited_at": utcnow()}),
            }
        )
        return self._replace_section(
            draft, section, user, "edited", {"section": section_id}, expected_version=expected_version
        )

    def _replace_section(
        self, draft: Draft, section: Section, user: str, action: str, details: dict[str, Any],
        *, expected_version: int | None = None,
    ) -> Draft:
        sections = [section if s.id == section.id else s for s in draft.sections]
        was = draft.status
        status = rules.status_after_edit(draft)
        if was in (DraftStatus.approved, DraftStatus.in_review):
            details = {**details, "voided": was.value}
        return self.store.save_draft(
            draft.model_copy(update={"sections": sections, "status": status}),
            expected_version=expected_version if expected_version is not None else draft.version,
            actor=user, action=action, details=details, content_changed=True,
        )

    @staticmethod
    def _spec(template: Template, section_id: str) -> SectionSpec:
        for spec in template.sections:
            if spec.id == section_id:
                return spec
        raise InputError(f"Template {template.id} has no section {section_id!r}.")

    @staticmethod
    def _section(draft: Draft, section_id: str) -> Section:
        for s in draft.sections:
            if s.id == section_id:
                return s
        known = ", ".join(s.id for s in draft.sections)
        raise InputError(f"Draft {draft.id} has no section {section_id!r}; its sections are: {known}.")

    # --- review -----------------------------------------------------------------------------------

    def _refuse(self, user: str, action: str, draft_id: str | None, exc: RefusedError) -> None:
        self.store.append_audit(user, "refused", draft_id, {"action": action, "reason": str(exc)})

    def submit(self, draft_id: str, user: str) -> Draft:
        draft = self.store.get_draft(draft_id)
        try:
            rules.check_submit(draft, user)
        except RefusedError as exc:
            self._refuse(user, "submit", draft_id, exc)
            raise
        return self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.in_review}),
            expected_version=draft.version, actor=user, action="submitted",
            details={"content_sha256": draft.content_sha256},
        )

    def approve(
        self, draft_id: str, user: str, checklist: Checklist, *, comment: str = "", expected_version: int | None = None
    ) -> Draft:
        draft = self.store.get_draft(draft_id)
        try:
            rules.check_approve(draft, user, checklist, expected_version)
        except RefusedError as exc:
            self._refuse(user, "approve", draft_id, exc)
            raise
        review = Review(
            draft_id=draft.id, reviewer=user, decision="approved", comment=comment, checklist=checklist,
            content_sha256=draft.content_sha256, version=draft.version + 1, created_at=utcnow(),
        )
        return self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.approved}),
            expected_version=draft.version, actor=user, action="approved",
            details={"content_sha256": draft.content_sha256, "checklist": checklist.model_dump()},
            review=review,
        )

    def request_changes(self, draft_id: str, user: str, comment: str) -> Draft:
        draft = self.store.get_draft(draft_id)
        try:
            rules.check_request_changes(draft, user, comment)
        except RefusedError as exc:
            self._refuse(user, "request_changes", draft_id, exc)
            raise
        review = Review(
            draft_id=draft.id, reviewer=user, decision="changes_requested", comment=comment,
            content_sha256=draft.content_sha256, version=draft.version + 1, created_at=utcnow(),
        )
        return self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.changes_requested}),
            expected_version=draft.version, actor=user, action="changes_requested",
            details={"comment": comment}, review=review,
        )

    # --- export and verification ------------------------------------------------------------------

    def export(self, draft_id: str, output: Path, user: str) -> ExportResult:
        draft = self.store.get_draft(draft_id)
        try:
            approval = rules.check_export(draft, self.store.latest_approval(draft_id))
        except RefusedError as exc:
            self._refuse(user, "export", draft_id, exc)
            raise
        check_writable(output)
        template = self.catalog.template(draft.template_id)
        label = build_label(
            draft, approval, system=self.settings.system_name, organisation=self.settings.organisation,
            exported_by=user, exported_at=utcnow(),
        )
        doc = build_document(draft, template, label)
        try:
            save_atomically(doc, output)
        except OSError as exc:
            raise InputError(f"Could not write {output}: {exc.strerror or exc}. Nothing was exported.") from exc
        produce_id = label.aigc["AIGC"]["ProduceID"]
        self.store.append_audit(
            user, "exported", draft_id,
            {"path": str(output), "produce_id": produce_id, "content_sha256": draft.content_sha256},
        )
        return ExportResult(output, label.statement, produce_id, draft.content_sha256)

    def verify_file(self, path: Path) -> VerifyReport:
        return verify_docx(path)

    def example_label_statement(self, language: str = "en", backend: str | None = None) -> str:
        """The visible AI-use statement an exported document would carry, for a sample draft.

        The sample has one AI-generated and one human-written section, drafted with `backend` (default:
        the configured one) and approved by a reviewer other than the author, as in real use.
        """
        engine = self.backend(backend)
        now = utcnow()
        sections = [
            Section(id="one", heading="One", text="Text.", provenance=Provenance(
                origin=Origin.ai, backend=engine.name, model=engine.model, author="author", ai_text="Text.")),
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

    # --- reading ----------------------------------------------------------------------------------

    def get_draft(self, draft_id: str) -> Draft:
        return self.store.get_draft(draft_id)

    def list_drafts(self, *, author: str | None = None, status: str | None = None) -> list[Draft]:
        return self.store.list_drafts(author=author, status=status)

    def review_queue(self, user: str) -> list[Draft]:
        """Drafts waiting for review that `user` did not write, oldest first."""
        return [d for d in self.store.list_drafts(status=DraftStatus.in_review.value) if d.author != user]

    def reviews(self, draft_id: str) -> list[Review]:
        return self.store.reviews_for(draft_id)

    def versions(self, draft_id: str) -> list[dict[str, Any]]:
        return self.store.versions(draft_id)

    def audit_trail(self, draft_id: str | None = None) -> list[AuditEvent]:
        return self.store.audit_events(draft_id)

    def verify_audit(self) -> tuple[int, str | None]:
        return self.store.verify_audit_chain()

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        return self.store.llm_calls(draft_id)
