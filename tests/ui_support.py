"""Helpers for the UI tests: a scripted backend behind the Backend interface and AppTest set-up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from streamlit.testing.v1 import AppTest

from drafter.backends.base import Backend, CallReport, Generation, GenerationOptions
from drafter.errors import BackendError
from drafter.prompts import PromptBundle
from drafter.service import DrafterService
from drafter.ui.common import SERVICE_OVERRIDE_KEY, USER_KEY

T = TypeVar("T", bound=BaseModel)
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
# generation and export take longer than AppTest's 3 s default on a busy machine
TIMEOUT = 120


class ScriptedBackend(Backend):
    """Writes '<heading> text by the scripted model.' in three pieces; can be told to fail on a call."""

    name = "scripted"
    model = "scripted-model-1"
    external = False
    description = "A scripted test backend."

    def __init__(self, fail_on_call: int | None = None):
        self.calls = 0
        self.fail_on_call = fail_on_call

    def _text(self, prompt: PromptBundle) -> str:
        if prompt.task == "refine":
            return f"Refined {prompt.section.heading} ({prompt.instruction})."
        return f"{prompt.section.heading} text by the scripted model."

    def stream(
        self, prompt: PromptBundle, options: GenerationOptions, report: CallReport | None = None
    ) -> Iterator[str]:
        self.calls += 1
        if self.fail_on_call is not None and self.calls == self.fail_on_call:
            raise BackendError("The scripted backend timed out after 2 retries.")
        words = self._text(prompt).split(" ")
        for i in range(0, len(words), 2):
            yield " ".join(words[i : i + 2]) + (" " if i + 2 < len(words) else "")

    def generate(
        self, prompt: PromptBundle, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        return Generation(text="".join(self.stream(prompt, options)), model=self.model)

    def structured(
        self, prompt: PromptBundle, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        return schema.model_validate({"text": self.generate(prompt, options).text})


def app_for(service: DrafterService, user: str | None = None) -> AppTest:
    """A fresh browser session on the app, using `service`, signed in as `user` (if given), after its first run."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[SERVICE_OVERRIDE_KEY] = service
    if user:
        at.session_state[USER_KEY] = user
    return at.run()


def texts(at: AppTest) -> str:
    """All the text of markdown, captions, alerts and HTML blocks on the page, joined (for assertions)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader", "html"):
        for el in at.get(kind):
            parts.append(str(getattr(el, "value", "") or getattr(getattr(el, "proto", None), "body", "")))
    # markdown values hold the app's escapes ("barrier\\-report\\.txt"); compare plain text
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))
