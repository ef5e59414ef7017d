"""The one interface every backend implements: generate, stream, structured, over plain chat messages.

A backend knows nothing of Drafter's domain: it receives a `ChatRequest` (plain messages plus plain-data
context that rule-based backends may read) and declares what it can do in `Capabilities`. Code asks a
backend what it can do, never what it is called.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from drafter.errors import BackendError

T = TypeVar("T", bound=BaseModel)


Role = Literal["system", "human", "ai"]


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """`fn` applied to every string inside JSON-like data (a request's context, a structured reply)."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list | tuple):
        return [map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, fn) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Message:
    """One chat message. `role` uses langchain's names (system / human / ai)."""

    role: Role
    content: str

    @property
    def type(self) -> str:
        return self.role


@dataclass(frozen=True)
class ChatRequest:
    """What a backend receives: the messages, and plain data describing the task for rule-based backends.

    `context` holds only JSON-like data (str, numbers, lists, dicts): a language model backend ignores it.
    """

    messages: tuple[Message, ...]
    task: str = "section"
    section_id: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, declared by the backend itself.

    - `streaming`: yields text as it is produced;
    - `structured`: can return output validated against a schema (natively or by parsing);
    - `local`: keeps data on this machine or network (sets its default clearance and personal-data policy);
    - `language_model`: text is written by a language model (labels say so; a retry with feedback may help).
    """

    streaming: bool = False
    structured: bool = True
    local: bool = True
    language_model: bool = True


@dataclass(frozen=True)
class GenerationOptions:
    """Passed through explicitly to the backend client; none is silently dropped."""

    temperature: float = 0.2
    max_tokens: int = 1200
    timeout_s: float = 60.0
    max_retries: int = 2


@dataclass(frozen=True)
class Generation:
    text: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass
class CallReport:
    """Filled in by a backend while it works, so the caller can record a call even when it fails."""

    raw: list[str] = field(default_factory=list)  # every raw reply received (structured: one per attempt)
    input_tokens: int | None = None
    output_tokens: int | None = None
    requests: int = 0
    finish_reason: str | None = None
    # called by a retrying wrapper when text streamed so far is void (why); set by the caller
    on_retry: Callable[[str], None] | None = None

    def add_usage(self, input_tokens: int | None, output_tokens: int | None) -> None:
        if input_tokens is not None:
            self.input_tokens = (self.input_tokens or 0) + input_tokens
        if output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + output_tokens


class StreamInterrupted(BackendError):
    """The connection dropped mid-stream; `partial` is the text received before it did."""

    def __init__(self, message: str, /, partial: str = "", **params: object) -> None:
        super().__init__(message, **params)
        self.partial = partial


class Backend(ABC):
    """A text generator. `external` backends send data off this machine.

    `name` is the name it is registered under (shown to people, used in settings); no code branches on it.
    `default_clearance` is the highest marking it may receive unless settings say otherwise (None: the guard's
    default for a local or an external backend).
    """

    name: str
    model: str
    external: bool = False
    description: str = ""
    default_clearance: str | None = None

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(local=not self.external)

    @abstractmethod
    def generate(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        """Return the whole text for the prompt."""

    def stream(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Iterator[str]:
        """Yield the text in pieces as it is produced (default: one piece)."""
        generation = self.generate(request, options, report)
        yield generation.text

    @abstractmethod
    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        """Return output validated against `schema`."""

    def endpoint(self) -> str | None:
        """Where requests go (a URL), or None for an in-process backend."""
        return None

    def check(self, options: GenerationOptions) -> tuple[bool, str]:
        """Whether the backend can be reached now, and one sentence saying so."""
        return True, "built in; nothing to reach"
