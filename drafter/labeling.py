"""Per-section provenance and the document label: visible statement and machine-readable metadata.

The `AIGC` metadata follows GB 45438-2025 Annex E; the `DrafterProvenance` metadata carries what a
verifier needs to check the document against its approval.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from drafter.models import (
    MACHINE_SPANS,
    Draft,
    Finding,
    Label,
    Origin,
    Provenance,
    Review,
    Section,
    Span,
    SpanOrigin,
)

OFFLINE_MODEL = "drafter-offline-extractive-1"  # the offline backend's model name in drafts saved before 0.2

PROVENANCE_SCHEMA = "drafter-provenance/1"
_ORIGIN_TEXT = {
    "en": {
        Origin.ai: "AI-generated",
        Origin.ai_edited: "AI-generated, then edited by a person",
        Origin.human: "Written by a person",
    },
    "zh": {
        Origin.ai: "人工智能生成",
        Origin.ai_edited: "人工智能生成，经人工修改",
        Origin.human: "人工撰写",
    },
}


def origin_text(origin: Origin, language: str) -> str:
    return _ORIGIN_TEXT.get(language, _ORIGIN_TEXT["en"])[origin]


def origin_from_spans(spans: list[Span], *, machine_before: bool = False, edited: bool = False) -> Origin:
    """A section's origin, computed from its spans.

    Machine text (a language model's, a rule's, or a quote a machine chose) makes it `ai`, or `ai_edited` once
    a person has changed it. A section made only of the author's inputs is `human`; so is a person's edit of
    such a section. A section a machine drafted and a person then rewrote stays `ai_edited` (`machine_before`):
    the person worked from the machine's draft, which is kept for the reviewer's diff.
    """
    machine = any(sp.origin in MACHINE_SPANS for sp in spans)
    changed = edited or any(sp.origin == SpanOrigin.edited for sp in spans)
    if machine:
        return Origin.ai_edited if changed else Origin.ai
    if machine_before and changed:
        return Origin.ai_edited
    return Origin.human


def section_origin(section: Section) -> Origin:
    """The section's origin from its spans; drafts saved before spans existed keep their recorded origin."""
    if not section.spans:
        return section.provenance.origin
    p = section.provenance
    return origin_from_spans(section.spans, machine_before=p.origin == Origin.ai_edited,
                             edited=p.edited_by is not None)


def _date(dt: datetime, language: str) -> str:
    if language == "zh":
        return f"{dt.year}年{dt.month}月{dt.day}日"
    return f"{dt.day} {dt.strftime('%B %Y')} at {dt.strftime('%H:%M')} UTC"


def _by_language_model(p: Provenance) -> bool:
    """Whether a language model wrote the section; drafts saved before the flag existed name the offline model."""
    if p.language_model is not None:
        return p.language_model
    return p.model != OFFLINE_MODEL


def used_backends(sections: list[Section]) -> tuple[list[str], list[str]]:
    backends = sorted({s.provenance.backend for s in sections if s.provenance.backend})
    models = sorted({s.provenance.model for s in sections if s.provenance.model})
    return backends, models


# In UTF-8 a character outside ASCII is bytes from 0x80 up, so a text's UTF-8 without its other bytes holds its
# ASCII letters and digits, and without its ASCII bytes it is its characters outside ASCII, whole and in order.
_NOT_ASCII_ALNUM = bytes(b for b in range(256) if not (b < 128 and chr(b).isalnum()))
_ASCII = bytes(range(128))


def alnum_count(text: str) -> int:
    """How many characters of `text` are `str.isalnum`: the ASCII ones counted in C (a 50-page export asked each
    of its 250,000 characters in Python), the others one by one. Lone surrogates (not alphanumeric) pass."""
    data = text.encode("utf-8", "surrogatepass")
    others = data.translate(None, _ASCII).decode("utf-8", "surrogatepass")
    return len(data.translate(None, _NOT_ASCII_ALNUM)) + sum(map(str.isalnum, others))


def machine_words(section: Section) -> tuple[int, int]:
    """(word characters a machine wrote or chose, all word characters) of a section, from its spans."""
    words = alnum_count(section.text)
    if not section.spans:  # saved before spans existed: the recorded origin decides for the whole section
        return (words if section.provenance.origin != Origin.human else 0), words
    machine = sum(alnum_count(section.text[sp.start:sp.end]) for sp in section.spans if sp.origin in MACHINE_SPANS)
    return machine, words


def _percent(sections: list[Section]) -> str:
    counts = [machine_words(s) for s in sections]
    total = sum(w for _, w in counts)
    share = sum(m for m, _ in counts) / total if total else 0.0
    return f"{round(share * 100)}%"


def statement(draft: Draft, approval: Review, system: str) -> str:
    """The visible AI-use statement, in the document's language, counting what a machine wrote from the spans."""
    backends, models = used_backends(draft.sections)
    ai_sections = [s for s in draft.sections if section_origin(s) != Origin.human]
    offline_only = bool(ai_sections) and not any(_by_language_model(s.provenance) for s in ai_sections)
    facts = approval.checklist.facts_checked
    share = _percent(draft.sections)
    if draft.language == "zh":
        how = "（由离线规则组装，未使用大语言模型）" if offline_only else f"（模型：{'、'.join(models)}）"
        if not ai_sections:
            return f"本文由人工撰写，经{approval.reviewer}于{_date(approval.created_at, 'zh')}人工审核。"
        return (
            f"本文由人工智能辅助生成{how}，共{len(draft.sections)}节中{len(ai_sections)}节含机器生成内容"
            f"（约占文字{share}），经{approval.reviewer}于{_date(approval.created_at, 'zh')}人工审核"
            f"{'，事实已对照来源核实' if facts else ''}。"
        )
    edited = sum(1 for s in ai_sections if section_origin(s) == Origin.ai_edited)
    then_edited = f" ({edited} of them then edited by a person)" if edited else ""
    if not ai_sections:
        drafted = (f"This document was written by {draft.author}. No part of it was written by a language model "
                   "or assembled by a machine")
    elif offline_only:
        drafted = (
            f"This document was drafted with {system}'s offline assembler, which uses no language model: "
            f"it filled the template from {draft.author}'s inputs and quoted the sources. "
            f"{len(ai_sections)} of {len(draft.sections)} sections contain text it assembled or quoted "
            f"({share} of the words){then_edited} and are marked with comments; the rest is {draft.author}'s own words"
        )
    else:
        drafted = (
            f"This document was drafted with AI assistance by {system} using {', '.join(models)} for {draft.author}. "
            f"{len(ai_sections)} of {len(draft.sections)} sections are machine-generated ({share} of the words "
            f"written by a language model or quoted from the sources){then_edited} and marked with comments"
        )
    return (
        f"{drafted}. It was reviewed and approved by {approval.reviewer} on {_date(approval.created_at, 'en')}. "
        f"Facts {'were' if facts else 'were not'} checked against the sources by the reviewer."
    )


def _ascii(value: str) -> str:
    """Printable ASCII only, as Annex E requires: non-ASCII becomes \\uXXXX escapes, controls are dropped."""
    escaped = value.encode("ascii", "backslashreplace").decode("ascii")
    return re.sub(r"[^\x20-\x7e]", "", escaped)


def _aigc_fields(
    *, system: str, organisation: str, produce_id: str, content_sha256: str, draft_id: str
) -> dict[str, dict[str, str]]:
    return {
        "AIGC": {
            "Label": "1",
            "ContentProducer": _ascii(f"{system} ({organisation})"),
            "ProduceID": _ascii(produce_id),
            "ReservedCode1": content_sha256,
            "ContentPropagator": _ascii(organisation),
            "PropagateID": _ascii(f"{draft_id}/{produce_id}"),
            "ReservedCode2": _ascii(draft_id),
        }
    }


def aigc_metadata(draft: Draft, *, organisation: str, system: str, produce_id: str) -> dict[str, dict[str, str]]:
    return _aigc_fields(system=system, organisation=organisation, produce_id=produce_id,
                        content_sha256=draft.content_sha256, draft_id=draft.id)


def expected_aigc(provenance: dict[str, object]) -> dict[str, str] | None:
    """The AIGC fields an export with this provenance carries; None for provenance written before 0.3."""
    keys = ("system", "organisation", "produce_id", "content_sha256", "draft_id")
    if not all(isinstance(provenance.get(k), str) for k in keys):
        return None
    return _aigc_fields(**{k: str(provenance[k]) for k in keys})["AIGC"]


def aigc_json(aigc: dict[str, dict[str, str]]) -> str:
    text = json.dumps(aigc, ensure_ascii=True, separators=(",", ":"))
    if not all(0x20 <= ord(c) <= 0x7E for c in text):
        raise ValueError("AIGC metadata must be printable ASCII")
    return text


def provenance(
    draft: Draft, approval: Review, *, system: str, exported_by: str, exported_at: datetime,
    findings: list[Finding] | None = None, organisation: str | None = None, produce_id: str | None = None,
    statement_text: str | None = None,
) -> dict[str, object]:
    """What a verifier needs: section origins, backends and models, approval, hashes; the export signs it."""
    backends, models = used_backends(draft.sections)
    data: dict[str, object] = {
        "schema": PROVENANCE_SCHEMA,
        "system": system,
        "organisation": organisation,
        "produce_id": produce_id,
        "statement": statement_text,
        "draft_id": draft.id,
        "template": draft.template_id,
        "style_guide": draft.style_guide_id,
        "language": draft.language,
        "title": draft.title,
        "sections": [
            {
                "id": s.id,
                "heading": s.heading,
                "origin": s.provenance.origin.value,
                "spans": _span_summary(s),
                "backend": s.provenance.backend,
                "model": s.provenance.model,
                "prompt_sha256": s.provenance.prompt_sha256,
                "generated_at": s.provenance.generated_at.isoformat() if s.provenance.generated_at else None,
                "edited_by": s.provenance.edited_by,
            }
            for s in draft.sections
        ],
        "backends": backends,
        "models": models,
        "author": draft.author,
        "reviewer": approval.reviewer,
        "approved_at": approval.created_at.isoformat(),
        "approved_version": approval.version,
        "checklist": approval.checklist.model_dump(),
        "content_sha256": draft.content_sha256,
        "exported_by": exported_by,
        "exported_at": exported_at.isoformat(),
    }
    if findings is not None:
        from drafter.checks.runner import summary

        data["checks"] = summary(findings)  # counts by severity, open findings and waivers with reasons
    return data


def _span_summary(section: Section) -> dict[str, int]:
    """Characters of the section's text by span origin (empty for drafts saved before spans existed)."""
    out: dict[str, int] = {}
    for sp in section.spans:
        out[sp.origin.value] = out.get(sp.origin.value, 0) + sp.end - sp.start
    return out


def build_label(
    draft: Draft, approval: Review, *, system: str, organisation: str, exported_by: str, exported_at: datetime,
    findings: list[Finding] | None = None,
) -> Label:
    produce_id = uuid.uuid4().hex
    backends, models = used_backends(draft.sections)
    text = statement(draft, approval, system)
    return Label(
        language=draft.language,
        system=system,
        backends=backends,
        models=models,
        author=draft.author,
        reviewer=approval.reviewer,
        approved_at=approval.created_at,
        facts_checked=approval.checklist.facts_checked,
        statement=text,
        aigc=aigc_metadata(draft, organisation=organisation, system=system, produce_id=produce_id),
        provenance=provenance(draft, approval, system=system, exported_by=exported_by, exported_at=exported_at,
                              findings=findings, organisation=organisation, produce_id=produce_id,
                              statement_text=text),
    )
