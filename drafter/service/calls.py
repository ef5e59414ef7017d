"""Every call to a backend: guarded before it leaves, streamed or structured, retried when a stream is cut,
and recorded in the store (in the shape of simonw/llm's `responses` table) whether it succeeds or fails.

The behaviour is added by wrapping the backend (`drafter.backends.wrappers`): Retrying(Guarded(Recording(b))).
This module supplies what the wrappers call: the guard's decision and pseudonymisation for the draft, and the
call log row.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from drafter.backends.base import Backend, CallReport, ChatRequest, GenerationOptions
from drafter.backends.wrappers import CallRecord, Gated, Guarded, Recording, Retrying
from drafter.errors import RefusedError
from drafter.guard.engine import Guard, request_parts
from drafter.guard.policy import BackendPolicy, policy_for
from drafter.guard.pseudonymise import Pseudonymiser
from drafter.models import Draft, LLMCall, Template, utcnow
from drafter.prompts import PromptBundle, messages_sha256, prompt_text, system_text
from drafter.settings import Settings
from drafter.store import Store

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger("drafter.service")
TokenCallback = Callable[[str, str], None]  # (section id, piece of text)
RetryCallback = Callable[[str, str], None]  # (section id, why): text streamed so far for it is void
RefuseCallback = Callable[[str, str, "str | None", RefusedError], None]


@dataclass
class _Prepared:
    request: ChatRequest
    pseudonymiser: Pseudonymiser

    def restore(self, text: str) -> str:
        return self.pseudonymiser.restore(text)

    def restore_stream(self, pieces: Iterator[str]) -> Iterator[str]:
        if not self.pseudonymiser.mapping:
            return pieces
        return iter(self.pseudonymiser.restore_stream(pieces))


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
        # (draft id, policy, digest of the request's text) whose whole request passed the marking check. The digest
        # is of the request as read now: the service never changes a saved request, but the database can be
        # changed behind it, and a clearance must not outlive the text it was given for.
        self._cleared: set[tuple[str, BackendPolicy, bytes]] = set()
        # draft id → call-log rows held back to be written with the draft's next save (one commit, not one each)
        self._held: dict[str, list[LLMCall]] = {}
        self._held_lock = threading.Lock()
        # draft id → its pseudonym mapping, kept while its rows are held (a generation run in this process, the
        # draft's one writer): read once, then extended with what this process adds, instead of a read per call
        self._mappings: dict[str, tuple[dict[str, str], dict[str, str]]] = {}

    # --- what the wrappers call ---------------------------------------------------------------------

    def _prepare(
        self, backend: Backend, draft: Draft, template: Template, actor: str, request: ChatRequest
    ) -> _Prepared:
        """The request as it may be sent to `backend`, or a refusal (audited; nothing is sent)."""
        policy = policy_for(backend, self.settings)
        with self._pseudonym_lock:
            # a backend that may receive personal data gets the text as it is: no placeholder is sent, so none
            # needs restoring, and the draft's mapping need not be read
            mapping, types = self._mapping(draft.id) if policy.personal_data == "pseudonymise" else ({}, {})
            pseudonymiser = Pseudonymiser(mapping, types)  # it works on its own copy
            try:
                # The whole document's markings decide, not only the part in this prompt: a segment or a
                # section sent alone must not leave when another part of the same request is marked.
                self._check_document(draft, template, policy)
                sent, _ = self.guard.prepare_prompt(request, policy, pseudonymiser)
            except RefusedError as exc:
                self._refuse(actor, "backend_call", draft.id, exc)
                raise
            if pseudonymiser.new:
                # Saved before the call, so the output can always be restored.
                self.store.add_guard_pseudonyms(draft.id, pseudonymiser.new)
                if draft.id in self._mappings:
                    for placeholder, kind, original in pseudonymiser.new:
                        mapping[placeholder], types[placeholder] = original, kind
        if pseudonymiser.new:
            counts: dict[str, int] = {}
            for _, kind, _ in pseudonymiser.new:
                counts[kind] = counts.get(kind, 0) + 1
            self.store.append_audit(actor, "pseudonymised", draft.id, {"backend": backend.name, "new": counts})
        return _Prepared(sent, pseudonymiser)

    def _mapping(self, draft_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """The draft's stored pseudonym mapping (called under the pseudonym lock)."""
        cached = self._mappings.get(draft_id)
        if cached is not None:
            return cached
        found = self.store.guard_mapping(draft_id)
        with self._held_lock:
            if draft_id in self._held:
                self._mappings[draft_id] = found
        return found

    def _check_document(self, draft: Draft, template: Template, policy: BackendPolicy) -> None:
        parts = request_parts(template, draft.request)
        digest = hashlib.blake2b(digest_size=32)
        for _, text in parts:
            digest.update(b"%d:" % len(text))
            digest.update(text.encode("utf-8", "surrogatepass"))
        key = (draft.id, policy, digest.digest())
        if key in self._cleared:
            return
        self.guard.check_markings(parts, policy)
        self._cleared.add(key)

    def _record(self, backend: Backend, draft: Draft, record: CallRecord) -> None:
        request, report = record.request, record.report
        options: dict[str, object] = {
            "temperature": self.options.temperature, "max_tokens": self.options.max_tokens,
            "timeout_s": self.options.timeout_s, "max_retries": self.options.max_retries,
            "task": request.task, "section": request.section_id, "requests": report.requests,
        }
        if record.structured:
            options["structured"] = True
        if request.context.get("house_style"):
            options["house_style"] = [e["id"] for e in request.context["house_style"]]
        if report.finish_reason:
            options["finish_reason"] = report.finish_reason
        error = record.error
        log.info("backend call", extra={"draft_id": draft.id, "backend": backend.name, "model": backend.model,
                                        "section": request.section_id, "duration_ms": record.duration_ms,
                                        "error_type": error.split(":")[0] if error else None})
        call = LLMCall(
            id=uuid.uuid4().hex,
            draft_id=draft.id,
            model=backend.model,
            backend=backend.name,
            template_id=draft.template_id,
            style_guide_id=draft.style_guide_id,
            system=system_text(request.messages),
            prompt=prompt_text(request.messages),
            prompt_sha256=messages_sha256(request.messages),
            response=record.response,
            options=options,
            input_tokens=report.input_tokens,
            output_tokens=report.output_tokens,
            duration_ms=record.duration_ms,
            datetime_utc=utcnow(),
            error=error,
        )
        with self._held_lock:
            held = self._held.get(draft.id)
            if held is not None:
                held.append(call)
                return
        self.store.record_llm_call(call)

    def hold(self, draft_id: str) -> list[LLMCall]:
        """From now on, keep `draft_id`'s call-log rows in the returned list instead of writing each at once.

        The caller writes them with its next save of the draft (and empties the list); `release` ends holding
        and writes whatever is still held, so no row is lost when the caller stops early.
        """
        with self._held_lock:
            return self._held.setdefault(draft_id, [])

    def take_held(self, draft_id: str) -> list[LLMCall]:
        """The rows held for `draft_id` so far, taken out at once (calls made in other threads may add more
        meanwhile: none is lost or taken twice). Holding goes on."""
        with self._held_lock:
            held = self._held.get(draft_id)
            if not held:
                return []
            taken = held[:]
            held.clear()
            return taken

    def release(self, draft_id: str) -> None:
        with self._held_lock:
            held = self._held.pop(draft_id, [])
        with self._pseudonym_lock:
            self._mappings.pop(draft_id, None)
        self.store.record_llm_calls(held)

    def wrapped(
        self, backend: Backend, draft: Draft, template: Template, user: str | None,
        gate: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> Backend:
        """`backend` with the guard, retries and the call log around it, for calls about `draft`; with a `gate`,
        each attempt is sent only while the gate holds (and holds it only while it is at the backend)."""
        actor = user or draft.updated_by or draft.author
        recorded: Backend = Recording(backend, lambda record: self._record(backend, draft, record))
        if gate is not None:
            recorded = Gated(recorded, gate)
        guarded = Guarded(recorded, lambda request: self._prepare(backend, draft, template, actor, request))
        return Retrying(guarded, 1 + max(0, self.options.max_retries))

    # --- the calls the service makes ------------------------------------------------------------------

    def call(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, *, on_token: TokenCallback | None = None,
        on_retry: RetryCallback | None = None,
        user: str | None = None, gate: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> str:
        """One guarded, streamed section, retried from the start if the stream is cut; every attempt is recorded.

        The guard runs before anything is sent; the call log records the prompt as sent (pseudonymised). `gate`:
        see `wrapped`.
        """
        section_id = prompt.section.id
        pieces: list[str] = []

        def retried(why: str) -> None:
            pieces.clear()  # what streamed before the cut is void: the answer is the last attempt's
            if on_retry:
                on_retry(section_id, why)

        report = CallReport(on_retry=retried)
        wrapped = self.wrapped(backend, draft, prompt.template, user, gate)
        for piece in wrapped.stream(prompt.request(), self.options, report):
            pieces.append(piece)
            if on_token:
                on_token(section_id, piece)
        return "".join(pieces).strip()

    def structured(
        self, backend: Backend, prompt: PromptBundle, draft: Draft, schema: type[T], *, user: str | None = None
    ) -> T:
        """One guarded call for output validated against `schema`, recorded like any call."""
        return self.wrapped(backend, draft, prompt.template, user).structured(prompt.request(), schema, self.options)

