"""A streamed call's request is built when `stream` is called and sent when its first piece is asked for, so a
caller holding a place among a limited number in flight (`Gated`) builds it before taking one; and the SDK's
idempotency key is made without a system call. Attacked over real HTTP with the real openai client: the request
sent is the one built before; a gate that refuses sends nothing and leaves no call-log row; a request that cannot be
built is still recorded as a failed attempt, with the same sentence; keys stay unique, and the SDK's own maker
(os.urandom) is not used."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import openai
import pytest

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions, Message
from drafter.backends.openai_compat import OpenAICompatBackend, _idempotency_key
from drafter.backends.wrappers import CallRecord, Gated, Recording
from drafter.errors import BackendError
from tests.fake_openai import FakeOpenAI, text

OPTS = GenerationOptions(temperature=0.2, max_tokens=100, timeout_s=30.0, max_retries=1)
REQUEST = ChatRequest(messages=(Message("system", "Rules."), Message("human", "Simplify: pay £5 within 3 days.")))


class _Refused(Exception):
    pass


def _backend(server: FakeOpenAI) -> OpenAICompatBackend:
    return OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="sk-test")


def test_the_request_is_built_before_the_gate_and_sent_inside_it(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)
    fake_openai.script(text("Pay £5 within 3 days."), text("Pay £5 within 3 days."))
    expected = "".join(backend.stream(REQUEST, OPTS))  # the plain call, for the request it sends
    built: list[int] = []
    real = backend._llm(OPTS)._get_request_payload

    def counting(*args: object, **kwargs: object) -> object:
        built.append(len(fake_openai.chat_requests()))
        return real(*args, **kwargs)

    object.__setattr__(backend._llm(OPTS), "_get_request_payload", counting)
    states: list[tuple[int, int]] = []  # (requests built, requests at the server) as the gate is entered

    @contextmanager
    def gate() -> Iterator[None]:
        states.append((len(built), len(fake_openai.chat_requests())))
        yield

    records: list[CallRecord] = []
    gated = Gated(Recording(backend, records.append), gate)
    assert "".join(gated.stream(REQUEST, OPTS, CallReport())) == expected
    assert states == [(1, 1)]  # built, not yet sent, when the gate was entered
    first, second = fake_openai.chat_requests()
    assert second.body == first.body  # the same request as the plain call's
    assert len(records) == 1 and records[0].error is None and records[0].response == expected
    backend.close()


def test_a_gate_that_refuses_sends_nothing_and_records_nothing(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)

    @contextmanager
    def refusing() -> Iterator[None]:
        raise _Refused
        yield

    records: list[CallRecord] = []
    with pytest.raises(_Refused):
        list(Gated(Recording(backend, records.append), refusing).stream(REQUEST, OPTS, CallReport()))
    assert fake_openai.chat_requests() == [] and records == []
    backend.close()


def test_a_request_that_cannot_be_built_is_recorded_as_a_failed_attempt(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("no payload")

    object.__setattr__(backend._llm(OPTS), "_get_request_payload", broken)
    records: list[CallRecord] = []
    entered: list[bool] = []

    @contextmanager
    def gate() -> Iterator[None]:
        entered.append(True)
        yield

    stream = Gated(Recording(backend, records.append), gate).stream(REQUEST, OPTS, CallReport())
    assert records == []  # nothing is raised or recorded until the call is made
    with pytest.raises(BackendError, match="failed: ValueError: no payload"):
        list(stream)
    assert entered == [True]  # raised inside the gate, where a failed request is
    assert len(records) == 1 and records[0].error == "ValueError: no payload" and records[0].response == ""
    assert fake_openai.chat_requests() == []
    backend.close()


def test_idempotency_keys_are_unique_and_in_the_sdks_form() -> None:
    keys = [_idempotency_key() for _ in range(20_000)]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"stainless-python-retry-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", k)
               for k in keys[:200])
    # threads drawing at once get distinct keys too
    drawn: list[str] = []
    workers = [threading.Thread(target=lambda: drawn.extend(_idempotency_key() for _ in range(2000))) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(set(drawn)) == 8000


def test_the_sdks_own_key_maker_is_not_called(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def urandom_key(self: object) -> str:
        raise AssertionError("the SDK made its own idempotency key")

    monkeypatch.setattr(openai.OpenAI, "_idempotency_key", urandom_key)
    backend = _backend(fake_openai)
    # the OpenAI client names no idempotency header: the key is never sent
    assert backend._llm(OPTS).root_client._idempotency_header is None
    fake_openai.script(text("One."), text("Two."))
    assert "".join(backend.stream(REQUEST, OPTS)) == "One."
    assert "".join(backend.stream(REQUEST, OPTS)) == "Two."
    assert not any("idempotency" in k.lower() for r in fake_openai.chat_requests() for k in r.headers)
    backend.close()
