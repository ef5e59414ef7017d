"""Behaviour added around any backend by wrapping it (pydantic-ai's WrapperModel idea).

- `Recording` writes every attempt to a sink (the call log), whether it succeeds or fails, and turns an
  unexpected client error into one `BackendError` sentence;
- `Guarded` lets a `prepare` function check and rewrite the request before anything leaves (refusing it, or
  pseudonymising it) and restores the output;
- `Retrying` starts a cut stream again from the beginning, telling the caller that what it streamed is void;
- `Gated` sends each request only while a `gate` holds (a place among a limited number in flight).

Each knows nothing of Drafter's domain: the service passes in the functions that do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from pydantic import BaseModel

from drafter.backends.base import (
    Backend,
    CallReport,
    Capabilities,
    ChatRequest,
    Generation,
    GenerationOptions,
    StreamInterrupted,
    map_strings,
)
from drafter.errors import BackendError, DrafterError
from drafter.i18n import lazy_plural

T = TypeVar("T", bound=BaseModel)


class WrapperBackend(Backend):
    """Delegates everything to `inner`; subclasses override what they add."""

    def __init__(self, inner: Backend):
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.external = inner.external
        self.description = inner.description
        self.default_clearance = inner.default_clearance

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    def generate(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Generation:
        return self.inner.generate(request, options, report)

    def stream(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        return self.inner.stream(request, options, report)

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        return self.inner.structured(request, schema, options, report)

    def endpoint(self) -> str | None:
        return self.inner.endpoint()

    def check(self, options: GenerationOptions) -> tuple[bool, str]:
        return self.inner.check(options)


@dataclass(frozen=True)
class CallRecord:
    """One attempt at a call, as the call log stores it."""

    request: ChatRequest
    response: str
    report: CallReport
    duration_ms: int
    error: str | None
    structured: bool = False


class Recording(WrapperBackend):
    """Sends every attempt, finished or failed, to `sink`; a client bug becomes one BackendError sentence."""

    def __init__(self, inner: Backend, sink: Callable[[CallRecord], None]):
        super().__init__(inner)
        self.sink = sink

    def _fail(self, exc: Exception) -> BackendError:
        return BackendError(
            "Backend {backend} failed: {kind}: {reason}",
            backend=self.name, kind=type(exc).__name__, reason=exc,
        )

    def generate(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Generation:
        return Generation("".join(self.stream(request, options, report)), self.model)

    def stream(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        """What the inner backend does on the call itself (build the request) happens now; what it raises is
        raised, and recorded, when the first piece is asked for, as a failure while streaming is."""
        outer, report = report, CallReport()  # one report per attempt: each attempt is its own log row
        try:
            pieces = self.inner.stream(request, options, report)
        except Exception as exc:  # noqa: BLE001 (raised again below, where the attempt is recorded)
            pieces = _raising(exc)
        return self._recorded(pieces, request, outer, report)

    def _recorded(
        self, inner: Iterator[str], request: ChatRequest, outer: CallReport | None, report: CallReport
    ) -> Iterator[str]:
        started = time.perf_counter()
        pieces: list[str] = []
        error: str | None = None
        try:
            for piece in inner:
                pieces.append(piece)
                yield piece
        except DrafterError as exc:
            error = exc.english  # the call log is a record: language-neutral
            raise
        except Exception as exc:  # a backend bug must not lose the draft; report it clearly
            error = f"{type(exc).__name__}: {exc}"
            raise self._fail(exc) from exc
        finally:
            # a cut stream keeps its partial text here: the log shows what arrived before the drop
            self.sink(CallRecord(request, "".join(pieces), report, _ms(started), error))
            _merge(outer, report)

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        outer, report = report, CallReport()
        started = time.perf_counter()
        error: str | None = None
        try:
            return self.inner.structured(request, schema, options, report)
        except DrafterError as exc:
            error = exc.english
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise self._fail(exc) from exc
        finally:
            self.sink(CallRecord(request, "\n\n".join(report.raw), report, _ms(started), error, structured=True))
            _merge(outer, report)


class Prepared(Protocol):
    """A request made safe to send, and how to put back what was taken out of it."""

    @property
    def request(self) -> ChatRequest: ...

    def restore(self, text: str) -> str: ...

    def restore_stream(self, pieces: Iterator[str]) -> Iterator[str]: ...


class Guarded(WrapperBackend):
    """Runs `prepare` before anything is sent: it refuses (raises) or returns the request to send."""

    def __init__(self, inner: Backend, prepare: Callable[[ChatRequest], Prepared]):
        super().__init__(inner)
        self.prepare = prepare

    def generate(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Generation:
        prepared = self.prepare(request)
        generation = self.inner.generate(prepared.request, options, report)
        return replace(generation, text=prepared.restore(generation.text))

    def stream(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        prepared = self.prepare(request)  # before the first piece is asked for: nothing leaves unchecked
        return prepared.restore_stream(self.inner.stream(prepared.request, options, report))

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        prepared = self.prepare(request)
        result = self.inner.structured(prepared.request, schema, options, report)
        return schema.model_validate(map_strings(result.model_dump(), prepared.restore))


class Gated(WrapperBackend):
    """Each request is at the backend only while `gate()` holds, and nothing else is: put inside `Guarded` (the
    guard's work happens before the gate) and outside `Recording` (the wait for the gate is not counted in the
    call's duration, and a gate that refuses before anything is sent leaves no call-log row)."""

    def __init__(self, inner: Backend, gate: Callable[[], AbstractContextManager[object]]):
        super().__init__(inner)
        self.gate = gate

    def generate(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Generation:
        with self.gate():
            return self.inner.generate(request, options, report)

    def stream(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        # the request is built before the gate (see `Recording.stream`); it is sent, and recorded, inside it
        return self._gated(self.inner.stream(request, options, report))

    def _gated(self, pieces: Iterator[str]) -> Iterator[str]:
        with self.gate():
            yield from pieces

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        with self.gate():
            return self.inner.structured(request, schema, options, report)


class Retrying(WrapperBackend):
    """A stream cut mid-way is asked for again from the start, up to `attempts` times in all."""

    def __init__(self, inner: Backend, attempts: int, *, backoff_s: float = 0.5):
        super().__init__(inner)
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s

    def stream(self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        for attempt in range(1, self.attempts + 1):
            try:
                yield from self.inner.stream(request, options, report)
                return
            except StreamInterrupted as exc:
                if attempt == self.attempts:
                    raise BackendError(
                        "{reason} Gave up {tries}. The draft is kept; retry with `drafter generate`.",
                        reason=exc, tries=lazy_plural("after {n} attempt", "after {n} attempts", self.attempts),
                    ) from exc
                if report is not None and report.on_retry:
                    report.on_retry(str(exc))
                time.sleep(min(self.backoff_s * 2 ** (attempt - 1), 8.0))


def _raising(exc: Exception) -> Iterator[str]:
    raise exc
    yield  # a generator: raises when the first piece is asked for


def _merge(outer: CallReport | None, inner: CallReport) -> None:
    if outer is None:
        return
    outer.raw.extend(inner.raw)
    outer.add_usage(inner.input_tokens, inner.output_tokens)
    outer.requests += inner.requests
    outer.finish_reason = inner.finish_reason or outer.finish_reason


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
