"""The one interface every backend implements: generate, stream, structured."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

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


class Backend(ABC):
    """A text generator. `external` backends send data off this machine."""

    name: str
    model: str
    external: bool = False
    description: str = ""

    @abstractmethod
    def generate(self, prompt: PromptBundle, options: GenerationOptions) -> Generation:
        """Return the whole text for the prompt."""

    def stream(self, prompt: PromptBundle, options: GenerationOptions) -> Iterator[str]:
        """Yield the text in pieces as it is produced (default: one piece)."""
        yield self.generate(prompt, options).text

    @abstractmethod
    def structured(self, prompt: PromptBundle, schema: type[T], options: GenerationOptions) -> T:
        """Return output validated against `schema`."""
