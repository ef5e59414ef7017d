"""The backend's stream reads an HTTP/1.1 body to its end after `[DONE]`, so its connection goes back to the
backend's pool instead of one new TCP connection per call. Attacked over real HTTP with the real openai client: a
server that ends the body at once (as uvicorn under vLLM and OpenAI do), one that holds it open after [DONE], one
that trickles keep-alive comments after it, a stream cut mid-way, a stream its reader leaves part-read. The answer
is the same in every case, a misbehaving peer never holds a call for long, and a connection is reused only when
its previous body was read to the end. (What reuse saves is measured in bench/bench_simplify.py.)"""

from __future__ import annotations

import gc
import threading
import warnings

import pytest

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions, Message, StreamInterrupted
from drafter.backends.openai_compat import OpenAICompatBackend
from tests.fake_openai import AfterDone, FakeOpenAI, cut, text

# a read timeout far above the drain's own limit: a drain that waited for it would not end within the join below
OPTS = GenerationOptions(temperature=0.2, max_tokens=100, timeout_s=120.0, max_retries=0)
REQUEST = ChatRequest(messages=(Message("system", "Rules."), Message("human", "Simplify: pay £5 within 3 days.")))
ANSWER = "Pay £5 — within “3” days."


def _backend(server: FakeOpenAI, which: str = "openai") -> OpenAICompatBackend:
    if which == "azure":
        return OpenAICompatBackend(model="fake-model", azure_endpoint=server.endpoint, azure_api_key="az-key",
                                   api_version="2024-06-01", azure_deployment="dep")
    return OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="sk-test")


def _call(backend: OpenAICompatBackend) -> tuple[str, CallReport]:
    """One streamed call, in a thread the test waits for a bounded time (a call stuck on its socket fails)."""
    report, out = CallReport(), []
    worker = threading.Thread(target=lambda: out.append("".join(backend.stream(REQUEST, OPTS, report))), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the call waited on a body the server never ended"
    return out[0], report


@pytest.mark.parametrize("which", ["openai", "azure"])
def test_calls_one_after_another_share_one_connection(fake_openai: FakeOpenAI, which: str) -> None:
    backend = _backend(fake_openai, which)
    fake_openai.script(*[text(ANSWER, chunk_chars=3)] * 6)
    for _ in range(6):
        got, report = _call(backend)
        assert got == ANSWER and report.finish_reason == "stop" and report.output_tokens > 0
    assert len(fake_openai.chat_requests()) == 6
    assert fake_openai.connections == 1  # the SDK alone: one per call, each body closed part-read
    backend.close()


def test_plain_and_streamed_calls_share_the_connection(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)
    fake_openai.script(text(ANSWER), text("Plain."), text(ANSWER))
    assert _call(backend)[0] == ANSWER
    assert backend.generate(REQUEST, OPTS).text == "Plain."
    assert _call(backend)[0] == ANSWER
    assert fake_openai.connections == 1
    backend.close()


@pytest.mark.parametrize("after_done", ["hold", "trickle"])
def test_a_body_left_open_after_done_costs_its_connection_not_the_answer(
    fake_openai: FakeOpenAI, after_done: AfterDone
) -> None:
    backend = _backend(fake_openai)
    fake_openai.script(text(ANSWER, after_done=after_done), text(ANSWER), text(ANSWER))
    got, report = _call(backend)  # returns although the server still holds the body open
    assert got == ANSWER and report.finish_reason == "stop" and report.output_tokens > 0
    assert report.raw == [ANSWER]
    for _ in range(2):
        assert _call(backend)[0] == ANSWER
    # the open body's connection is closed, as the SDK always did; the next calls open one and share it
    assert fake_openai.connections == 2
    backend.close()


def test_the_answer_is_the_same_whether_the_body_ends_at_once_or_not(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)
    modes: list[AfterDone] = ["end", "hold", "trickle"]
    fake_openai.script(*[text(ANSWER, chunk_chars=2, after_done=m) for m in modes])
    results = [_call(backend) for _ in modes]
    assert {r[0] for r in results} == {ANSWER}
    assert len({(r[1].input_tokens, r[1].output_tokens, r[1].finish_reason, tuple(r[1].raw)) for r in results}) == 1
    backend.close()


def test_a_cut_streams_connection_is_discarded_not_reused(fake_openai: FakeOpenAI) -> None:
    backend = _backend(fake_openai)
    fake_openai.script(text(ANSWER), cut(ANSWER, 6), text(ANSWER), text(ANSWER))
    assert _call(backend)[0] == ANSWER
    with pytest.raises(StreamInterrupted):
        "".join(backend.stream(REQUEST, OPTS, CallReport()))
    assert _call(backend)[0] == ANSWER
    assert _call(backend)[0] == ANSWER
    assert fake_openai.connections == 2  # the first connection served the cut stream and went with it
    backend.close()


def test_a_stream_left_part_read_never_hands_its_rest_to_the_next_call(fake_openai: FakeOpenAI) -> None:
    """A reader that stops early leaves bytes on the wire: reusing that connection would give the next call the
    previous answer's tail. It is closed instead."""
    backend = _backend(fake_openai)
    fake_openai.script(text("First answer, long enough to stop reading part-way.", chunk_chars=4), text(ANSWER))
    pieces = backend.stream(REQUEST, OPTS, CallReport())
    assert next(pieces) == "Firs"
    pieces.close()  # type: ignore[attr-defined]  # the reader gives up
    got, report = _call(backend)
    assert got == ANSWER and report.raw == [ANSWER]
    assert fake_openai.connections == 2
    backend.close()


def test_pooled_connections_are_closed_with_the_backend(fake_openai: FakeOpenAI) -> None:
    """Kept for reuse, a connection is still closed when its backend is, or collected unclosed (no warning)."""
    fake_openai.script(*[text(ANSWER)] * 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        backend = _backend(fake_openai)
        for _ in range(2):
            assert _call(backend)[0] == ANSWER
        backend.cycle = backend  # type: ignore[attr-defined]  # only the garbage collector can free it
        del backend
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_threads_sharing_a_backend_each_get_their_own_answers_over_reused_connections(fake_openai: FakeOpenAI) -> None:
    """Connections passed from one request to the next never mix two answers: four threads, each asking ten
    questions of its own, each gets exactly the answers to its questions, over at most four connections."""
    fake_openai.fallback = lambda req: text(f"Answer to {req.messages[-1]['content']}.", chunk_chars=3)
    backend = _backend(fake_openai)
    got: dict[int, list[str]] = {}

    def ask(worker: int) -> None:
        got[worker] = ["".join(backend.stream(ChatRequest(messages=(Message("human", f"q{worker}-{i}"),)), OPTS))
                       for i in range(10)]

    threads = [threading.Thread(target=ask, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert got == {w: [f"Answer to q{w}-{i}." for i in range(10)] for w in range(4)}
    assert 1 <= fake_openai.connections <= 4
    backend.close()
