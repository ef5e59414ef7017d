"""Domain objects to table rows and back (JSON columns, ISO timestamps)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from drafter.models import Checklist, Draft, DraftRequest, Finding, LLMCall, Review, Section

Row = Mapping[Any, Any]  # a RowMapping: keyed by column name (or Column)


def iso(dt: datetime) -> str:
    return dt.isoformat()


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


_SECTIONS = TypeAdapter(list[Section])


# id(section) -> (the section, its JSON); holding the section keeps its id from being reused while remembered
_SECTION_JSON: ContextVar[dict[int, tuple[Section, str]] | None] = ContextVar("section_json", default=None)


@contextmanager
def sections_unchanged() -> Iterator[None]:
    """Within, in this thread, each Section object's JSON is computed once and reused by later saves.

    For a caller that saves a growing document many times (a batch simplification commits every few sections,
    and each commit writes every section): without it, saving is quadratic in the number of sections. The caller
    promises not to change a Section object in place inside (it makes new ones, as the service always does).
    Nested, the inner one joins the outer one's memo.
    """
    if _SECTION_JSON.get() is not None:
        yield  # inside another: its memo goes on being used
        return
    token = _SECTION_JSON.set({})
    try:
        yield
    finally:
        _SECTION_JSON.reset(token)


def sections_json(sections: list[Section]) -> str:
    memo = _SECTION_JSON.get()
    if memo is None:
        # the same dicts as each section's model_dump(mode="json"), made in one call, and the same json.dumps text
        return json.dumps(_SECTIONS.dump_python(sections, mode="json"), ensure_ascii=False)
    parts = []
    for s in sections:
        known = memo.get(id(s))
        if known is None or known[0] is not s:
            known = memo[id(s)] = (s, json.dumps(s.model_dump(mode="json"), ensure_ascii=False))
        parts.append(known[1])
    return "[" + ", ".join(parts) + "]"  # what json.dumps writes for the list (its default separator)


def sections_from_json(text: str) -> list[Section]:
    # parsed and validated in one pass (pydantic's JSON mode), not json.loads and then a validation per section
    return _SECTIONS.validate_json(text)


def draft_row(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "template_id": d.template_id,
        "style_guide_id": d.style_guide_id,
        "language": d.language,
        "title": d.title,
        "status": d.status.value,
        "author": d.author,
        "backend": d.backend,
        "version": d.version,
        "sections_json": sections_json(d.sections),
        "request_json": d.request.model_dump_json(),
        "content_sha256": d.content_sha256,
        "created_at": iso(d.created_at),
        "updated_at": iso(d.updated_at),
        "updated_by": d.updated_by,
        "error": d.error,
    }


def draft_from_row(r: Row) -> Draft:
    return Draft(
        id=r["id"],
        template_id=r["template_id"],
        style_guide_id=r["style_guide_id"],
        language=r["language"],
        title=r["title"],
        status=r["status"],
        author=r["author"],
        backend=r["backend"],
        version=r["version"],
        sections=sections_from_json(r["sections_json"]),
        request=DraftRequest.model_validate_json(r["request_json"]),
        created_at=from_iso(r["created_at"]),
        updated_at=from_iso(r["updated_at"]),
        updated_by=r["updated_by"],
        error=r["error"],
    )


def version_from_row(r: Row) -> dict[str, Any]:
    return {
        "version": r["version"],
        "title": r["title"],
        "sections": sections_from_json(r["sections_json"]),
        "content_sha256": r["content_sha256"],
        "actor": r["actor"],
        "reason": r["reason"],
        "created_at": from_iso(r["created_at"]),
    }


def finding_row(f: Finding) -> dict[str, Any]:
    row = f.model_dump(mode="json", exclude={"start", "end", "message_params", "suggestion_params"})
    row["span_start"], row["span_end"] = f.start, f.end
    row["message_params_json"] = json.dumps(f.message_params, ensure_ascii=False, sort_keys=True)
    row["suggestion_params_json"] = json.dumps(f.suggestion_params, ensure_ascii=False, sort_keys=True)
    return row


def finding_from_row(r: Row) -> Finding:
    data = dict(r)
    data["start"], data["end"] = data.pop("span_start"), data.pop("span_end")
    data["message_params"] = json.loads(data.pop("message_params_json", None) or "{}")
    data["suggestion_params"] = json.loads(data.pop("suggestion_params_json", None) or "{}")
    return Finding.model_validate(data)


REVIEW_COLUMNS = ("draft_id", "reviewer", "decision", "comment", "checklist_json", "content_sha256", "version",
                  "created_at")  # what review_row gives


def review_row(r: Review) -> dict[str, Any]:
    return {
        "draft_id": r.draft_id,
        "reviewer": r.reviewer,
        "decision": r.decision,
        "comment": r.comment,
        "checklist_json": r.checklist.model_dump_json(),
        "content_sha256": r.content_sha256,
        "version": r.version,
        "created_at": iso(r.created_at),
    }


def review_from_row(r: Row) -> Review:
    return Review(
        id=r["id"],
        draft_id=r["draft_id"],
        reviewer=r["reviewer"],
        decision=r["decision"],
        comment=r["comment"],
        checklist=Checklist.model_validate_json(r["checklist_json"]),
        content_sha256=r["content_sha256"],
        version=r["version"],
        created_at=from_iso(r["created_at"]),
    )


def llm_call_row(call: LLMCall) -> dict[str, Any]:
    row = call.model_dump(exclude={"options", "datetime_utc"})
    row["options_json"] = json.dumps(call.options, sort_keys=True, default=str)
    row["datetime_utc"] = iso(call.datetime_utc)
    return row


def llm_call_from_row(r: Row) -> LLMCall:
    data = dict(r)
    data["options"] = json.loads(data.pop("options_json"))
    return LLMCall.model_validate(data)
