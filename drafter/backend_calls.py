"""Every call to a backend: guarded before it leaves, streamed or structured, retried when a stream is cut,
and recorded in the store (in the shape of simonw/llm's `responses` table) whether it succeeds or fails.

The service owns one `BackendCalls` and routes every generation, refinement and simplification through it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from drafter.backends.base import Backend, CallReport, GenerationOptions, StreamInterrupted
from drafter.backends.structured import CitedSection
from drafter.errors import BackendError, DrafterError, RefusedError
from drafter.guard.engine import Guard, request_parts
from drafter.guard.policy import BackendPolicy, policy_for
from drafter.guard.pseudonymise import Pseudonymiser
from drafter.models import Draft, LLMCall, utcnow
from drafter.prompts import PromptBundle
from drafter.settings import Settings
from drafter.store import Store

log = logging.getLogger("drafter.service")
TokenCallback = Callable[[str, str], None]  # (section id, piece of text)
RetryCallback = Callable[[str, str], None]  # (section id, why): text streamed so far for it is void
RefuseCallback = Callable[[str, str, "str | None", RefusedError], None]


class BackendCalls:
    def __init__(
        self, settings: Settings, store: Store, guard: Guard, options: GenerationOptions, refuse: RefuseCallback
    ):
        self.settings = settings
        self.store = store
        self.guard = guard
        self.options = options
        self._refuse = refuse
        # sections generated concurrently (simplification) must not hand out the same placeholder twice
        self._pseudonym_lock = threading.Lock()
        # (draft id, policy) pairs whose whole request passed the marking check; a draft's request never changes
        self._cleared: set[tuple[str, BackendPolicy]] = set()

    def guarded_prompt(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, user: str | None
    ) -> tuple[PromptBundle, Pseudonymiser]:
        """The prompt as it may be sent to `backend`, or a refusal (audited; nothing is sent)."""
        actor = user or draft.updated_by or draft.author
        with self._pseudonym_lock:
            mapping, types = self.store.guard_mapping(draft.id)
            pseudonymiser = Pseudonymiser(mapping, types)
            try:
                policy = policy_for(backend, self.settings)
                # The whole document's markings decide, not only the part in this prompt: a segment or a
                # section sent alone must not leave when another part of the same request is marked.
                self._check_document(draft, prompt, policy)
                sent, _ = self.guard.prepare_prompt(prompt, policy, pseudonymiser)
            except RefusedError as exc:
                self._refuse(actor, "backend_call", draft.id, exc)
                raise
            if pseudonymiser.new:
                # Saved before the call, so the output can always be restored.
                self.store.add_guard_pseudonyms(draft.id, pseudonymiser.new)
        if pseudonymiser.new:
            counts: dict[str, int] = {}
            for _, kind, _ in pseudonymiser.new:
                counts[kind] = counts.get(kind, 0) + 1
            self.store.append_audit(actor, "pseudonymised", draft.id, {"backend": backend.name, "new": counts})
        return sent, pseudonymiser

    def _check_document(self, draft: Draft, prompt: PromptBundle, policy: BackendPolicy) -> None:
        key = (draft.id, policy)
        if key in self._cleared:
            return
        self.guard.check_markings(request_parts(prompt.template, draft.request), policy)
        self._cleared.add(key)

    def call(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, *, on_token: TokenCallback | None = None,
        on_retry: RetryCallback | None = None,
        user: str | None = None,
    ) -> str:
        """One guarded, streamed section, retried from the start if the stream is cut; every attempt is recorded.

        The guard runs once, before anything is sent; the call log records the prompt as sent (pseudonymised).
        """
        prompt, pseudonymiser = self.guarded_prompt(backend, prompt, draft, user)
        attempts = 1 + max(0, self.options.max_retries)
        for attempt in range(1, attempts + 1):
            try:
                return self._stream_once(backend, prompt, draft, on_token, pseudonymiser)
            except StreamInterrupted as exc:
                if attempt == attempts:
                    raise BackendError(
                        f"{exc} Gave up after {attempts} attempt{'s' if attempts > 1 else ''}. "
                        "The draft is kept; retry with `drafter generate`."
                    ) from exc
                if on_retry:
                    on_retry(prompt.section.id, str(exc))
                time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        raise AssertionError("unreachable")

    def _stream_once(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, on_token: TokenCallback | None,
        pseudonymiser: Pseudonymiser,
    ) -> str:
        started = time.perf_counter()
        report = CallReport()
        pieces: list[str] = []
        error: str | None = None

        def received() -> Any:
            for piece in backend.stream(prompt, self.options, report):
                pieces.append(piece)
                yield piece

        try:
            for piece in pseudonymiser.restore_stream(received()) if pseudonymiser.mapping else received():
                if on_token:
                    on_token(prompt.section.id, piece)
        except DrafterError as exc:
            error = str(exc)
            raise
        except Exception as exc:  # a backend bug must not lose the draft; report it clearly
            error = f"{type(exc).__name__}: {exc}"
            raise BackendError(f"Backend {backend.name} failed: {error}") from exc
        finally:
            # a cut stream keeps its partial text here: the log shows what arrived before the drop
            self._record(backend, prompt, draft, "".join(pieces), report, started, error)
        return pseudonymiser.restore("".join(pieces)).strip()

    def call_structured(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, *, user: str | None = None
    ) -> tuple[str, list[tuple[int, str]]]:
        """One guarded section as structured output (text + supporting quotes), recorded like any call."""
        prompt, pseudonymiser = self.guarded_prompt(backend, prompt, draft, user)
        started = time.perf_counter()
        report = CallReport()
        error: str | None = None
        try:
            result = backend.structured(prompt, CitedSection, self.options, report)
        except DrafterError as exc:
            error = str(exc)
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise BackendError(f"Backend {backend.name} failed: {error}") from exc
        finally:
            self._record(backend, prompt, draft, "\n\n".join(report.raw), report, started, error,
                         structured=True)
        restore = pseudonymiser.restore
        return restore(result.text).strip(), [(e.source, restore(e.quote)) for e in result.evidence]

    def _record(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, response: str, report: CallReport,
        started: float, error: str | None, *, structured: bool = False,
    ) -> None:
        options: dict[str, object] = {
            "temperature": self.options.temperature, "max_tokens": self.options.max_tokens,
            "timeout_s": self.options.timeout_s, "max_retries": self.options.max_retries,
            "task": prompt.task, "section": prompt.section.id, "requests": report.requests,
        }
        if structured:
            options["structured"] = True
        if report.finish_reason:
            options["finish_reason"] = report.finish_reason
        duration_ms = int((time.perf_counter() - started) * 1000)
        log.info("backend call", extra={"draft_id": draft.id, "backend": backend.name, "model": backend.model,
                                        "section": prompt.section.id, "duration_ms": duration_ms,
                                        "error_type": error.split(":")[0] if error else None})
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
                response=response,
                options=options,
                input_tokens=report.input_tokens,
                output_tokens=report.output_tokens,
                duration_ms=duration_ms,
                datetime_utc=utcnow(),
                error=error,
            )
        )
