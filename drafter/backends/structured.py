"""Structured output: the section schema, the instruction asking for it, and a tolerant parser.

Servers that support `response_format: json_schema` return JSON; others may ignore it and write prose. The
parser accepts, in order: a JSON object (also inside a ``` fence or surrounded by chatter), then *headed
text*, one `## field` heading per schema field. A schema may define `from_headed(fields)` to read its
headed form; otherwise string fields take the text under their heading and other fields parse it as JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_HEADING = re.compile(r"^\s*#{1,4}\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*:?\s*$", re.MULTILINE)
_EVIDENCE_LINE = re.compile(r"^\s*[-*]?\s*\[(\d{1,3})\]\s*[:\-–]?\s*(.+?)\s*$")


class Evidence(BaseModel):
    source: int = Field(description="Number n of the <source id=\"n\"> the quote comes from.")
    quote: str = Field(description="A short verbatim passage from that source supporting the section.")


class CitedSection(BaseModel):
    """One section of a document with the source passages that support it."""

    text: str = Field(description="The section text, with [n] after each sentence that uses source n.")
    evidence: list[Evidence] = Field(
        default_factory=list, description="Verbatim source passages supporting the text; empty if none used."
    )

    @classmethod
    def from_headed(cls, fields: dict[str, str]) -> CitedSection:
        """`## text` then optionally `## evidence` with lines like `- [1] "quoted passage"`."""
        items = []
        for line in fields.get("evidence", "").splitlines():
            m = _EVIDENCE_LINE.match(line)
            if m:
                items.append(Evidence(source=int(m.group(1)), quote=m.group(2).strip().strip('"“”')))
        return cls(text=fields["text"], evidence=items)


def instruction_for(schema: type[BaseModel]) -> str:
    """What we append to the prompt when asking for `schema`: JSON first, headed text as a fallback."""
    names = ", ".join(f"## {name}" for name in schema.model_fields)
    return (
        "Reply with one JSON object, and nothing else, that matches this JSON schema:\n"
        f"{json.dumps(schema.model_json_schema(), ensure_ascii=False)}\n"
        f"If you cannot write JSON, write each field under its own heading instead ({names})."
    )


def repair_instruction(problem: str, schema: type[BaseModel]) -> str:
    return (
        f"Your previous reply could not be read: {problem}\n"
        "Reply again with only the JSON object, no commentary, matching this JSON schema:\n"
        f"{json.dumps(schema.model_json_schema(), ensure_ascii=False)}"
    )


def _json_candidates(raw: str) -> list[str]:
    out = [raw.strip()]
    out += [m.group(1).strip() for m in _FENCE.finditer(raw)]
    start, end = raw.find("{"), raw.rfind("}")
    if 0 <= start < end:
        out.append(raw[start : end + 1])
    return out


def _headed(raw: str, schema: type[T]) -> T | None:
    marks = list(_HEADING.finditer(raw))
    known = {name.lower(): name for name in schema.model_fields}
    fields: dict[str, str] = {}
    for i, m in enumerate(marks):
        key = m.group(1).strip().lower().replace(" ", "_")
        if key not in known:
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
        fields[known[key]] = raw[m.end() : end].strip()
    if not fields:
        return None
    hook = getattr(schema, "from_headed", None)
    if callable(hook):
        return hook(fields)
    data: dict[str, Any] = {}
    for name, body in fields.items():
        info = schema.model_fields[name]
        data[name] = body if info.annotation is str else json.loads(body)
    return schema.model_validate(data)


def parse_structured(raw: str, schema: type[T]) -> tuple[T | None, str]:
    """(value, "") when `raw` holds a valid `schema` as JSON or headed text, else (None, what was wrong)."""
    problem = "the reply was empty" if not raw.strip() else "the reply was neither JSON nor headed text"
    for candidate in _json_candidates(raw):
        if not candidate:
            continue
        try:
            return schema.model_validate_json(candidate), ""
        except ValidationError as exc:
            errors = exc.errors()
            if errors and errors[0]["type"] != "json_invalid":
                problem = f"the JSON did not match the schema ({errors[0]['msg']} at {errors[0]['loc']})"
    try:
        value = _headed(raw, schema)
    except (ValidationError, ValueError, KeyError) as exc:
        return None, f"the headed text could not be read ({str(exc).splitlines()[0]})"
    if value is not None:
        return value, ""
    return None, problem
