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

from pydantic import BaseModel, Field, ValidationError, model_validator

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_HEADING = re.compile(r"^\s*#{1,4}\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*:?\s*$", re.MULTILINE)
_EVIDENCE_LINE = re.compile(r"^\s*[-*]?\s*\[(\d{1,3})\]\s*[:\-–]?\s*(.+?)\s*$")


class Evidence(BaseModel):
    source: int = Field(description="Number n of the <source id=\"n\"> the quote comes from.")
    quote: str = Field(description="A short verbatim passage from that source supporting the section.")


class CitedSentence(BaseModel):
    """One sentence of a section with the exact source passage it rests on."""

    text: str = Field(description="One sentence of the section, without any [n] marker.")
    source: int | None = Field(
        default=None,
        description="Number n of the <source id=\"n\"> supporting this sentence; null if it rests on the inputs only.",
    )
    evidence: str = Field(
        default="",
        description="The passage of that source supporting this sentence, copied exactly, word for word; "
        "empty when source is null.",
    )


class CitedSection(BaseModel):
    """One section of a document, best given sentence by sentence (`sentences`), each sentence with the exact
    passage of a source that supports it; `text` is then built from the sentences and may be left empty."""

    text: str = Field(default="", description="The section text, with [n] after each sentence that uses source n.")
    evidence: list[Evidence] = Field(
        default_factory=list, description="Verbatim source passages supporting the text; empty if none used."
    )
    sentences: list[CitedSentence] = Field(
        default_factory=list,
        description="The section sentence by sentence, in order, each with the exact source passage supporting it.",
    )

    @model_validator(mode="after")
    def _text_from_sentences(self) -> CitedSection:
        if not self.text.strip():
            if not self.sentences:
                raise ValueError("give the section as `text` or as `sentences`")
            self.text = join_sentences(self.sentences)
        return self

    def sentence_evidence(self) -> list[tuple[str, int | None, str]]:
        """(sentence, source number or None, evidence passage) for each sentence given with `sentences`."""
        return [(s.text.strip(), s.source, s.evidence.strip()) for s in self.sentences if s.text.strip()]

    def all_evidence(self) -> list[tuple[int, str]]:
        """Every (source number, passage) pair: section-level evidence, then each sentence's."""
        pairs = [(e.source, e.quote) for e in self.evidence]
        pairs += [(s.source, s.evidence) for s in self.sentences if s.source is not None and s.evidence.strip()]
        return pairs

    @classmethod
    def from_headed(cls, fields: dict[str, str]) -> CitedSection:
        """`## text` then optionally `## evidence` with lines like `- [1] "quoted passage"`."""
        items = []
        for line in fields.get("evidence", "").splitlines():
            m = _EVIDENCE_LINE.match(line)
            if m:
                items.append(Evidence(source=int(m.group(1)), quote=m.group(2).strip().strip('"“”')))
        return cls(text=fields["text"], evidence=items)


class DocumentSection(CitedSection):
    """One section of a whole document, named by its id in the plan."""

    id: str = Field(description="The section's id, as in [id] in the plan.")


class CitedDocument(BaseModel):
    """Every requested section of a document in one reply, each given sentence by sentence with its evidence."""

    sections: list[DocumentSection] = Field(description="The requested sections, in the order of the plan.")


class UnsupportedClaim(BaseModel):
    section: str = Field(description="The id of the section the claim is in, as in <draft section=\"id\">.")
    claim: str = Field(description="The claim, quoted exactly as it appears in that section.")
    reason: str = Field(default="", description="In one sentence, why the inputs and sources do not support it.")


class SelfCheck(BaseModel):
    """The claims of a draft that its inputs and sources do not support, or that over-state them."""

    claims: list[UnsupportedClaim] = Field(
        default_factory=list, description="Unsupported or over-stated claims; empty if every claim is supported."
    )


_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$")


def join_sentences(sentences: list[CitedSentence]) -> str:
    """The section text from its sentences: `[n]` after each sentence citing source n; no space after Chinese."""
    out = ""
    for s in sentences:
        piece = s.text.strip()
        if not piece:
            continue
        if s.source is not None and not piece.endswith(f"[{s.source}]"):
            piece = f"{piece} [{s.source}]"
        if out and not _CJK_END.search(out.rstrip("]0123456789[ ")):
            out += " "
        out += piece
    return out


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
