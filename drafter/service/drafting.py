"""Drafting: validate and save a request, generate its sections, refine a section, record a person's edit."""

from __future__ import annotations

from typing import Any

from drafter import review as rules
from drafter.backends.base import Backend
from drafter.backends.structured import CitedDocument, CitedSection, SelfCheck
from drafter.citations import sentence_citations
from drafter.errors import DrafterError, InputError, RefusedError
from drafter.guard.engine import request_parts
from drafter.guard.policy import ScanReport, policy_for
from drafter.i18n import lazy
from drafter.labeling import origin_from_spans
from drafter.models import (
    Citation,
    Draft,
    DraftRequest,
    DraftStatus,
    LLMCall,
    Origin,
    Section,
    SectionSpec,
    StyleGuide,
    Template,
    check_text,
    utcnow,
)
from drafter.prompts import (
    HouseExample,
    PromptBundle,
    WrittenSection,
    build_document_prompt,
    build_refine_prompt,
    build_section_prompt,
    build_self_check_prompt,
    rank_examples,
)
from drafter.service.base import SectionCallback, ServiceBase
from drafter.service.calls import RetryCallback, TokenCallback
from drafter.spans import after_edit
from drafter.store import SaveStep


class DraftingUseCases(ServiceBase):
    def _validated(self, request: DraftRequest) -> tuple[Template, str, Backend]:
        """The request's template, style guide id and backend, or one InputError naming what is wrong."""
        template = self.catalog.template(request.template_id)
        check_request_text(request)
        missing = [f.label for f in template.fields if f.required and not request.inputs.get(f.name, "").strip()]
        if missing:
            raise InputError(
                "Missing required input for {template_id}: {missing}.",
                template_id=template.id, missing=', '.join(missing),
            )
        unknown = sorted(set(request.inputs) - {f.name for f in template.fields})
        if unknown:
            raise InputError(
                "Unknown input fields for {template_id}: {unknown}.",
                template_id=template.id, unknown=', '.join(unknown),
            )
        guide_id = request.style_guide_id or template.default_style_guide
        guide = self.catalog.style_guide(guide_id)
        if guide.language != template.language:
            raise InputError(
                "Style guide {style_guide} is for {guide_language}, the template is {template_language}.",
                style_guide=guide.id, guide_language=guide.language, template_language=template.language,
            )
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
        return self._generate(draft.id, user, saved=draft, on_section=on_section, on_token=on_token,
                              on_retry=on_retry)

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
        return self._generate(draft_id, user, saved=None, on_section=on_section, on_token=on_token,
                              on_retry=on_retry)

    def _generate(
        self,
        draft_id: str,
        user: str,
        *,
        saved: Draft | None,
        on_section: SectionCallback | None,
        on_token: TokenCallback | None,
        on_retry: RetryCallback | None,
    ) -> Draft:
        """`generate`, from the draft as `start_draft` has just saved it when the caller has it (`saved`)."""
        user = self._user(user)
        draft, template, guide, backend = self._begin_generation(draft_id, user, saved=saved)
        # Work is saved before every call to a language model. Without one (the offline backend) nothing
        # costly can be lost, so the sections are written together with the end of generation: one commit.
        hold = not backend.capabilities.language_model
        pending: list[SaveStep] = []
        # the call-log rows too: written with the sections, in the same commit
        held = self.calls.hold(draft.id) if hold else None
        try:
            return self._generate_sections(draft, template, guide, backend, user, pending, held,
                                           on_section=on_section, on_token=on_token, on_retry=on_retry)
        finally:
            if held is not None:
                self.calls.release(draft.id)  # writes any row still held (an unexpected error)

    def _generate_sections(
        self, draft: Draft, template: Template, guide: StyleGuide, backend: Backend, user: str,
        pending: list[SaveStep], held: list[LLMCall] | None, *,
        on_section: SectionCallback | None, on_token: TokenCallback | None, on_retry: RetryCallback | None,
    ) -> Draft:
        hold = held is not None
        done = {s.id for s in draft.sections}
        total = len(template.sections)
        sections = list(draft.sections)
        examples = self._house_examples(draft, template, backend, user) if len(done) < total else ()
        caps = backend.capabilities
        after_whole = False
        if template.generation == "whole_document" and caps.language_model and caps.structured and len(done) < total:
            # one call for every missing section; any the reply leaves out is asked for alone below
            draft = self._whole_document(draft, template, guide, backend, user, examples, on_section)
            done, sections = {s.id for s in draft.sections}, list(draft.sections)
            after_whole = True  # a section asked for alone now is shown every other section, before and after it
        for index, spec in enumerate(template.sections):
            if spec.id in done:
                continue
            prompt = build_section_prompt(
                template, guide, draft.request.inputs, draft.request.sources, spec,
                _written(template, draft, spec.id, other=after_whole),
                examples,
            )
            structured = on_token is None and spec.use_sources and bool(draft.request.sources)
            result: CitedSection | None = None
            try:
                if structured:
                    result = self.calls.structured(backend, prompt, draft, CitedSection, user=user)
                    text = result.text.strip()
                else:
                    text = self.calls.call(backend, prompt, draft, on_token=on_token, on_retry=on_retry, user=user)
            except DrafterError as exc:
                self._generation_failed(self._save_pending(draft, pending, held), user, exc, spec.id)
                raise
            section = self._ai_section(spec, text, backend, prompt, user,
                                       [(e.source, e.quote) for e in result.evidence] if result else [],
                                       earlier=draft.sections)
            if result is not None and result.sentences:
                section = section.model_copy(update={"citations": _with_sentence_evidence(section, result, prompt)})
            sections = _in_plan_order(template, [*sections, section])
            step = self._generated_step(draft, section, sections, user)
            if hold:
                pending.append(step)
                draft = step.draft.model_copy(update={"version": draft.version + 1})
            else:
                draft = self.store.save_draft_steps([step])
            if on_section:
                on_section(index + 1, total, section)
        if self.settings.self_check and backend.capabilities.language_model and draft.sections:
            draft = self._self_check(draft, template, guide, backend, user)  # nothing is pending with a model
        return self._generation_finished(draft, user, pending, held)

    def _whole_document(
        self, draft: Draft, template: Template, guide: StyleGuide, backend: Backend, user: str,
        examples: tuple[HouseExample, ...], on_section: SectionCallback | None,
    ) -> Draft:
        """One structured call for every section not yet written; each section returned is saved as it comes.

        The request was saved before the call, and a failed call leaves the draft `failed` as a section's would.
        A section the reply leaves out (or leaves empty) is not invented: the caller asks for it alone. A section
        the reply names that the plan lacks, or names twice, is ignored. The audit log records both.
        """
        wanted = [s for s in template.sections if s.id not in {d.id for d in draft.sections}]
        prompt = build_document_prompt(template, guide, draft.request.inputs, draft.request.sources, wanted,
                                       _written(template, draft, "", other=True), examples)
        try:
            result = self.calls.structured(backend, prompt, draft, CitedDocument, user=user)
        except DrafterError as exc:
            self._generation_failed(draft, user, exc, None)
            raise
        wanted_ids = {s.id for s in wanted}
        replies: dict[str, CitedSection] = {}
        ignored: list[str] = []
        for reply in result.sections:
            if reply.id in wanted_ids and reply.id not in replies and reply.text.strip():
                replies[reply.id] = reply
            else:
                ignored.append(reply.id)
        missing = [s.id for s in wanted if s.id not in replies]
        self.store.append_audit(user, "whole_document_reply", draft.id, {
            "asked": [s.id for s in wanted], "returned": list(replies), "missing": missing, "ignored": ignored,
        })
        total = len(template.sections)
        for spec in wanted:
            got = replies.get(spec.id)
            if got is None:
                continue
            section = self._ai_section(spec, got.text, backend, prompt, user,
                                       [(e.source, e.quote) for e in got.evidence])
            if got.sentences:
                section = section.model_copy(update={"citations": _with_sentence_evidence(section, got, prompt)})
            sections = _in_plan_order(template, [*draft.sections, section])
            draft = self.store.save_draft_steps([self._generated_step(draft, section, sections, user)])
            if on_section:
                on_section(template.sections.index(spec) + 1, total, section)
        return draft

    def _house_examples(self, draft: Draft, template: Template, backend: Backend, user: str) -> tuple[HouseExample, ...]:
        """Approved, exported documents of this template to offer as house style (`settings.house_style_examples`).

        Only for a language model. Each candidate (inputs, sources and text) is screened by the guard for this
        backend first: one marked above its clearance is never used, and one holding personal data only when the
        backend may receive personal data. The most similar to the request are chosen; which were used, and how
        many were screened out, is in the audit log, and each prompt names them.
        """
        limit = self.settings.house_style_examples
        if limit <= 0 or not backend.capabilities.language_model:
            return ()
        policy = policy_for(backend, self.settings)
        candidates: list[HouseExample] = []
        screened_out = 0
        for other in self.store.list_drafts(status="approved"):
            if other.template_id != draft.template_id or other.id == draft.id:
                continue
            exported = any(e.action == "exported" and e.details.get("content_sha256") == other.content_sha256
                           for e in self.store.audit_events(other.id))
            if not exported:
                continue
            parts = [*request_parts(template, other.request),
                     *((f"section '{s.heading}' of {other.id}", s.text) for s in other.sections)]
            try:
                report = self.guard.check_parts(parts, policy)
            except RefusedError:
                screened_out += 1  # marked above this backend's clearance: never offered
                continue
            if policy.personal_data != "allow" and any(f.type != "MARKING" for f in report.findings):
                screened_out += 1
                continue
            text = "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in other.sections)
            candidates.append(HouseExample(other.id, other.title, text))
        request_text = "\n".join([*draft.request.inputs.values(), *(s.text for s in draft.request.sources)])
        chosen = tuple(rank_examples(request_text, candidates, limit))
        if chosen or screened_out:
            self.store.append_audit(user, "house_style_examples", draft.id, {
                "used": [e.id for e in chosen], "candidates": len(candidates), "screened_out": screened_out,
                "backend": backend.name,
            })
        return chosen

    def _self_check(self, draft: Draft, template: Template, guide: StyleGuide, backend: Backend, user: str) -> Draft:
        """One more call listing unsupported claims; kept on each section for the checks. Text is never changed.

        A failed self-check does not fail the draft: it is recorded (call log and audit) and drafting goes on.
        """
        written = [WrittenSection(s.id, s.heading, s.text) for s in draft.sections]
        prompt = build_self_check_prompt(template, guide, draft.request.inputs, draft.request.sources, written)
        try:
            result = self.calls.structured(backend, prompt, draft, SelfCheck, user=user)
        except DrafterError as exc:
            self.store.append_audit(user, "self_check_failed", draft.id, {"error": exc.english})
            return draft
        claims: dict[str, list[dict[str, str]]] = {}
        for c in result.claims:
            if c.claim.strip():
                claims.setdefault(c.section, []).append({"claim": c.claim.strip(), "reason": c.reason.strip()})
        sections = [s.model_copy(update={"metrics": {**s.metrics, "self_check": claims.get(s.id, [])}})
                    for s in draft.sections]
        return self.store.save_draft(
            draft.model_copy(update={"sections": sections}), expected_version=draft.version, actor=user,
            action="self_checked", details={"claims": sum(len(v) for v in claims.values())},
        )

    def refine_section(self, draft_id: str, section_id: str, instruction: str, user: str) -> Draft:
        """Regenerate one section by instruction; the instruction is stored with the new version."""
        if not instruction.strip():
            raise InputError("Say how the section should change (e.g. 'make it shorter').")
        check_text(instruction, lazy("The instruction"))
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        spec = _spec(template, section_id)
        current = _section(draft, section_id)
        backend = self.backend(draft.backend)
        prompt = build_refine_prompt(
            template, guide, draft.request.inputs, draft.request.sources, spec, current.text, instruction,
            _written(template, draft, section_id, other=True),
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
        check_text(text, lazy("The edited text"))
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        rules.check_editable(draft)
        current = _section(draft, section_id)
        if text.strip() == current.text.strip():
            return draft
        p = current.provenance
        spans = after_edit(current.text, current.spans, text.strip(), *self._span_material(draft)) if current.spans else []
        # drafts saved before spans existed: an AI section becomes ai_edited, a person's stays theirs
        origin = (origin_from_spans(spans, machine_before=p.origin != Origin.human, edited=True) if spans
                  else Origin.human if p.origin == Origin.human else Origin.ai_edited)
        section = current.model_copy(
            update={
                "text": text.strip(),
                "spans": spans,
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
        edited = draft.model_copy(update={"sections": sections, "status": status})
        expected = expected_version if expected_version is not None else draft.version
        # the edit and its findings in one transaction (the findings checked before it begins)
        return self._save_checked([SaveStep(edited, expected, user, action, details, True)], edited, user)


def _with_sentence_evidence(section: Section, result: CitedSection, prompt: PromptBundle) -> list[Citation]:
    """Each sentence's evidence, checked against its source, then the marker citations it does not already cover."""
    per_sentence = sentence_citations(result.sentence_evidence(), prompt.sources)
    covered = {(c.marker, c.paragraph) for c in per_sentence if c.verified}
    return per_sentence + [c for c in section.citations if (c.marker, c.paragraph) not in covered]


def _in_plan_order(template: Template, sections: list[Section]) -> list[Section]:
    """Sections in the template's order (a section asked for alone after a whole-document reply comes late)."""
    order = {s.id: i for i, s in enumerate(template.sections)}
    return sorted(sections, key=lambda s: order.get(s.id, len(order)))


def _written(template: Template, draft: Draft, section_id: str, *, other: bool = False) -> list[WrittenSection]:
    """The sections the prompt for `section_id` is shown: those before it in the plan, or (`other`) all others."""
    order = [s.id for s in template.sections]
    limit = order.index(section_id) if section_id in order and not other else len(order)
    by_id = {s.id: s for s in draft.sections}
    return [
        WrittenSection(sid, by_id[sid].heading, by_id[sid].text)
        for sid in order[:limit]
        if sid in by_id and sid != section_id and by_id[sid].text.strip()
    ]


def check_request_text(request: DraftRequest) -> None:
    """Intake: no control characters (NUL, ESC, ...) in a request's inputs, source names or source texts."""
    for name, value in request.inputs.items():
        check_text(value, lazy("The input {name!r}", name=name))
    for source in request.sources:
        check_text(source.name, lazy("A source's name"))
        check_text(source.text, lazy("The source {name!r}", name=source.name))


def _spec(template: Template, section_id: str) -> SectionSpec:
    for spec in template.sections:
        if spec.id == section_id:
            return spec
    raise InputError(
        "Template {template_id} has no section {section_id!r}.",
        template_id=template.id, section_id=section_id,
    )


def _section(draft: Draft, section_id: str) -> Section:
    for s in draft.sections:
        if s.id == section_id:
            return s
    known = ", ".join(s.id for s in draft.sections)
    raise InputError(
        "Draft {draft_id} has no section {section_id!r}; its sections are: {known}.",
        draft_id=draft.id, section_id=section_id, known=known,
    )
