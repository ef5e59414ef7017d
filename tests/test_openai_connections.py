"""A backend's connections live and die with it. langchain's default HTTP client is process-wide per (URL, timeout)
and cached: its idle keep-alive sockets outlived every backend that used them, and were found still open by the
garbage collector much later (a ResourceWarning, an error under pytest, raised in whichever test was running)."""

from __future__ import annotations

import gc
import socket
import warnings

from drafter.backends.base import ChatRequest, GenerationOptions, Message
from drafter.backends.openai_compat import OpenAICompatBackend
from tests.fake_openai import FakeOpenAI

OPTS = GenerationOptions(max_retries=0, timeout_s=10)
ASK = ChatRequest(messages=(Message(role="human", content="Say hello."),))


def _open_sockets_to(port: int) -> list[socket.socket]:
    return [o for o in gc.get_objects()
            if isinstance(o, socket.socket) and o.fileno() != -1 and _peer_port(o) == port]


def _peer_port(sock: socket.socket) -> int | None:
    try:
        return int(sock.getpeername()[1])
    except (OSError, IndexError, TypeError):
        return None


def _used(server: FakeOpenAI) -> OpenAICompatBackend:
    backend = OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="k")
    assert "".join(backend.stream(ASK, OPTS)) == "Fallback reply."
    assert backend.generate(ASK, OPTS).text == "Fallback reply."  # its connection is kept for the next request
    return backend


def test_a_backend_dropped_in_a_reference_cycle_leaves_no_socket_open() -> None:
    with FakeOpenAI() as server:
        backend = _used(server)
        assert _open_sockets_to(server.port), "the request's keep-alive connection should be pooled while in use"
        backend.cycle = backend  # type: ignore[attr-defined]  # only the garbage collector can free it now
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            del backend
            gc.collect()
            assert _open_sockets_to(server.port) == []
        assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_close_closes_only_that_backends_connections() -> None:
    with FakeOpenAI() as server:
        first, second = _used(server), _used(server)
        assert len(_open_sockets_to(server.port)) == 2  # one pool each, not one shared process-wide
        first.close()
        assert len(_open_sockets_to(server.port)) == 1
        assert second.generate(ASK, OPTS).text == "Fallback reply."  # the other backend is untouched
        second.close()
        second.close()  # twice is harmless
        assert _open_sockets_to(server.port) == []
