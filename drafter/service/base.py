"""What every use case shares: settings, store, catalog, backends, the guard, audited refusals, the one draft
factory, the generation steps (begin, save a section, fail, finish) and the checks run after a change."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from drafter.backends.base import Backend, GenerationOptions
from drafter.backends.registry import configured_backends
from drafter.catalog import Catalog
from drafter.checks import runner as checks
from drafter.citations import resolve_citations
from drafter.errors import ConflictError, DrafterError, InputError, RefusedError
from drafter.guard.engine import Guard
from drafter.guard.policy import BackendPolicy, ScanFinding, ScanReport, policy_for
from drafter.labeling import origin_from_spans
from drafter.models import (
    Draft,
    DraftRequest,
    DraftStatus,
    Finding,
    LLMCall,
    Provenance,
    Section,
    SectionSpec,
    SourceDoc,
    StyleGuide,
    Template,
    user_name,
    utcnow,
)
from drafter.prompts import PromptBundle
from drafter.review import action_text
from drafter.roles import Role, load_roles
from drafter.service.calls import BackendCalls
from drafter.settings import Settings
from drafter.spans import compute as compute_spans
from drafter.spans import drop_repeated_quotes, quotes
from drafter.store import SaveStep, Store

log = logging.getLogger("drafter.service")
SectionCallback = Callable[[int, int, Section], None]


def default_backends(settings: Settings) -> dict[str, Backend]:
    return configured_backends(settings)


def options_from_settings(settings: Settings) -> GenerationOptions:
    return GenerationOptions(
        temperature=settings.temperature, max_tokens=settings.max_tokens, timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
    )


class ServiceBase:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalog: Catalog,
        backends: dict[str, Backend] | None = None,
        options: GenerationOptions | None = None,
    ):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self._backends = backends
        self.options = options or GenerationOptions()
        self.guard = Guard()
        self.calls = BackendCalls(settings, store, self.guard, self.options, self._refuse)

    @classmethod
    def from_settings(cls, settings: Settings, backends: dict[str, Backend] | None = None) -> Any:
        catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
        store = Store.open(settings.sqlalchemy_url())
        return cls(settings, store, catalog, backends, options_from_settings(settings))

    @property
    def backends(self) -> dict[str, Backend]:
        """The configured backends, built on first use (so listing templates loads no LLM client)."""
        if self._backends is None:
            self._backends = default_backends(self.settings)
        return self._backends

    # --- catalog ----------------------------------------------------------------------------------

    @contextmanager
    def scratch(self, prefix: str) -> Iterator[Any]:
        """A copy of this service on a throwaway SQLite store (same catalog and backends), for evaluation runs;
        the store and its folder are gone afterwards."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            scratch = type(self)(
                self.settings.model_copy(update={"data_dir": Path(tmp), "database_url": None}),
                Store.open(f"sqlite:///{Path(tmp) / 'eval.db'}"), self.catalog, self.backends, self.options,
            )
            try:
                yield scratch
            finally:
                scratch.store.engine.dispose()

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
            raise InputError(
                "Unknown or unconfigured backend {name!r}; available: {known}.",
                name=name, known=known,
            ) from None

    # --- guard ------------------------------------------------------------------------------------

    def guard_policy(self, backend_name: str | None = None) -> BackendPolicy:
        """What the guard does for this backend: its clearance and how personal data is handled."""
        return policy_for(self.backend(backend_name), self.settings)

    def scan(self, text: str, backend_name: str | None = None) -> ScanReport:
        """Findings in `text` and the action the policy takes for each (the UI's preview before sending)."""
        return self.guard.scan(text, self.guard_policy(backend_name))

    def scan_file(self, path: Path, backend_name: str | None = None) -> Iterator[ScanFinding]:
        """Findings in a UTF-8 text file of any size (bounded memory); binary / non-UTF-8 files are refused."""
        return self.guard.scan_file(path, self.guard_policy(backend_name))

    def _guard_request(self, template: Template, request: DraftRequest, backend: Backend, user: str) -> ScanReport:
        """The guard's request rules (risk tier, decisions about people, markings); a refusal is audited."""
        with self._audited(user, "create_draft", None):
            return self.guard.check_request(template, request, policy_for(backend, self.settings))

    # --- users ---------------------------------------------------------------------------------------

    @staticmethod
    def _user(user: str) -> str:
        """The acting user's name in its one stored form (see models.user_name); every use case taking `user`
        calls this first, so "alice ", "ALICE" and another Unicode form of alice are all alice."""
        return user_name(user)

    # --- refusals and roles -------------------------------------------------------------------------

    def _refuse(self, user: str, action: str, draft_id: str | None, exc: RefusedError) -> None:
        log.info("refused", extra={"draft_id": draft_id, "action": action})
        self.store.append_audit(user, "refused", draft_id, {"action": action, "reason": exc.english})

    @contextmanager
    def _audited(self, user: str, action: str, draft_id: str | None) -> Iterator[None]:
        """A refusal raised inside is recorded in the audit log, then raised on to the caller."""
        try:
            yield
        except RefusedError as exc:
            self._refuse(user, action, draft_id, exc)
            raise

    def _require_reviewer(self, user: str, action: str, draft_id: str) -> None:
        """Where roles are configured (DRAFTER_ROLES / DRAFTER_ROLES_FILE), only reviewers decide on drafts."""
        roles = load_roles(self.settings)
        if roles.configured and not roles.has(user, Role.reviewer):
            with self._audited(user, action, draft_id):
                raise RefusedError(
                    "{user} does not have the reviewer role, so cannot {action}; an administrator grants "
                    "roles in DRAFTER_ROLES.",
                    user=user, action=action_text(action),
                )

    # --- the one draft factory and the generation steps ------------------------------------------------

    def _new_draft(
        self, template: Template, guide_id: str, backend: Backend, request: DraftRequest, user: str,
        *, title: str, language: str,
    ) -> Draft:
        """A draft waiting for generation, with the request as it will be generated."""
        now = utcnow()
        return Draft(
            id=uuid.uuid4().hex[:12], template_id=template.id, style_guide_id=guide_id, language=language,
            title=title, status=DraftStatus.generating, author=user, backend=backend.name, version=1, sections=[],
            request=request.model_copy(update={"style_guide_id": guide_id, "backend": backend.name}),
            created_at=now, updated_at=now, updated_by=user,
        )

    def _begin_generation(
        self, draft_id: str, user: str, *, saved: Draft | None = None
    ) -> tuple[Draft, Template, StyleGuide, Backend]:
        """Load a draft waiting for (or resuming) generation, with its template, style guide and backend.

        `saved` is the draft as the caller has just saved it: it is used instead of reading it back (a change
        made since is still found, as the sections are saved only over the version they started from).
        """
        draft = saved if saved is not None and saved.id == draft_id else self.store.get_draft(draft_id)
        if draft.status not in (DraftStatus.generating, DraftStatus.failed):
            raise RefusedError(
                "Draft {draft_id} is {status}; it has already been generated.",
                draft_id=draft.id, status=draft.status.text(),
            )
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
        return self.store.save_draft_steps([self._generated_step(draft, section, sections, user)])

    def _generated_step(self, draft: Draft, section: Section, sections: list[Section], user: str) -> SaveStep:
        """The save of a newly generated section (with its audit event), to write now or with others."""
        p = section.provenance
        return SaveStep(
            draft.model_copy(update={"sections": sections}), draft.version, user, "generated",
            {"section": section.id, "backend": p.backend, "model": p.model, "prompt_sha256": p.prompt_sha256},
            content_changed=True,
        )

    def _save_pending(self, draft: Draft, pending: list[SaveStep], held: list[LLMCall] | None = None) -> Draft:
        """Write generated sections and call-log rows held back (a backend without a language model), in one
        transaction."""
        if not pending:
            if held:
                self.store.record_llm_calls(held)
                held.clear()
            return draft
        saved = self.store.save_draft_steps(pending, list(held or []))
        pending.clear()
        if held:
            held.clear()
        return saved

    def _generation_failed(self, draft: Draft, user: str, exc: DrafterError, section_id: str | None) -> None:
        """Leave the draft `failed` with the reason; what was generated so far is kept for a retry."""
        details: dict[str, Any] = {"error": exc.english}  # records are language-neutral
        if section_id:
            details["section"] = section_id
        self.store.save_draft(
            draft.model_copy(update={"status": DraftStatus.failed, "error": exc.english}),
            expected_version=draft.version, actor=user, action="generation_failed", details=details,
        )

    def _generation_finished(
        self, draft: Draft, user: str, pending: list[SaveStep] | None = None, held: list[LLMCall] | None = None
    ) -> Draft:
        """Mark the draft generated and check it: the sections and call-log rows held back, the status and the
        findings are written in one transaction."""
        final = draft.model_copy(update={"status": DraftStatus.draft})
        steps = [*(pending or []), SaveStep(final, draft.version, user, "generation_finished",
                                            {"sections": len(draft.sections)})]
        return self._save_checked(steps, final, user, held)

    def _save_checked(self, steps: list[SaveStep], final: Draft, user: str, held: list[LLMCall] | None = None) -> Draft:
        """Save `steps` (ending with `final`), the call-log rows `held` back and `final`'s findings in one
        transaction. The text is saved whatever the checks, or storing their findings, do: if they fail, the steps
        are saved without them and the checks' error is raised (the findings are checked afresh when next read)."""
        calls = list(held or [])
        try:
            # the checks read only the content, which saving does not change
            finished = self.store.save_draft_steps(steps, calls, merge_findings=self._checked(final))
        except ConflictError:
            raise
        except Exception:
            try:
                self.store.save_draft_steps(steps, calls)
            except Exception:
                # a conflict, or call rows already there: the first save may have been written after all
                stored = self._stored_if_saved(final, steps[0].expected_version + len(steps), user)
                if stored is None:
                    raise
                if held:
                    held.clear()  # recorded by the first save
                raise DrafterError(
                    "The connection to the database was lost while draft {draft_id} was being saved, after the "
                    "save had been written: the draft is saved at version {version} with its {sections} sections, "
                    "and nothing was lost. Reload it to go on.",
                    draft_id=final.id, version=stored.version, sections=len(stored.sections),
                ) from None
            if held:
                held.clear()
            raise
        if held:
            held.clear()
        return finished

    def _stored_if_saved(self, final: Draft, version: int, user: str) -> Draft | None:
        """After the fallback save failed: the stored draft if it is the first save's result (its COMMIT reached
        the database but the answer was lost with the connection), else None. The fallback's own error (a conflict
        with that very save, or its call rows already stored) would then be untrue."""
        try:
            stored = self.store.get_draft(final.id)
        except Exception:
            return None  # the database is still out of reach: the first error says why
        same = (stored.version == version and stored.updated_by == user and stored.status == final.status
                and stored.content_sha256 == final.content_sha256)
        return stored if same else None

    def _ai_section(
        self, spec: SectionSpec, text: str, backend: Backend, prompt: PromptBundle, user: str,
        evidence: list[tuple[int, str]] | None = None, earlier: list[Section] | None = None,
    ) -> Section:
        """A section a backend wrote; its spans, and so its origin, come from matching the text.

        Text assembled by rule does not quote a source sentence an `earlier` section already quoted.
        """
        text = text.strip()
        language_model = backend.capabilities.language_model
        # the text being simplified is the person's document: what is carried over unchanged is theirs
        given = [prompt.current_text or ""] if prompt.task == "simplify" else []
        material = ([*given, *prompt.inputs.values()], _named(prompt.sources))
        spans = compute_spans(text, *material, language_model=language_model)
        if earlier and not language_model:
            used = set().union(*(quotes(s.text, s.spans) for s in earlier))
            kept = drop_repeated_quotes(text, spans, used)
            if kept != text:
                text, spans = kept, compute_spans(kept, *material, language_model=language_model)
        return Section(
            id=spec.id,
            heading=spec.heading,
            text=text,
            provenance=Provenance(
                origin=origin_from_spans(spans), backend=backend.name, model=backend.model,
                prompt_sha256=prompt.sha256, generated_at=utcnow(), author=user, ai_text=text,
                language_model=language_model,
            ),
            citations=resolve_citations(text, prompt.sources, evidence or []),
            spans=spans,
        )

    def _span_material(self, draft: Draft) -> tuple[list[str], list[tuple[str, str]]]:
        """What a section's text is matched against: the person's words, and the sources a machine quotes.

        The document being simplified is the person's own text, not a source quoted by a machine.
        """
        if self.catalog.template(draft.template_id).workflow == "simplify":
            return [s.text for s in draft.request.sources], []
        return list(draft.request.inputs.values()), _named(draft.request.sources)

    # --- checks: run after every change ----------------------------------------------------------------

    def run_checks(self, draft: Draft) -> list[Finding]:
        """Check the draft's current content and store the findings, keeping waivers that still apply."""
        merged = self.store.update_findings(draft.id, self._checked(draft))
        return checks.sort_findings(merged, [s.id for s in draft.sections])

    def _checked(self, draft: Draft) -> Callable[[list[Finding]], list[Finding]]:
        """Check the draft's content now; the result merges the findings with the stored ones (their waivers)."""
        template = self.catalog.template(draft.template_id)
        guide = self.catalog.style_guide(draft.style_guide_id)
        now = utcnow()
        current = checks.check_draft(draft, template, guide, now=now)
        sha = draft.content_sha256
        return lambda previous: checks.merge(previous, current, now=now, content_sha256=sha)

    def _current_findings(self, draft: Draft, stored: list[Finding] | None = None) -> list[Finding]:
        """Stored findings if they were computed on this content, else checked afresh (and stored).

        `stored`: the draft's stored findings when the caller has just read them (with the draft, in one snapshot).
        """
        stored = self.store.findings(draft.id) if stored is None else stored
        current = draft.content_sha256  # hashes the whole draft: compute it once, not once per finding
        if not draft.sections or (stored and all(f.content_sha256 == current for f in stored)):
            return checks.sort_findings(stored, [s.id for s in draft.sections])
        return self.run_checks(draft)  # never checked, or changed behind the service's back


def _named(sources: list[SourceDoc]) -> list[tuple[str, str]]:
    return [(s.name, s.text) for s in sources]
