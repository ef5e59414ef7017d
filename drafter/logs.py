"""Logging set-up: plain text or one JSON object per line (DRAFTER_LOG_FORMAT=json).

Log records carry ids, actions, durations and error classes only: never user names, inputs, sources or
generated text. Those live in the store, under its access rules and retention.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_FIELDS = ("draft_id", "action", "template", "backend", "model", "section", "duration_ms", "error_type")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key in _FIELDS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        return json.dumps(data, ensure_ascii=False)


def configure(fmt: str = "text", level: str = "WARNING") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("drafter")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
