"""OpenAI-compatible backend through langchain-openai: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server.

Every generation option is passed to the client explicitly: temperature, max tokens, timeout and retries.
The openai client retries timeouts, connection errors, HTTP 408/409/429/5xx with exponential backoff and
honours Retry-After (up to its own cap); after the last retry we raise a BackendError that names the
backend, the model and what failed. A stream that stops mid-way raises StreamInterrupted with the text
received so far (the service records it and retries the section).
"""

from __future__ import annotations

import ipaddress
import os
import random
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from langchain_openai.chat_models.base import BaseChatOpenAI
from pydantic import BaseModel, SecretStr

from drafter.backends.base import (
    Backend,
    CallReport,
    Capabilities,
    ChatRequest,
    Generation,
    GenerationOptions,
    Message,
    StreamInterrupted,
)
from drafter.backends.structured import instruction_for, parse_structured, repair_instruction
from drafter.errors import BackendError
from drafter.i18n import lazy, lazy_plural
from drafter.settings import Settings

T = TypeVar("T", bound=BaseModel)

OPENAI_HOSTS = ("api.openai.com",)
_PRIVATE_SUFFIXES = (".local", ".lan", ".internal", ".localhost", ".home.arpa")


def is_private_host(host: str) -> bool:
    """Loopback, RFC 1918 / unique-local addresses, `localhost`, single-label and .local/.internal names."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a single-label name (e.g. a compose service "vllm") resolves inside the site
    return ip.is_loopback or ip.is_private or ip.is_link_local


class OpenAICompatBackend(Backend):
    """Any server speaking the OpenAI chat-completions API."""

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        azure_endpoint: str | None = None,
        azure_api_key: str | None = None,
        api_version: str | None = None,
        azure_deployment: str | None = None,
        self_hosted: bool = False,
        name: str = "openai",
    ) -> None:
        self.name = name
        self.model = model
        self.api_key = api_key
        self.base_url = base_url.rstrip("/") if base_url else None
        self.azure_endpoint = azure_endpoint
        self.azure_api_key = azure_api_key
        self.api_version = api_version
        self.azure_deployment = azure_deployment
        self.azure = bool(azure_endpoint)
        host = urlsplit(self.endpoint() or "").hostname or ""
        # Only a base URL on a private host that an administrator declared self-hosted stays "internal".
        self.external = not (self_hosted and not self.azure and self.base_url and is_private_host(host))
        self._official = self.azure or not self.base_url or host in OPENAI_HOSTS
        where = "Azure OpenAI" if self.azure else ("OpenAI" if self._official else "OpenAI-compatible server")
        self.description = f"{where} at {self.endpoint()}, model {model}" + (
            " (sends data off this machine)" if self.external else " (self-hosted)"
        )
        self._clients: dict[GenerationOptions, BaseChatOpenAI] = {}
        # One connection pool per backend, closed with it. langchain's default is a process-wide client per
        # (URL, timeout) kept in an unbounded-lifetime cache: its idle sockets outlived every backend that used
        # them, and were left for the garbage collector to find still open.
        self._http = openai.DefaultHttpxClient()
        self._closer = weakref.finalize(self, self._http.close)

    def close(self) -> None:
        """Close this backend's connections (a backend collected unclosed is closed then)."""
        self._closer()

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(streaming=True, structured=True, local=not self.external, language_model=True)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatBackend | None:
        """The backend the settings describe, or None when neither OpenAI nor Azure is configured."""
        secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        backend: OpenAICompatBackend | None = None
        if settings.azure_openai_endpoint:
            azure_key = settings.azure_openai_api_key.get_secret_value() if settings.azure_openai_api_key else secret
            backend = cls(
                model=settings.model, azure_endpoint=settings.azure_openai_endpoint, azure_api_key=azure_key,
                api_version=settings.openai_api_version, azure_deployment=settings.azure_deployment,
            )
        elif secret or settings.openai_base_url:
            backend = cls(
                model=settings.model, api_key=secret, base_url=settings.openai_base_url,
                self_hosted=settings.openai_self_hosted,
            )
        if backend is not None:
            backend.default_clearance = settings.openai_clearance
        return backend

    def endpoint(self) -> str | None:
        if self.azure:
            return self.azure_endpoint
        return self.base_url or "https://api.openai.com/v1"

    # --- the client --------------------------------------------------------------------------------

    def _llm(self, options: GenerationOptions) -> BaseChatOpenAI:
        llm = self._clients.get(options)
        if llm is not None:
            return llm
        common: dict[str, Any] = {
            "model": self.model,
            "temperature": options.temperature,
            "max_tokens": options.max_tokens,
            "timeout": options.timeout_s,
            "max_retries": options.max_retries,
            "stream_usage": True,
        }
        if self.azure:
            llm = AzureChatOpenAI(
                azure_endpoint=self.azure_endpoint, api_key=_secret(self.azure_api_key), api_version=self.api_version,
                azure_deployment=self.azure_deployment, http_client=self._http, **common,
            )
        else:
            # langchain sends max_completion_tokens; many self-hosted servers (Ollama, llama.cpp) read only
            # max_tokens, so send both there rather than silently lose the limit.
            extra = None if self._official else {"max_tokens": options.max_tokens}
            llm = ChatOpenAI(
                base_url=self.base_url, api_key=SecretStr(self.api_key or "not-needed"), use_responses_api=False,
                extra_body=extra, http_client=self._http, **common,
            )
        self._clients[options] = llm
        return llm

    def _label(self) -> str:
        return lazy("Backend {name} ({model} at {endpoint})", name=self.name, model=self.model, endpoint=self.endpoint())

    def _failure(self, exc: Exception, options: GenerationOptions) -> BackendError:
        tries = lazy_plural("after {n} attempt", "after {n} attempts", options.max_retries + 1)
        backend = self._label()
        retry = lazy("The draft is kept; retry with `drafter generate`.")
        if isinstance(exc, openai.APITimeoutError):
            return BackendError(
                "{backend} timed out (limit {limit:g} s per request) {tries}. {retry}",
                backend=backend, limit=options.timeout_s, tries=tries, retry=retry,
            )
        if isinstance(exc, openai.RateLimitError):
            return BackendError(
                "{backend} is rate-limiting requests (HTTP 429) {tries}; try again later. "
                "{retry}",
                backend=backend, tries=tries, retry=retry,
            )
        if isinstance(exc, openai.AuthenticationError):
            return BackendError(
                "{backend} refused the API key (HTTP 401); check OPENAI_API_KEY / AZURE_OPENAI_API_KEY. {retry}",
                backend=backend, retry=retry,
            )
        if isinstance(exc, openai.APIStatusError):
            detail = _error_message(exc)
            if detail:
                return BackendError(
                    "{backend} answered HTTP {status} {tries}: {detail}. {retry}",
                    backend=backend, status=exc.status_code, tries=tries, detail=detail, retry=retry,
                )
            return BackendError(
                "{backend} answered HTTP {status} {tries}. {retry}",
                backend=backend, status=exc.status_code, tries=tries, retry=retry,
            )
        if isinstance(exc, openai.APIConnectionError):
            return BackendError(
                "{backend} could not be reached {tries}. {retry}",
                backend=backend, tries=tries, retry=retry,
            )
        return BackendError(
            "{backend} failed: {kind}: {reason}. {retry}",
            backend=backend, kind=type(exc).__name__, reason=exc, retry=retry,
        )

    # --- the interface -------------------------------------------------------------------------------

    def generate(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        report = report if report is not None else CallReport()
        text = self._invoke(_lc(request.messages), options, report)
        return Generation(text=text, model=self.model, input_tokens=report.input_tokens,
                          output_tokens=report.output_tokens)

    def stream(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Iterator[str]:
        """The answer's pieces as they arrive. The request is built now and sent when the first piece is asked for:
        a caller that holds a place among a limited number in flight (`Gated`) builds it before taking one."""
        report = report if report is not None else CallReport()
        return self._streamed(self._chunks(request.messages, options), options, report)

    def _streamed(
        self, chunks: Callable[[], Iterator[dict[str, Any]]], options: GenerationOptions, report: CallReport
    ) -> Iterator[str]:
        received: list[str] = []
        report.requests += 1
        report.raw.append("")
        try:
            for chunk in chunks():
                usage = chunk.get("usage")
                if isinstance(usage, dict):  # as langchain counted it: a count the server left out is 0
                    report.add_usage(_count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")))
                choices = chunk.get("choices") or []
                if not choices or not isinstance(choices[0], dict):
                    continue
                finish = choices[0].get("finish_reason")
                if finish:
                    report.finish_reason = str(finish)
                piece = (choices[0].get("delta") or {}).get("content")
                if piece and isinstance(piece, str):
                    received.append(piece)
                    report.raw[-1] += piece
                    yield piece
        except openai.APIError as exc:
            if received:
                raise StreamInterrupted(
                    "{backend}: the connection dropped mid-stream after {count} characters.",
                    partial="".join(received), backend=self._label(), count=len("".join(received)),
                ) from exc
            raise self._failure(exc, options) from exc
        if report.finish_reason is None:
            raise StreamInterrupted(
                "{backend}: the stream ended without finishing (after {count} characters).",
                partial="".join(received), backend=self._label(), count=len("".join(received)),
            )

    def _chunks(
        self, messages: tuple[Message, ...] | list[Message], options: GenerationOptions
    ) -> Callable[[], Iterator[dict[str, Any]]]:
        """One chat completion, built: calling the result sends it and gives the streamed chunks as the server sent
        them (plain JSON objects).

        The request is the one langchain-openai builds for the model (its payload rules: which token limit, what
        a model does not take), sent by the openai client (its auth, Azure routing, retries, errors and SSE
        reading). What is skipped is only per-chunk work we do not use, which cost more CPU than the rest of a
        simplified section: the SDK re-validated the request's messages against its typed schema, built a
        pydantic object for every chunk, and langchain then dumped it back to a dict and wrapped it again.
        """
        llm = self._llm(options)
        try:
            payload = llm._get_request_payload(_lc(messages), stream=True, stream_options={"include_usage": True})
            post = llm.root_client.post
        except (AttributeError, TypeError):
            # a langchain-openai without this (private) method: its own stream, chunk by chunk as before
            return lambda: _langchain_chunks(llm, messages)
        # The SDK makes an idempotency key for every request (kept across its retries); it sends it only when the
        # client names a header for it, which OpenAI's does not. Made here, from the random module, it is as unique
        # per request and costs no system call (uuid4 reads os.urandom, which gives up the GIL and waits to get it
        # back, while the request holds its place).
        request_options: dict[str, Any] = {"security": {"bearer_auth": True}, "idempotency_key": _idempotency_key()}
        extra = payload.pop("extra_body", None)
        if extra:
            request_options["extra_json"] = extra

        def send() -> Iterator[dict[str, Any]]:
            chunks = post(
                "/chat/completions", body=payload, cast_to=object, stream=True, stream_cls=_Chunks,
                options=cast(Any, request_options),
            )
            with chunks:
                for chunk in chunks:
                    if isinstance(chunk, dict):
                        yield chunk

        return send

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        """JSON-schema output where the server supports it; else headed text; one repair request; then an error."""
        report = report if report is not None else CallReport()
        messages = [*_lc(request.messages), HumanMessage(content=instruction_for(schema))]
        response_format: dict[str, Any] | None = {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": False},
        }
        try:
            raw = self._invoke(messages, options, report, response_format=response_format)
        except BackendError as exc:
            if not isinstance(exc.__cause__, openai.BadRequestError):
                raise
            # the server does not take response_format: ask again in plain text (the parser reads headed text)
            response_format = None
            raw = self._invoke(messages, options, report)
        value, problem = parse_structured(raw, schema)
        if value is not None:
            return value
        repair = [*messages, AIMessage(content=raw), HumanMessage(content=repair_instruction(problem, schema))]
        raw = self._invoke(repair, options, report, response_format=response_format)
        value, problem = parse_structured(raw, schema)
        if value is not None:
            return value
        raise BackendError(
            "{backend} returned output that is not the requested structure, twice (after one repair "
            "request): {problem}. {retry}",
            backend=self._label(), problem=problem, retry=lazy("The draft is kept; retry with `drafter generate`."),
        )

    def _invoke(
        self, messages: list[BaseMessage], options: GenerationOptions, report: CallReport,
        *, response_format: dict[str, Any] | None = None,
    ) -> str:
        llm = self._llm(options)
        kwargs: dict[str, Any] = {}
        if response_format is not None:
            # through extra_body, so langchain passes it on untouched instead of switching to its parse helper
            kwargs["extra_body"] = {**(llm.extra_body or {}), "response_format": response_format}
        report.requests += 1
        try:
            message = llm.invoke(messages, **kwargs)
        except openai.APIError as exc:
            raise self._failure(exc, options) from exc
        text = message.text
        report.raw.append(text)
        usage = getattr(message, "usage_metadata", None)
        if usage:
            report.add_usage(usage.get("input_tokens"), usage.get("output_tokens"))
        report.finish_reason = message.response_metadata.get("finish_reason")
        return text

    def check(self, options: GenerationOptions) -> tuple[bool, str]:
        """List the server's models (no tokens spent); say whether the configured model is among them."""
        client = self._llm(options).root_client
        try:
            page = client.with_options(timeout=min(options.timeout_s, 10.0), max_retries=0).models.list()
        except openai.AuthenticationError:
            return False, f"reachable at {self.endpoint()}, but the API key was refused"
        except openai.APIStatusError as exc:
            return True, f"reachable at {self.endpoint()} (model list unavailable: HTTP {exc.status_code})"
        except openai.APIError as exc:
            return False, f"cannot reach {self.endpoint()}: {type(exc).__name__}"
        ids = [m.id for m in page.data]
        if self.azure or self.model in ids:
            return True, f"reachable at {self.endpoint()}; model {self.model} available"
        return True, f"reachable at {self.endpoint()}, but model {self.model} is not listed (has: {', '.join(ids[:5])})"


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:200]
    return ""


_LC_TYPES: dict[str, type[BaseMessage]] = {"system": SystemMessage, "human": HumanMessage, "ai": AIMessage}


def _lc(messages: tuple[Message, ...] | list[Message]) -> list[BaseMessage]:
    """Plain messages as langchain's message objects."""
    return [_LC_TYPES[m.role](content=m.content) for m in messages]


def _langchain_chunks(llm: Any, messages: tuple[Message, ...] | list[Message]) -> Iterator[dict[str, Any]]:
    """langchain-openai's own stream, each chunk given in the shape the server sent it (text, finish, usage)."""
    for chunk in llm.stream(_lc(messages)):
        out: dict[str, Any] = {"choices": [{"delta": {"content": chunk.text},
                                            "finish_reason": chunk.response_metadata.get("finish_reason")}]}
        if chunk.usage_metadata:
            out["usage"] = {"prompt_tokens": chunk.usage_metadata.get("input_tokens"),
                            "completion_tokens": chunk.usage_metadata.get("output_tokens")}
        yield out


_KEYS = random.Random()  # seeded from os.urandom; its own, so a program seeding the random module cannot repeat keys
if hasattr(os, "register_at_fork"):  # POSIX: a forked child does not repeat its parent's keys
    os.register_at_fork(after_in_child=_KEYS.seed)


def _idempotency_key() -> str:
    """A key in the SDK's own form (`stainless-python-retry-<uuid4>`), its random bits from `_KEYS`."""
    return f"stainless-python-retry-{uuid.UUID(int=_KEYS.getrandbits(128), version=4)}"


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


class _Chunks(openai.Stream[object]):
    """The SDK's own stream of server-sent events, each handed on as the JSON object it holds (no typed copy).

    After `[DONE]` the rest of an HTTP/1.1 body (its last, empty chunk) is read before the SDK closes the response,
    so the connection goes back to the backend's pool: closed part-read, it is discarded, and every call would open
    a new TCP connection (a connect and a close, each a wait for the GIL among busy threads). The SDK's own async
    stream does the same, within 0.1 s; its sync stream does not (openai-python #3440).
    """

    def _iter_events(self) -> Iterator[Any]:
        events = super()._iter_events()
        for sse in events:
            if sse.data.startswith("[DONE]"):
                _finish_body(self.response, events)
            yield sse


_FINISH_S = 0.1  # as the SDK's async stream: a body still open after this is closed (its connection discarded)


class _FinishOver(Exception):
    """The time for reading the rest of a body after [DONE] is over."""


def _finish_body(response: Any, events: Iterator[Any]) -> None:
    """Read what is left of `response`'s body after [DONE], discarding it (as the SDK discards anything after
    [DONE]), waiting at most `_FINISH_S` in all for the server to end it.

    Real servers (uvicorn under vLLM, OpenAI) end the body right after [DONE]: its end is already read (no socket
    read at all) or arrives at once (one short read). A proxy that holds the body open, or trickles keep-alive
    comments, costs at most `_FINISH_S`, and its connection is then closed, as it always was. Each socket read of
    this response waits only for the time left: the connection's stream (httpcore's `network_stream` extension) is
    this response's alone until the response is closed, and its read is bounded for the drain only. Nothing here
    turns a completed answer into an error.
    """
    stream = response.extensions.get("network_stream")
    if response.http_version != "HTTP/1.1" or stream is None:
        return  # HTTP/2 closes one stream and keeps its connection; another transport: closed as the SDK does
    deadline = time.monotonic() + _FINISH_S
    read = stream.read

    def read_in_time(max_bytes: int, timeout: float | None = None) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _FinishOver
        return cast(bytes, read(max_bytes, timeout=left if timeout is None else min(timeout, left)))

    try:
        stream.read = read_in_time
    except AttributeError:  # a stream that does not take it: closed part-read, as the SDK does
        return
    try:
        for _ in events:
            pass
    except (_FinishOver, openai.APIError):
        pass  # not ended in time, or broken: the SDK closes the response, and httpcore discards the connection
    finally:
        del stream.read


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value) if value else None
