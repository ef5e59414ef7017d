"""The backend's stream reads an HTTP/1.1 body to its end after `[DONE]`, so the client's connection goes back to
its pool instead of a new TCP connection per call. Attacked over real HTTP with the real openai client: a server
that ends the body at once (as uvicorn under vLLM and OpenAI do), one that holds it open after [DONE], one that
trickles keep-alive comments after it, one that cuts the stream; the answer is the same in every case and a
misbehaving peer never holds a call for long. (What reuse saves is measured in bench/bench_simplify.py.)"""

from __future__ import annotations

import threading

import pytest

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions, Message, StreamInterrupted
from drafter.backends.openai_compat import OpenAICompatBackend
from tests.fake_openai import FakeOpenAI, Reply, cut, text

# a read timeout far above the drain's own limit: a drain that waited for it would not end within the join below
OPTS = GenerationOptions(temperature=0.2, max_tokens=100, timeout_s=120.0, max_retries=0)
REQUEST = ChatRequest(messages=(Message("system", "Rules."), Message("human", "Simplify: pay £5 within 3 days.")))
ANSWER = "Pay £5 — within “3” days."


def _backends(server: FakeOpenAI) -> list[OpenAICompatBackend]:
    return [
        OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="sk-test"),
        OpenAICompatBackend(model="fake-model", azure_endpoint=server.endpoint, azure_api_key="az-key",
                            api_version="2024-06-01", azure_deployment="dep"),
    ]


def _call(backend: OpenAICompatBackend) -> tuple[str, CallReport]:
    """One streamed call, in a thread the test waits for a bounded time (a call stuck on its socket fails)."""
    report, out = CallReport(), []
    worker = threading.Thread(target=lambda: out.append("".join(backend.stream(REQUEST, OPTS, report))), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the call waited on a body the server never ended"
    return out[0], report


@pytest.mark.parametrize("which", [0, 1], ids=["openai", "azure"])
def test_calls_one_after_another_share_one_connection(fake_openai: FakeOpenAI, which: int) -> None:
    backend = _backends(fake_openai)[which]
    fake_openai.script(*[text(ANSWER, chunk_chars=3)] * 5)
    for _ in range(5):
        got, report = _call(backend)
        assert got == ANSWER and report.finish_reason == "stop" and report.output_tokens > 0
    assert len(fake_openai.chat_requests()) == 5
    assert fake_openai.connections == 1  # before: one per call, the SDK closing each body part-read


@pytest.mark.parametrize("after_done", ["hold", "trickle"])
def test_a_body_left_open_after_done_costs_the_connection_not_the_answer(
    fake_openai: FakeOpenAI, after_done: str
) -> None:
    backend = _backends(fake_openai)[0]
    fake_openai.script(text(ANSWER, after_done=after_done), text(ANSWER), text(ANSWER))  # type: ignore[arg-type]
    got, report = _call(backend)  # returns although the server still holds the body open
    assert got == ANSWER and report.finish_reason == "stop" and report.output_tokens > 0
    assert report.raw == [ANSWER]
    for _ in range(2):
        assert _call(backend)[0] == ANSWER
    # the open body's connection is closed, as before; the next calls open one and share it
    assert fake_openai.connections == 2


def test_the_answer_is_the_same_whether_the_body_ends_at_once_or_not(fake_openai: FakeOpenAI) -> None:
    backend = _backends(fake_openai)[0]
    replies: list[Reply] = [text(ANSWER, chunk_chars=2, after_done=a) for a in ("end", "hold", "trickle")]
    fake_openai.script(*replies)
    results = [_call(backend) for _ in replies]
    assert {r[0] for r in results} == {ANSWER}
    assert len({(r[1].input_tokens, r[1].output_tokens, r[1].finish_reason, tuple(r[1].raw)) for r in results}) == 1


def test_a_cut_stream_still_fails_as_cut_and_the_next_call_works(fake_openai: FakeOpenAI) -> None:
    backend = _backends(fake_openai)[0]
    fake_openai.script(text(ANSWER), cut(ANSWER, 6), text(ANSWER))
    assert _call(backend)[0] == ANSWER
    with pytest.raises(StreamInterrupted):
        "".join(backend.stream(REQUEST, OPTS, CallReport()))
    assert _call(backend)[0] == ANSWER
    assert fake_openai.connections == 2  # the cut one is gone; the first was reused for it
