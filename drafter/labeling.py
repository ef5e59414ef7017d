"""Per-section provenance and the document label: visible statement and machine-readable metadata.

The `AIGC` metadata follows GB 45438-2025 Annex E; the `DrafterProvenance` metadata carries what a
verifier needs to check the document against its approval.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from drafter.models import Draft, Finding, Label, Origin, Provenance, Review, Section

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


def statement(draft: Draft, approval: Review, system: str) -> str:
    """The visible AI-use statement, in the document's language."""
    backends, models = used_backends(draft.sections)
    ai_sections = [s for s in draft.sections if s.provenance.origin != Origin.human]
    offline_only = bool(ai_sections) and not any(_by_language_model(s.provenance) for s in ai_sections)
    facts = approval.checklist.facts_checked
    if draft.language == "zh":
        how = "（由离线规则组装，未使用大语言模型）" if offline_only else f"（模型：{'、'.join(models)}）"
        if not ai_sections:
            return f"本文由人工撰写，经{approval.reviewer}于{_date(approval.created_at, 'zh')}人工审核。"
        return (
            f"本文由人工智能辅助生成{how}，经{approval.reviewer}于{_date(approval.created_at, 'zh')}人工审核"
            f"{'，事实已对照来源核实' if facts else ''}。"
        )
    if not ai_sections:
        drafted = f"This document was written by {draft.author}"
    elif offline_only:
        drafted = (
            f"This document was drafted with {system}'s offline assembler, which uses no language model: "
            f"it filled the template from {draft.author}'s inputs and quoted the sources"
        )
    else:
        drafted = f"This document was drafted with AI assistance by {system} using {', '.join(models)} for {draft.author}"
    edited = sum(1 for s in ai_sections if s.provenance.origin == Origin.ai_edited)
    then_edited = f" ({edited} of them then edited by a person)" if edited else ""
    return (
        f"{drafted}. {len(ai_sections)} of {len(draft.sections)} sections are machine-generated{then_edited} "
        f"and marked with comments. It was reviewed and approved by {approval.reviewer} on {_date(approval.created_at, 'en')}. "
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
