"""The one interface every backend implements: generate, stream, structured."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from drafter.errors import BackendError
from drafter.prompts import PromptBundle

T = TypeVar("T", bound=BaseModel)


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

    def add_usage(self, input_tokens: int | None, output_tokens: int | None) -> None:
        if input_tokens is not None:
            self.input_tokens = (self.input_tokens or 0) + input_tokens
        if output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + output_tokens


class StreamInterrupted(BackendError):
    """The connection dropped mid-stream; `partial` is the text received before it did."""

    def __init__(self, message: str, partial: str):
        super().__init__(message)
        self.partial = partial


class Backend(ABC):
    """A text generator. `external` backends send data off this machine."""

    name: str
    model: str
    external: bool = False
    description: str = ""

    @abstractmethod
    def generate(
        self, prompt: PromptBundle, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        """Return the whole text for the prompt."""

    def stream(
        self, prompt: PromptBundle, options: GenerationOptions, report: CallReport | None = None
    ) -> Iterator[str]:
        """Yield the text in pieces as it is produced (default: one piece)."""
        generation = self.generate(prompt, options, report)
        yield generation.text

    @abstractmethod
    def structured(
        self, prompt: PromptBundle, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        """Return output validated against `schema`."""

    def endpoint(self) -> str | None:
        """Where requests go (a URL), or None for an in-process backend."""
        return None

    def check(self, options: GenerationOptions) -> tuple[bool, str]:
        """Whether the backend can be reached now, and one sentence saying so."""
        return True, "built in; nothing to reach"
