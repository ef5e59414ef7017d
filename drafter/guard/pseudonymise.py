"""Reversible pseudonymisation: personal data → stable placeholders, and back in the model's output.

The same value always gets the same placeholder within a draft ([EMAIL_1] is the same address in every
section and every refinement), so the model can refer to it consistently. The mapping is kept on this
machine (stored with the draft) and never sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from drafter.guard.detectors import Detection

# Short placeholder names per entity type.
PLACEHOLDER_NAMES = {
    "CN_RESIDENT_ID": "ID_NUMBER", "SG_NRIC_FIN": "ID_NUMBER", "UK_NINO": "NI_NUMBER", "US_SSN": "SSN",
    "IBAN": "IBAN", "PAYMENT_CARD": "CARD", "EMAIL": "EMAIL", "PHONE": "PHONE", "IP_ADDRESS": "IP",
    "PERSON": "PERSON", "ADDRESS": "ADDRESS",
}
_NAMES = "|".join(sorted(set(PLACEHOLDER_NAMES.values()), key=len, reverse=True))
# Models sometimes drop or change the brackets; accept [EMAIL_1], ［EMAIL_1］, EMAIL_1, [email_1].
_PLACEHOLDER = re.compile(
    rf"[\[［【]\s*(?P<key>(?:{_NAMES})_\d+)\s*[\]］】]|\b(?P<bare>(?:{_NAMES})_\d+)\b", re.IGNORECASE
)
_PARTIAL_TAIL = re.compile(rf"[\[［【]?\s*(?:[A-Z_]*|(?:{_NAMES})_\d*)$", re.IGNORECASE)


def _key(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip())


class Pseudonymiser:
    """Holds one draft's mapping (placeholder → original) and applies it both ways."""

    def __init__(self, mapping: dict[str, str] | None = None, types: dict[str, str] | None = None):
        self.mapping: dict[str, str] = dict(mapping or {})
        self.types: dict[str, str] = dict(types or {})
        self._by_value = {_key(v): k for k, v in self.mapping.items()}
        self.new: list[tuple[str, str, str]] = []  # (placeholder, entity type, original) added this session

    def placeholder_for(self, detection: Detection) -> str:
        key = _key(detection.text)
        if key in self._by_value:
            return self._by_value[key]
        name = PLACEHOLDER_NAMES.get(detection.type, detection.type)
        n = 1 + sum(1 for p in self.mapping if p[1:].rsplit("_", 1)[0] == name)
        placeholder = f"[{name}_{n}]"
        self.mapping[placeholder] = detection.text
        self.types[placeholder] = detection.type
        self._by_value[key] = placeholder
        self.new.append((placeholder, detection.type, detection.text))
        return placeholder

    def apply(self, text: str, detections: Iterable[Detection]) -> str:
        """Replace each detection (offsets into `text`) by its placeholder."""
        out: list[str] = []
        pos = 0
        for d in sorted(detections, key=lambda d: d.start):
            if d.start < pos:
                continue
            out.append(text[pos : d.start])
            out.append(self.placeholder_for(d))
            pos = d.end
        out.append(text[pos:])
        return "".join(out)

    def replace_known(self, text: str) -> str:
        """Replace every known original value in `text` (longest first), for structured prompt fields."""
        for placeholder, original in sorted(self.mapping.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(original, placeholder)
        return text

    def restore(self, text: str) -> str:
        """Put the originals back where the model wrote placeholders."""
        lookup = {p[1:-1].upper(): v for p, v in self.mapping.items()}

        def sub(m: re.Match[str]) -> str:
            return lookup.get((m.group("key") or m.group("bare")).upper(), m.group())

        return _PLACEHOLDER.sub(sub, text)

    def restore_stream(self, pieces: Iterable[str]) -> Iterator[str]:
        """Restore a token stream, holding back a piece that may be the start of a placeholder."""
        pending = ""
        for piece in pieces:
            pending += piece
            tail = _PARTIAL_TAIL.search(pending)
            cut = tail.start() if tail and tail.group().strip() and len(pending) - tail.start() < 40 else len(pending)
            if cut > 0:
                yield self.restore(pending[:cut])
                pending = pending[cut:]
        if pending:
            yield self.restore(pending)
