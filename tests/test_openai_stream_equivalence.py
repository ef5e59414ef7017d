"""The backend's stream reads the chunks as plain JSON through the openai client (no typed copy per chunk, no
langchain wrapper per chunk). Attacked against langchain-openai's own `stream`, the path it replaced, over real
HTTP: the same request on the wire, the same text, the same usage and finish reason, the same failures."""

from __future__ import annotations

from typing import Any

import pytest

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions, Message, StreamInterrupted
from drafter.backends.openai_compat import OpenAICompatBackend
from drafter.errors import BackendError
from tests.fake_openai import FakeOpenAI, Reply, cut, error, text

OPTS = GenerationOptions(temperature=0.35, max_tokens=321, timeout_s=5.0, max_retries=0)
REQUEST = ChatRequest(messages=(Message("system", "Rules — “quoted”."), Message("human", "Simplify: £5 within 3 days.")))


def _backends(server: FakeOpenAI) -> list[OpenAICompatBackend]:
    return [
        OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="sk-test"),
        OpenAICompatBackend(model="fake-model", azure_endpoint=server.endpoint, azure_api_key="az-key",
                            api_version="2024-06-01", azure_deployment="dep"),
    ]


def _langchain(backend: OpenAICompatBackend) -> tuple[str, CallReport]:
    """What the replaced code did: langchain's stream, its usage and finish reason read off each chunk."""
    report, pieces = CallReport(), []
    for chunk in backend._llm(OPTS).stream([m for m in _lc(REQUEST)]):
        if chunk.usage_metadata:
            report.add_usage(chunk.usage_metadata.get("input_tokens"), chunk.usage_metadata.get("output_tokens"))
        if chunk.response_metadata.get("finish_reason"):
            report.finish_reason = str(chunk.response_metadata["finish_reason"])
        pieces.append(chunk.text)
    return "".join(pieces), report


def _lc(request: ChatRequest) -> list[Any]:
    from drafter.backends.openai_compat import _lc as convert

    return convert(request.messages)


def _ours(backend: OpenAICompatBackend) -> tuple[str, CallReport]:
    report = CallReport()
    return "".join(backend.stream(REQUEST, OPTS, report)), report


def _wire(server: FakeOpenAI) -> tuple[str, dict[str, Any], dict[str, str]]:
    req = server.chat_requests()[-1]
    headers = {k: v for k, v in req.headers.items() if k in ("authorization", "api-key", "content-type")}
    return req.path, req.body, headers


@pytest.mark.parametrize("reply", [
    text("Pay £5 — within “3” days.", chunk_chars=3),
    text("Cut short by the limit", finish_reason="length"),
    text(""),
    text("One piece only", chunk_chars=1000),
], ids=["pieces", "length", "empty", "one-chunk"])
def test_same_request_text_usage_and_finish_as_langchains_stream(fake_openai: FakeOpenAI, reply: Reply) -> None:
    for backend in _backends(fake_openai):
        fake_openai.script(reply)
        old_text, old = _langchain(backend)
        old_wire = _wire(fake_openai)
        fake_openai.script(reply)
        try:
            new_text, new = _ours(backend)
        except StreamInterrupted:
            pytest.fail("a finished answer was read as interrupted")
        assert _wire(fake_openai) == old_wire  # path (Azure's deployment), body, auth header
        assert new_text == old_text == reply.content
        assert (new.input_tokens, new.output_tokens, new.finish_reason) == (
            old.input_tokens, old.output_tokens, old.finish_reason)
        assert new.input_tokens and new.requests == 1 and new.raw == [reply.content]


def test_an_empty_usage_counts_as_before(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _backends(fake_openai)[0]
    fake_openai.fallback = lambda req: text("No usage here.")
    monkeypatch.setattr("tests.fake_openai._usage", lambda req, content: {})  # the server leaves the counts out
    _, old = _langchain(backend)
    _, new = _ours(backend)
    assert (new.input_tokens, new.output_tokens) == (old.input_tokens, old.output_tokens) == (0, 0)


def test_failures_are_the_same_failures(fake_openai: FakeOpenAI) -> None:
    backend = _backends(fake_openai)[0]
    fake_openai.script(cut("Twenty characters and more.", after_chars=20))
    with pytest.raises(StreamInterrupted) as cut_err:
        list(backend.stream(REQUEST, OPTS))
    assert cut_err.value.partial == "Twenty characters an"
    fake_openai.script(error(500, "model crashed"))
    with pytest.raises(BackendError, match="HTTP 500.*model crashed"):
        list(backend.stream(REQUEST, OPTS))
    fake_openai.script(error(401, "bad key"))
    with pytest.raises(BackendError, match="401"):
        list(backend.stream(REQUEST, OPTS))


@pytest.mark.parametrize("reply", [text("Pay £5 — within “3” days.", chunk_chars=3),
                                   text("Cut short by the limit", finish_reason="length")], ids=["pieces", "length"])
def test_without_the_clients_internals_langchains_stream_is_used_with_the_same_results(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, reply: Reply
) -> None:
    """A langchain-openai release without the private payload method still streams, through langchain itself."""

    class Without:  # the chat model as a release without `_get_request_payload` would show it to us
        def __init__(self, llm: Any) -> None:
            self.llm = llm

        def __getattr__(self, name: str) -> Any:
            if name == "_get_request_payload":
                raise AttributeError(name)
            return getattr(self.llm, name)

    backend = _backends(fake_openai)[0]
    fake_openai.script(reply)
    fast_text, fast = _ours(backend)
    build = backend._llm
    monkeypatch.setattr(backend, "_llm", lambda options: Without(build(options)))
    fake_openai.script(reply)
    slow_text, slow = _ours(backend)
    assert slow_text == fast_text == reply.content
    assert (slow.input_tokens, slow.output_tokens, slow.finish_reason) == (
        fast.input_tokens, fast.output_tokens, fast.finish_reason)
    assert slow.input_tokens and slow.requests == 1
