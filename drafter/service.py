"""The one place that runs the pipeline: draft, refine, edit, submit, approve, request changes, export.

The CLI and the UI call this module and nothing below it. The rules that matter (review gate, four-eyes,
export only at the approved hash) are enforced here, whatever the caller.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from drafter import review as rules
from drafter.backend_calls import BackendCalls, RetryCallback, TokenCallback
from drafter.backends.base import Backend, GenerationOptions
from drafter.backends.offline import OfflineBackend
from drafter.backends.openai_compat import OpenAICompatBackend
from drafter.catalog import Catalog
from drafter.checks import readability as readability_measures
from drafter.checks import runner as checks
from drafter.checks.evaluate import EvalReport
from drafter.citations import resolve_citations
from drafter.errors import DrafterError, InputError, RefusedError
from drafter.export.docx_writer import build_document, check_writable, save_atomically
from drafter.export.verify import VerifyReport, verify_docx
from drafter.gongwen import GongwenIssue
from drafter.gongwen import check_document as check_gongwen
from drafter.guard.engine import Guard
from drafter.guard.policy import BackendPolicy, ScanReport, policy_for
from drafter.guard.policy import Finding as GuardFinding
from drafter.labeling import build_label
from drafter.models import (
    AuditEvent,
    Checklist,
    Draft,
    DraftRequest,
    DraftStatus,
    Finding,
    FindingSeverity,
    FindingStatus,
    LLMCall,
    Origin,
    Provenance,
    Review,
    Section,
    SectionSpec,
    SourceDoc,
    StyleGuide,
    Template,
    utcnow,
)
from drafter.prompts import PromptBundle, build_refine_prompt, build_section_prompt
from drafter.register import RegisterEntry, build_register
from drafter.roles import Role, load_roles
from drafter.settings import Settings
from drafter.stats import Statistics
from drafter.stats import compute as compute_statistics
from drafter.store import Store

log = logging.getLogger("drafter.service")
SectionCallback = Callable[[int, int, Section], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    label_statement: str
    produce_id: str
    content_sha256: str


def default_backends(settings: Settings) -> dict[str, Backend]:
    backends: dict[str, Backend] = {"offline": OfflineBackend()}
    remote = OpenAICompatBackend.from_settings(settings)
    if remote is not None:
        backends[remote.name] = remote
    return backends


def options_from_settings(settings: Settings) -> GenerationOptions:
    return GenerationOptions(
        temperature=settings.temperature, max_tokens=settings.max_tokens, timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
    )


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
        self.guard = Guard()
        self.calls = BackendCalls(settings, store, self.guard, self.options, self._refuse)

    @classmethod
    def from_settings(cls, settings: Settings, backends: dict[str, Backend] | None = None) -> DrafterService:
        catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
        store = Store.open(settings.sqlalchemy_url())
        return cls(settings, store, catalog, backends or default_backends(settings), options_from_settings(settings))

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

    # --- guard ------------------------------------------------------------------------------------

    def guard_policy(self, backend_name: str | None = None) -> BackendPolicy:
        """What the guard does for this backend: its clearance and how personal data is handled."""
        return policy_for(self.backend(backend_name), self.settings)

    def scan(self, text: str, backend_name: str | None = None) -> ScanReport:
        """Findings in `text` and the action the policy takes for each (the UI's preview before sending)."""
        return self.guard.scan(text, self.guard_policy(backend_name))

    def scan_file(self, path: Path, backend_name: str | None = None) -> Iterator[GuardFinding]:
        """Findings in a UTF-8 text file of any size (bounded memory); binary / non-UTF-8 files are refused."""
        return self.guard.scan_file(path, self.guard_policy(backend_name))

    def check_request(self, request: DraftRequest, user: str) -> ScanReport:
        """Validate a request and apply the guard's request rules; a refusal is audited and raised."""
        template, _ = self.validate_request(request)
        try:
            return self.guard.check_request(template, request, self.guard_policy(request.backend))
        except RefusedError as exc:
            self._refuse(user, "create_draft", None, exc)
            raise

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
        template, guide_id = self.validate_request(request)
        backend = self.backend(request.backend)
        guard_report = self.check_request(request, user)
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
                     "sources": [s.name for s in request.sources],
                     "guard": {"personal_data": guard_report.policy.personal_data, "found": guard_report.counts()}},
        )
        return draft

    def _begin_generation(self, draft_id: str, user: str) -> tuple[Draft, Template, StyleGuide, Backend]:
        """Load a draft waiting for (or resuming) generation, with its template, style guide and backend."""
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
        return draft, template, guide, backend

    def _save_generated(self, draft: Draft, section: Section, sections: list[Section], user: str) -> Draft:
        p = section.provenance
        return self.store.save_draft(
            draft.model_copy(update={"sections": sections}), expected_version=draft.version, actor=user,
            action="generated", content_changed=True,
            details={"section": section.id, "backend": p.backend, "model": p.model, "prompt_sha256": p.prompt_sha256},
        )

    def _generation_failed(self, draft: Draft, user: str, exc: DrafterError, section_id: str | None) -> None:
        """Leave the draft `failed` with the reason; what was generated so far is kept for a retry."""
        details: dict[str, Any] = {"error": str(exc)}
        if section_id:
            details["section"] = section_id
        self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.failed, "error": str(exc)}),
            expected_version=draft.version, actor=user, action="generation_failed", details=details,
        )

    def _generation_finished(self, draft: Draft, user: str) -> Draft:
        finished = self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.draft}),
            expected_version=draft.version, actor=user, action="generation_finished",
            details={"sections": len(draft.sections)},
        )
        self.run_checks(finished)
        return finished

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

    def _ai_section(
        self, spec: SectionSpec, text: str, backend: Backend, prompt: PromptBundle, user: str,
        evidence: list[tuple[int, str]] | None = None,
    ) -> Section:
        return Section(
            id=spec.id,
            heading=spec.heading,
            text=text.strip(),
            provenance=Provenance(
                origin=Origin.ai, backend=backend.name, model=backend.model, prompt_sha256=prompt.sha256,
                generated_at=utcnow(), author=user, ai_text=text.strip(),
            ),
            citations=resolve_citations(text, prompt.sources, evidence or []),
        )

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
        text = self.calls.call(backend, prompt, draft, user=user)
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
        saved = self.store.save_draft(
            draft.model_copy(update={"sections": sections, "status": status}),
            expected_version=expected_version if expected_version is not None else draft.version,
            actor=user, action=action, details=details, content_changed=True,
        )
        self.run_checks(saved)
        return saved

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

    # --- simplification ---------------------------------------------------------------------------

    def start_simplification(
        self, text: str, *, title: str, audience: str, user: str, backend: str | None = None,
        language: str | None = None, source_name: str = "original",
    ) -> Draft:
        """Save a simplification request as a draft (sections are added by `generate_simplified`)."""
        from drafter.simplify import TEMPLATES, guide_for
        from drafter.simplify_rules import detect_language, segment

        if not text.strip():
            raise InputError("The text to simplify is empty.")
        language = language or detect_language(text)
        guide_id = guide_for(audience, language)
        if not segment(text, language):
            raise InputError("No sections were found in the text to simplify.")
        request = DraftRequest(
            template_id=TEMPLATES[language], inputs={"title": title, "audience": audience},
            sources=[SourceDoc(name=source_name, text=text)], style_guide_id=guide_id, backend=backend,
        )
        template, _ = self.validate_request(request)
        chosen = self.backend(backend)
        # One guard decision for the whole document before any segment can be sent: a marking anywhere
        # blocks every segment for a backend without clearance (segments are also re-checked per call).
        guard_report = self.check_request(request, user)
        now = utcnow()
        draft = Draft(
            id=uuid.uuid4().hex[:12], template_id=template.id, style_guide_id=guide_id, language=language,
            title=title, status=DraftStatus.generating, author=user, backend=chosen.name, version=1, sections=[],
            request=request.model_copy(update={"backend": chosen.name}), created_at=now, updated_at=now,
            updated_by=user,
        )
        return self.store.create_draft(
            draft, actor=user, details={"template": template.id, "style_guide": guide_id, "audience": audience,
                                        "backend": chosen.name, "sources": [source_name],
                                        "guard": {"personal_data": guard_report.policy.personal_data,
                                                  "found": guard_report.counts()}},
        )

    def generate_simplified(
        self, draft_id: str, user: str, *, concurrency: int = 1, on_section: SectionCallback | None = None
    ) -> Draft:
        """Simplify each segment not yet done, up to `concurrency` at once; each is saved as it finishes.

        With a language model, a segment that misses its readability target or loses a fact is retried once
        with the problems fed back; if it still fails it is kept and flagged for the reviewer.
        """
        from concurrent.futures import ThreadPoolExecutor, as_completed

        from drafter.prompts import build_simplify_prompt
        from drafter.simplify import evaluate
        from drafter.simplify_rules import segment

        draft, template, guide, backend = self._begin_generation(draft_id, user)
        segments = segment(draft.request.sources[0].text, draft.language)
        order = {seg.id: i for i, seg in enumerate(segments)}
        done = {s.id for s in draft.sections}
        todo = [seg for seg in segments if seg.id not in done]

        def work(seg: Any) -> Section:
            spec = template.sections[0].model_copy(update={"id": seg.id, "heading": seg.heading})
            prompt = build_simplify_prompt(template, guide, spec, seg.text)
            text = self.calls.call(backend, prompt, draft, user=user)
            result = evaluate(seg.text, text, guide)
            attempts = 1
            if result.problems and backend.name != "offline":
                prompt = build_simplify_prompt(template, guide, spec, seg.text, feedback=result.problems)
                text = self.calls.call(backend, prompt, draft, user=user)
                result = evaluate(seg.text, text, guide)
                attempts = 2
            section = self._ai_section(spec, text, backend, prompt, user)
            return section.model_copy(update={
                "original": seg.text,
                "metrics": {**result.as_dict(), "blocking": result.blocking, "problems": result.problems,
                            "attempts": attempts},
            })

        count = len(done)
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            futures = {pool.submit(work, seg): seg for seg in todo}
            try:
                for future in as_completed(futures):
                    section = future.result()
                    sections = sorted([*draft.sections, section], key=lambda s: order.get(s.id, 0))
                    draft = self._save_generated(draft, section, sections, user)
                    count += 1
                    if on_section:
                        on_section(count, len(segments), section)
            except DrafterError as exc:
                for f in futures:
                    f.cancel()
                self._generation_failed(draft, user, exc, None)
                raise
        return self._generation_finished(draft, user)

    def simplify(
        self, text: str, *, title: str, audience: str, user: str, backend: str | None = None,
        concurrency: int = 1, on_section: SectionCallback | None = None,
    ) -> Draft:
        draft = self.start_simplification(text, title=title, audience=audience, user=user, backend=backend)
        return self.generate_simplified(draft.id, user, concurrency=concurrency, on_section=on_section)

    # --- review -----------------------------------------------------------------------------------

    def _refuse(self, user: str, action: str, draft_id: str | None, exc: RefusedError) -> None:
        log.info("refused", extra={"draft_id": draft_id, "action": action})
        self.store.append_audit(user, "refused", draft_id, {"action": action, "reason": str(exc)})

    def _require_reviewer(self, user: str, action: str, draft_id: str) -> None:
        """Where roles are configured (DRAFTER_ROLES / DRAFTER_ROLES_FILE), only reviewers decide on drafts."""
        roles = load_roles(self.settings)
        if roles.configured and not roles.has(user, Role.reviewer):
            exc = RefusedError(f"{user} does not have the reviewer role, so cannot {action.replace('_', ' ')}; "
                               "an administrator grants roles in DRAFTER_ROLES.")
            self._refuse(user, action, draft_id, exc)
            raise exc

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
        self._require_reviewer(user, "approve", draft_id)
        draft = self.store.get_draft(draft_id)
        current = self._current_findings(draft)
        open_blocking = [f for f in current
                         if f.severity == FindingSeverity.blocking and f.status == FindingStatus.open]
        try:
            rules.check_approve(draft, user, checklist, expected_version, open_blocking)
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
            details={"content_sha256": draft.content_sha256, "checklist": checklist.model_dump(),
                     "findings": checks.summary(current)},
            review=review,
        )

    def request_changes(self, draft_id: str, user: str, comment: str) -> Draft:
        self._require_reviewer(user, "request_changes", draft_id)
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

    # --- checks: unsupported facts, style lint, readability ------------------------------------------

    def run_checks(self, draft: Draft) -> list[Finding]:
        """Check the draft's current content and store the findings, keeping waivers that still apply."""
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        now = utcnow()
        current = checks.check_draft(draft, template, guide, now=now)
        merged = self.store.update_findings(draft.id, lambda previous: checks.merge(
            previous, current, now=now, content_sha256=draft.content_sha256))
        return checks.sort_findings(merged, [s.id for s in draft.sections])

    def _current_findings(self, draft: Draft) -> list[Finding]:
        """Stored findings if they were computed on this content, else checked afresh (and stored)."""
        stored = self.store.findings(draft.id)
        current = draft.content_sha256  # hashes the whole draft: compute it once, not once per finding
        if not draft.sections or (stored and all(f.content_sha256 == current for f in stored)):
            return checks.sort_findings(stored, [s.id for s in draft.sections])
        return self.run_checks(draft)  # never checked, or changed behind the service's back

    def findings(self, draft_id: str, *, include_resolved: bool = False) -> list[Finding]:
        """The draft's findings, most severe first; open before waived; resolved ones only if asked."""
        found = self._current_findings(self.store.get_draft(draft_id))
        return [f for f in found if include_resolved or f.status != FindingStatus.resolved]

    def waive(self, draft_id: str, finding_id: str, reason: str, user: str) -> Finding:
        """Waive one finding with a written reason; recorded in the audit log and the exported provenance."""
        if len(reason.strip()) < 5:
            raise InputError("Say why this finding can be waived: a reason of a few words is required.")
        self._require_reviewer(user, "waive", draft_id)
        draft = self.store.get_draft(draft_id)
        current = self._current_findings(draft)  # make sure the id refers to the current text
        finding = next((f for f in current if f.id == finding_id), None)
        if finding is not None and finding.severity == FindingSeverity.blocking and user == draft.author:
            exc = RefusedError(
                f"{user} wrote draft {draft.id}; a blocking finding must be waived by a reviewer, not the author."
            )
            self._refuse(user, "waive", draft.id, exc)
            raise exc
        return self.store.waive_finding(draft_id, finding_id, reason=reason.strip(), user=user)

    def readability(self, draft_id: str) -> dict[str, dict[str, Any]]:
        """Readability of each section (English: textstat scores; Chinese: sentence length, uncommon share)."""
        draft = self.store.get_draft(draft_id)
        return {s.id: readability_measures.measure(s.text, draft.language).as_dict() for s in draft.sections}

    def evaluate(self, folder: Path, backend: str | None = None) -> EvalReport:
        """Run a folder of evaluation cases through drafting, in a scratch store that is thrown away."""
        from drafter.checks.evaluate import run_eval

        with tempfile.TemporaryDirectory(prefix="drafter-eval-") as tmp:
            scratch = DrafterService(
                self.settings.model_copy(update={"data_dir": Path(tmp), "database_url": None}),
                Store.open(f"sqlite:///{Path(tmp) / 'eval.db'}"), self.catalog, self.backends, self.options,
            )
            try:
                return run_eval(scratch, folder, backend)
            finally:
                scratch.store.engine.dispose()

    # --- export and verification ------------------------------------------------------------------

    def export(self, draft_id: str, output: Path, user: str, *, include_original: bool = False) -> ExportResult:
        """Write the approved draft to .docx; `include_original` adds each simplified section's source text."""
        draft = self.store.get_draft(draft_id)
        try:
            approval = rules.check_export(draft, self.store.latest_approval(draft_id))
            rules.check_approval_recorded(
                draft, approval, self.store.audit_events(draft_id), self.store.verify_draft_events(draft_id)
            )
        except RefusedError as exc:
            self._refuse(user, "export", draft_id, exc)
            raise
        check_writable(output)
        template = self.catalog.template(draft.template_id)
        label = build_label(
            draft, approval, system=self.settings.system_name, organisation=self.settings.organisation,
            exported_by=user, exported_at=utcnow(), findings=self._current_findings(draft),
        )
        doc = build_document(draft, template, label, include_original=include_original)
        try:
            save_atomically(doc, output)
        except OSError as exc:
            raise InputError(f"Could not write {output}: {exc.strerror or exc}. Nothing was exported.") from exc
        produce_id = label.aigc["AIGC"]["ProduceID"]
        log.info("exported", extra={"draft_id": draft_id, "action": "export"})
        self.store.append_audit(
            user, "exported", draft_id,
            {"path": str(output), "produce_id": produce_id, "content_sha256": draft.content_sha256,
             "label": label.statement, "checks_run": checks.checks_run(draft, template)},
        )
        return ExportResult(output, label.statement, produce_id, draft.content_sha256)

    def gongwen_issues(self, draft_id: str) -> list[GongwenIssue]:
        """The 公文 format and style rules (drafter.gongwen) for a draft; empty for other templates."""
        draft = self.store.get_draft(draft_id)
        return check_gongwen(self.catalog.template(draft.template_id), draft.request.inputs, draft.sections)

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

    def register(self, since: datetime | None = None) -> list[RegisterEntry]:
        """The AI-use register: one entry per exported document."""
        kinds = {t.id: t.kind for t in self.catalog.templates.values()}
        return build_register(self.store, kinds, since)

    def statistics(self) -> Statistics:
        """Usage statistics (weekly activity, approval times, findings, failures, tokens and cost)."""
        return compute_statistics(self.store, self.register(), self.settings.prices)

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        return self.store.llm_calls(draft_id)

    def backend_status(self, *, check: bool = False) -> list[dict[str, Any]]:
        """The configured backends; with `check`, whether each can be reached now."""
        out = []
        for name, b in self.backends.items():
            row: dict[str, Any] = {"name": name, "model": b.model, "external": b.external,
                                   "endpoint": b.endpoint(), "default": name == self.settings.backend,
                                   "description": b.description}
            if check:
                row["reachable"], row["check"] = b.check(self.options)
            out.append(row)
        return out
