"""Helpers for the UI tests: a scripted backend behind the Backend interface and AppTest set-up."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from drafter.service import DrafterService
from drafter.ui.common import SERVICE_OVERRIDE_KEY, USER_KEY
from tests.fakes import ScriptedBackend

__all__ = ["APP", "TIMEOUT", "ScriptedBackend", "app_for", "texts"]
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
# generation and export take longer than AppTest's 3 s default on a busy machine
TIMEOUT = 120


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
