"""A template with `generation: whole_document`, on the wire through the real OpenAI client: one call for every
section, saved section by section with per-sentence evidence; a section the reply leaves out is asked for alone."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.errors import DrafterError
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, error, json_reply, text

SHIPPED = Path(__file__).resolve().parents[2] / "drafter" / "templates"
ORDER = ["summary", "background", "key_points", "recommendation", "contact"]


def _sections(*, leave_out: str = "") -> list[dict[str, object]]:
    out: list[dict[str, object]] = [
        {"id": sid, "sentences": [{"text": f"The {sid} of the briefing.", "source": None, "evidence": ""}]}
        for sid in ORDER if sid != leave_out
    ]
    # background rests on the report: one real passage, one invented
    out[1]["sentences"] = [
        {"text": "The barrier protects 4,200 homes and 310 businesses.", "source": 1,
         "evidence": "The barrier protects 4,200 homes and 310 businesses"},
        {"text": "It cost £99 million.", "source": 1, "evidence": "The barrier cost £99 million."},
    ]
    return out


def _whole(req: Request, *, leave_out: str = "") -> Reply:
    task = str(req.messages[-1]["content"])
    schema = (req.body.get("response_format") or {}).get("json_schema", {}).get("name")
    if "Reply with one JSON object" in task and schema == "CitedDocument":
        sections = _sections(leave_out=leave_out)
        # a section the plan does not have is ignored, never saved
        return json_reply({"sections": [*sections, {"id": "appendix", "text": "Not in the plan."}]})
    if "Reply with one JSON object" in task:
        return json_reply({"sentences": [{"text": "Asked for alone.", "source": None, "evidence": ""}]})
    return text("Asked for alone.")


def _service(fake_openai: FakeOpenAI, tmp_path: Path, backend: str = "openai") -> DrafterService:
    templates = tmp_path / "templates"
    shutil.copytree(SHIPPED, templates)
    briefing = templates / "en" / "briefing.yaml"
    briefing.write_text(briefing.read_text(encoding="utf-8") + "generation: whole_document\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", backend=backend, openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5,
                        templates_dir=templates)
    return DrafterService.from_settings(settings)


@pytest.fixture
def llm(fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[DrafterService]:
    svc = _service(fake_openai, tmp_path)
    assert svc.template("briefing").generation == "whole_document"
    yield svc
    svc.store.engine.dispose()


def test_one_call_carries_the_plan_and_every_section_is_saved_with_its_evidence(
    llm: DrafterService, fake_openai: FakeOpenAI
) -> None:
    fake_openai.fallback = _whole
    seen: list[str] = []
    draft = llm.create_draft(briefing_request(), "alice", on_section=lambda i, n, s: seen.append(s.id))
    [req] = fake_openai.chat_requests()  # exactly one request for the whole document
    system, human = str(req.messages[0]["content"]), str(req.messages[1]["content"])
    for spec in llm.template("briefing").sections:
        assert f"[{spec.id}] {spec.heading}: {spec.instruction}" in system  # the plan
        assert f'- [{spec.id}] "{spec.heading}"' in human  # and every section asked for
    assert '<source id="1" name="barrier-report.txt">' in human
    assert "Reply with the text of the requested section only" not in system
    schema = req.body["response_format"]["json_schema"]
    assert schema["name"] == "CitedDocument" and "sentences" in schema["schema"]["$defs"]["DocumentSection"]["properties"]

    assert [s.id for s in draft.sections] == ORDER == seen and draft.status == DraftStatus.draft
    assert "appendix" not in {s.id for s in draft.sections}
    background = next(s for s in draft.sections if s.id == "background")
    assert background.text == "The barrier protects 4,200 homes and 310 businesses. [1] It cost £99 million. [1]"
    per = {c.sentence: c for c in background.citations if c.verified is not None}
    assert per["The barrier protects 4,200 homes and 310 businesses."].verified
    assert per["The barrier protects 4,200 homes and 310 businesses."].paragraph == 3
    assert not per["It cost £99 million."].verified
    found = {(f.rule_id, f.excerpt) for f in llm.findings(draft.id)}
    assert ("evidence.not_found", "It cost £99 million.") in found
    assert all(s.provenance.language_model and s.provenance.origin.value == "ai" for s in draft.sections)

    [call] = llm.store.llm_calls(draft.id)  # one row in the call log
    assert call.options["task"] == "document" and call.options["structured"] is True
    # each section was saved on its own, after the request was saved
    actions = [e.action for e in llm.store.audit_events(draft.id)]
    assert actions.count("generated") == 5 and actions.index("created") < actions.index("whole_document_reply")
    [reply] = [e for e in llm.store.audit_events(draft.id) if e.action == "whole_document_reply"]
    assert reply.details["missing"] == [] and reply.details["ignored"] == ["appendix"]


def test_a_section_the_reply_leaves_out_is_asked_for_alone(llm: DrafterService, fake_openai: FakeOpenAI) -> None:
    fake_openai.fallback = lambda req: _whole(req, leave_out="key_points")
    draft = llm.create_draft(briefing_request(), "alice")
    first, second = fake_openai.chat_requests()
    assert "Write section [key_points]" in str(second.messages[-2]["content"]) + str(second.messages[-1]["content"])
    alone = "\n".join(str(m["content"]) for m in second.messages)
    # shown every other section, those after it too, so it does not repeat them
    assert "<written section=\"summary\"" in alone and "<written section=\"contact\"" in alone
    assert [s.id for s in draft.sections] == ORDER  # in the plan's order, not the order written
    assert next(s for s in draft.sections if s.id == "key_points").text == "Asked for alone."
    [reply] = [e for e in llm.store.audit_events(draft.id) if e.action == "whole_document_reply"]
    assert reply.details["missing"] == ["key_points"]
    assert len(llm.store.llm_calls(draft.id)) == 2


def test_a_failed_call_keeps_the_request_and_a_retry_finishes(llm: DrafterService, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(error(500, "server down"))
    fake_openai.fallback = _whole
    with pytest.raises(DrafterError):
        llm.create_draft(briefing_request(), "alice")
    [failed] = llm.store.list_drafts()
    assert failed.status == DraftStatus.failed and failed.sections == [] and failed.error
    done = llm.generate(failed.id, "alice")
    assert [s.id for s in done.sections] == ORDER and done.status == DraftStatus.draft


def test_the_guard_covers_the_whole_request(llm: DrafterService, fake_openai: FakeOpenAI) -> None:
    """Personal data anywhere in the request is replaced before the one call and restored in every section."""
    address = "priya.shah@flood.example.gov.uk"

    def echo(req: Request) -> Reply:
        human = str(req.messages[1]["content"])
        [placeholder] = set(re.findall(r"\[EMAIL_\d+\]", human))
        sections = [{"id": sid, "text": f"Write to {placeholder}."} for sid in ORDER]
        return json_reply({"sections": sections})

    fake_openai.fallback = echo
    request = briefing_request()
    request = request.model_copy(update={"inputs": {**request.inputs, "contact": f"Priya Shah, {address}"}})
    draft = llm.create_draft(request, "alice")
    [req] = fake_openai.chat_requests()
    assert address not in json.dumps(req.body, ensure_ascii=False)
    assert all(s.text == f"Write to {address}." for s in draft.sections)


def test_the_offline_backend_drafts_section_by_section(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    svc = _service(fake_openai, tmp_path, backend="offline")
    try:
        draft = svc.create_draft(briefing_request(backend="offline"), "alice")
        assert [s.id for s in draft.sections] == ORDER
        assert all(not s.provenance.language_model for s in draft.sections)
        assert not any(e.action == "whole_document_reply" for e in svc.store.audit_events(draft.id))
        assert [c.options["task"] for c in svc.store.llm_calls(draft.id)] == ["section"] * 5
    finally:
        svc.store.engine.dispose()
