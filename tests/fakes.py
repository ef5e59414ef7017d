"""The one scripted backend for service and UI tests: it speaks the Backend protocol, records what it receives
and replies by a script. (The wire path is tested separately against a local OpenAI-compatible server.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar

from pydantic import BaseModel

from drafter.backends.base import (
    Backend,
    CallReport,
    Capabilities,
    ChatRequest,
    Generation,
    GenerationOptions,
)
from drafter.errors import BackendError

T = TypeVar("T", bound=BaseModel)
PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def default_script(request: ChatRequest) -> str:
    """'<heading> text by the scripted model.'; a refinement says what it was asked."""
    ctx = request.context
    heading = ctx["section"]["heading"]
    if request.task == "refine":
        return f"Refined {heading} ({ctx['instruction']})."
    return f"{heading} text by the scripted model."


def echo_placeholders(request: ChatRequest) -> str:
    """Repeats back every placeholder it was sent, so a test sees pseudonymisation restored."""
    sent = "\n\n".join(m.content for m in request.messages if m.role != "system")
    found = sorted(set(PLACEHOLDER.findall(sent)))
    return f"Section {request.section_id}: contact " + ", ".join(found) + "."


class ScriptedBackend(Backend):
    """Replies by `script`, streamed in pieces of `piece_chars` characters (or two words); may fail on a call."""

    def __init__(
        self,
        *,
        name: str = "scripted",
        model: str = "scripted-model-1",
        external: bool = False,
        script: Callable[[ChatRequest], str] = default_script,
        fail_on_call: int | None = None,
        piece_chars: int | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.external = external
        self.description = "A scripted test backend."
        self.script = script
        self.fail_on_call = fail_on_call
        self.piece_chars = piece_chars
        self.calls = 0
        self.received: list[ChatRequest] = []

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(streaming=True, structured=True, local=not self.external, language_model=True)

    def _pieces(self, text: str) -> list[str]:
        if self.piece_chars:
            return [text[i : i + self.piece_chars] for i in range(0, len(text), self.piece_chars)]
        words = text.split(" ")
        return [" ".join(words[i : i + 2]) + (" " if i + 2 < len(words) else "") for i in range(0, len(words), 2)]

    def stream(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Iterator[str]:
        self.calls += 1
        self.received.append(request)
        if self.fail_on_call is not None and self.calls == self.fail_on_call:
            raise BackendError("The scripted backend timed out after 2 retries.")
        yield from self._pieces(self.script(request))

    def generate(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        return Generation(text="".join(self.stream(request, options)), model=self.model)

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        return schema.model_validate({"text": self.generate(request, options).text, "evidence": []})

    def everything_sent(self) -> str:
        """Every string this backend received: messages and the plain-data context."""
        parts: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list | tuple):
                for v in value:
                    walk(v)

        for r in self.received:
            parts += [m.content for m in r.messages]
            walk(dict(r.context))
        return "\n".join(parts)
