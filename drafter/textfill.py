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


CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, up to 99 (enough for 层次序数)."""
    if not 0 < n < 100:
        raise ValueError(f"{n} is outside 1..99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{CN_DIGITS[tens]}十")
    return head + (CN_DIGITS[ones] if ones else "")
