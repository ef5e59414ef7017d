"""Safe placeholder filling: `{name}` is replaced by an input value; nothing is ever evaluated.

Template files are data, so a `{x.__class__}` or `{{ 7*7 }}` inside one is text, not code.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace `{name}` by values[name] (empty when missing); everything else is left as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), "").strip(), text)
