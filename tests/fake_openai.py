"""A scripted OpenAI-compatible HTTP server for tests and benchmarks.

Real HTTP on 127.0.0.1 (a free port), so the real `openai` / langchain-openai client does the talking:

    with FakeOpenAI() as server:
        server.script(text("Hello [1]."), error(429, retry_after=1), text("Again"))
        backend = OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="test")
        ...
        server.requests[0].body["temperature"]

Replies are served in order, one per chat-completions request; when the script runs out, `server.fallback`
(a function of the request) answers. A reply is served as server-sent events when the request asked for
`"stream": true`, else as one JSON body, so the same script works for both.

Reply kinds: `text` (normal; optional first-token delay; `held` stops mid-stream until `resume` is set), `error` (any status, optional Retry-After),
`slow` (sleeps before answering: past the client's timeout), `cut` (streams part of the text, then drops
the connection), `garbage` is just `text` with non-JSON content. Every request is recorded in `requests`, and
`connections` counts the TCP connections accepted (a client that reuses its connections opens few).

A streamed body ends right after `data: [DONE]` (its last, empty chunk), as uvicorn under vLLM and OpenAI's own
servers end it. `after_done` makes a reply misbehave as some proxies do: "hold" keeps the body open after [DONE]
until the server stops; "trickle" sends keep-alive comments after [DONE] until the server stops.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from drafter.prompts import estimate_tokens


class _QuietServer(ThreadingHTTPServer):
    """Clients closing idle keep-alive connections is normal, not an error worth a traceback."""

    connections = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # in the accepting thread only
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


ReplyKind = Literal["text", "error", "slow", "cut"]
AfterDone = Literal["end", "hold", "trickle"]


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    delay_s: float = 0.0
    first_token_delay_s: float = 0.0
    chunk_chars: int = 8
    cut_after_chars: int = 0
    finish_reason: str = "stop"
    after_done: AfterDone = "end"
    hold_after_chars: int = 0


def text(
    content: str, *, first_token_delay_s: float = 0.0, chunk_chars: int = 8, finish_reason: str = "stop",
    after_done: AfterDone = "end",
) -> Reply:
    """A normal completion (streamed in pieces of `chunk_chars` if the client asked to stream)."""
    return Reply("text", content, first_token_delay_s=first_token_delay_s, chunk_chars=chunk_chars,
                 finish_reason=finish_reason, after_done=after_done)


def json_reply(data: dict[str, Any]) -> Reply:
    """A completion whose content is `data` as JSON (what a server with structured output returns)."""
    return text(json.dumps(data, ensure_ascii=False))


def error(status: int, message: str = "scripted error", *, retry_after: float | None = None) -> Reply:
    """An HTTP error with an OpenAI-style error body; `retry_after` sets the Retry-After header (seconds)."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    body = {"error": {"message": message, "type": "scripted", "code": str(status)}}
    return Reply("error", status=status, headers=headers, body=body)


def slow(delay_s: float, content: str = "too late") -> Reply:
    """Wait `delay_s` before answering at all (set the client's timeout below it)."""
    return Reply("slow", content, delay_s=delay_s)


def held(content: str, after_chars: int, *, chunk_chars: int = 8) -> Reply:
    """Stream the first `after_chars` characters of `content` (at least), then hold the rest until the test calls
    `server.resume.set()`: `server.holding` is set while the stream waits, so a test knows the model is "still
    writing" when it looks."""
    return Reply("text", content, hold_after_chars=after_chars, chunk_chars=chunk_chars)


def cut(content: str, after_chars: int) -> Reply:
    """Stream the first `after_chars` characters of `content`, then drop the connection mid-stream."""
    return Reply("cut", content, cut_after_chars=after_chars, chunk_chars=max(1, min(8, after_chars)))


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float  # time.monotonic() when the request arrived

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


class FakeOpenAI:
    """The server. Use as a context manager (or call start/stop)."""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[Request] = []
        self.fallback: Callable[[Request], Reply] = lambda req: text("Fallback reply.")
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.holding = threading.Event()  # a `held` reply is waiting for `resume`
        self.resume = threading.Event()
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting -----------------------------------------------------------------------------------

    def script(self, *replies: Reply) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(replies)
        return self

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0].endswith("/chat/completions")]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def endpoint(self) -> str:
        """The bare origin, as an Azure endpoint would be given."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self._httpd.connections if self._httpd is not None else 0

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return self.fallback(request)


def _usage(request: Request, content: str) -> dict[str, int]:
    prompt = sum(estimate_tokens(str(m.get("content", ""))) for m in request.messages)
    completion = estimate_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _record(self, body: dict[str, Any]) -> Request:
            req = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                          time.monotonic())
            with server._lock:
                server.requests.append(req)
            return req

        def _send_json(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._record({})
            if self.path.split("?")[0].endswith("/models"):
                self._send_json(200, {"object": "list", "data": [
                    {"id": server.model, "object": "model", "created": 0, "owned_by": "fake"}]})
            else:
                self._send_json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            req = self._record(body)
            if not self.path.split("?")[0].endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server._next_reply(req)
            # the client may have given up (timeout) and closed the connection: nothing to do then
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._serve(req, reply)

        def _serve(self, req: Request, reply: Reply) -> None:
            if reply.kind == "error":
                self._send_json(reply.status, reply.body or {}, reply.headers)
                return
            if reply.kind == "slow" and server._stop.wait(reply.delay_s):
                return
            if req.body.get("stream"):
                self._stream(req, reply)
                return
            if reply.first_token_delay_s and server._stop.wait(reply.first_token_delay_s):
                return
            self._send_json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                "model": req.body.get("model", server.model),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content},
                             "finish_reason": reply.finish_reason, "logprobs": None}],
                "usage": _usage(req, reply.content),
            })

        def _chunk(self, data: dict[str, Any] | str) -> None:
            line = data if isinstance(data, str) else json.dumps(data)
            self._chunk_raw(f"data: {line}\n\n".encode())

        def _chunk_raw(self, payload: bytes) -> None:
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()

        def _stream(self, req: Request, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            if reply.first_token_delay_s and server._stop.wait(reply.first_token_delay_s):
                return
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": req.body.get("model", server.model)}
            content = reply.content[: reply.cut_after_chars] if reply.kind == "cut" else reply.content
            step = max(1, reply.chunk_chars)
            for i in range(0, len(content), step):
                delta: dict[str, Any] = {"content": content[i : i + step]}
                if i == 0:
                    delta["role"] = "assistant"
                self._chunk({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                if reply.hold_after_chars and i < reply.hold_after_chars <= i + step:
                    server.holding.set()
                    while not server.resume.wait(0.05) and not server._stop.is_set():
                        pass  # the rest is held back until the test resumes it (or the server stops)
                    server.holding.clear()
                    if server._stop.is_set():
                        return
            if reply.kind == "cut":
                # drop the connection without the terminating chunk: a truncated HTTP body
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._chunk({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]})
            if (req.body.get("stream_options") or {}).get("include_usage"):
                self._chunk({**base, "choices": [], "usage": _usage(req, reply.content)})
            self._chunk("[DONE]")
            if reply.after_done == "hold":
                server._stop.wait()
            while reply.after_done == "trickle" and not server._stop.wait(0.01):
                self._chunk_raw(b": keep-alive\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler
