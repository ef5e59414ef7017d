"""Drafting: validate and save a request, generate its sections, refine a section, record a person's edit."""

from __future__ import annotations

from typing import Any

from drafter import review as rules
from drafter.backends.base import Backend
from drafter.errors import DrafterError, InputError
from drafter.guard.policy import ScanReport
from drafter.models import (
    Draft,
    DraftRequest,
    DraftStatus,
    Origin,
    Section,
    SectionSpec,
    Template,
    check_text,
    utcnow,
)
from drafter.prompts import build_refine_prompt, build_section_prompt
from drafter.service.base import SectionCallback, ServiceBase
from drafter.service.calls import RetryCallback, TokenCallback


class DraftingUseCases(ServiceBase):
    def _validated(self, request: DraftRequest) -> tuple[Template, str, Backend]:
        """The request's template, style guide id and backend, or one InputError naming what is wrong."""
        template = self.catalog.template(request.template_id)
        check_request_text(request)
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
        return template, guide_id, self.backend(request.backend)

    def validate_request(self, request: DraftRequest) -> tuple[Template, str]:
        template, guide_id, _ = self._validated(request)
        return template, guide_id

    def check_request(self, request: DraftRequest, user: str) -> ScanReport:
        """Validate a request and apply the guard's request rules; a refusal is audited and raised."""
        user = self._user(user)
        template, _, backend = self._validated(request)
        return self._guard_request(template, request, backend, user)

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
        on_retry: RetryCallback | None = None,
    ) -> Draft:
        """Save the request, then generate every section, saving each as it is produced."""
        draft = self.start_draft(request, user)
        return self.generate(draft.id, user, on_section=on_section, on_token=on_token, on_retry=on_retry)

    def start_draft(self, request: DraftRequest, user: str) -> Draft:
        """Validate and save the request as a draft waiting for generation; `generate` produces its text.

        Callers that must know the draft's id before generating (the UI, to resume a failed run) use this
        and then `generate`; `create_draft` does both.
        """
        user = self._user(user)
        template, guide_id, backend = self._validated(request)
        guard_report = self._guard_request(template, request, backend, user)
        title = request.inputs.get(template.title_field or "", "").strip() or template.title
        draft = self._new_draft(template, guide_id, backend, request, user, title=title, language=template.language)
        self.store.create_draft(
            draft,
            actor=user,
            details={"template": template.id, "style_guide": guide_id, "backend": backend.name,
                     "sources": [s.name for s in request.sources],
                     "guard": {"personal_data": guard_report.policy.personal_data, "found": guard_report.counts()}},
        )
        return draft

    def generate(
        self,
        draft_id: str,
        user: str,
        *,
        on_section: SectionCallback | None = None,
        on_token: TokenCallback | None = None,
        on_retry: RetryCallback | None = None,
    ) -> Draft:
        """Generate the sections not yet produced (so a failed run resumes where it stopped).

        Sections are streamed as text; when nobody is watching the stream (`on_token` is None) and the
        section draws on sources, it is asked for as structured output (text plus supporting quotes).
        """
        user = self._user(user)
        draft, template, guide, backend = self._begin_generation(draft_id, user)
        done = {s.id for s in draft.sections}
        total = len(template.sections)
        for index, spec in enumerate(template.sections):
            if spec.id in done:
                continue
            prompt = build_section_prompt(
                template, guide, draft.request.inputs, draft.request.sources, spec
            )
            structured = on_token is None and spec.use_sources and bool(draft.request.sources)
            try:
                if structured:
                    text, evidence = self.calls.call_structured(backend, prompt, draft, user=user)
                else:
                    text = self.calls.call(backend, prompt, draft, on_token=on_token, on_retry=on_retry, user=user)
                    evidence = []
            except DrafterError as exc:
                self._generation_failed(draft, user, exc, spec.id)
                raise
            section = self._ai_section(spec, text, backend, prompt, user, evidence)
            draft = self._save_generated(draft, section, [*draft.sections, section], user)
            if on_section:
                on_section(index + 1, total, section)
        return self._generation_finished(draft, user)

    def refine_section(self, draft_id: str, section_id: str, instruction: str, user: str) -> Draft:
        """Regenerate one section by instruction; the instruction is stored with the new version."""
        if not instruction.strip():
            raise InputError("Say how the section should change (e.g. 'make it shorter').")
        check_text(instruction, "The instruction")
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        spec = _spec(template, section_id)
        current = _section(draft, section_id)
        backend = self.backend(draft.backend)
        prompt = build_refine_prompt(
            template, guide, draft.request.inputs, draft.request.sources, spec, current.text, instruction
        )
        text = self.calls.call(backend, prompt, draft, user=user)
        new_section = self._ai_section(spec, text, backend, prompt, user)
        new_section.provenance.instruction = instruction
        return self._replace_section(draft, new_section, user, "refined", {"section": section_id,
                                                                            "instruction": instruction})

    def edit_section(
        self, draft_id: str, section_id: str, text: str, user: str, *, expected_version: int | None = None
    ) -> Draft:
        """A person's edit. An AI section becomes ai_edited and keeps its AI original for diffing."""
        check_text(text, "The edited text")
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        current = _section(draft, section_id)
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
        saved = self.store.save_draft(
            draft.model_copy(update={"sections": sections, "status": status}),
            expected_version=expected_version if expected_version is not None else draft.version,
            actor=user, action=action, details=details, content_changed=True,
        )
        self.run_checks(saved)
        return saved


def check_request_text(request: DraftRequest) -> None:
    """Intake: no control characters (NUL, ESC, ...) in a request's inputs, source names or source texts."""
    for name, value in request.inputs.items():
        check_text(value, f"The input {name!r}")
    for source in request.sources:
        check_text(source.name, "A source's name")
        check_text(source.text, f"The source {source.name!r}")


def _spec(template: Template, section_id: str) -> SectionSpec:
    for spec in template.sections:
        if spec.id == section_id:
            return spec
    raise InputError(f"Template {template.id} has no section {section_id!r}.")


def _section(draft: Draft, section_id: str) -> Section:
    for s in draft.sections:
        if s.id == section_id:
            return s
    known = ", ".join(s.id for s in draft.sections)
    raise InputError(f"Draft {draft.id} has no section {section_id!r}; its sections are: {known}.")
