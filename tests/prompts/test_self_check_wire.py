"""The self-check, on the wire: off by default; when on, one more call lists unsupported claims, which become
warnings on the sentences they quote; the text is never rewritten."""

from __future__ import annotations

from pathlib import Path

from drafter.models import FindingSeverity
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, error, json_reply, text

CLAIM = "It is the best flood barrier in Europe."


def _reply(req: Request) -> Reply:
    if "SelfCheck" in str(req.body.get("response_format", "")):
        return json_reply({"claims": [
            {"section": "background", "claim": CLAIM, "reason": "No source compares barriers."},
            {"section": "summary", "claim": "A sentence the draft does not contain.", "reason": "?"},
        ]})
    task = str(req.messages[-1]["content"])
    if 'Write section [background]' in task:
        return text(f"The barrier protects 4,200 homes [1]. {CLAIM}")
    return text("Text from the inputs.")


def _service(fake_openai: FakeOpenAI, tmp_path: Path, **extra: object) -> DrafterService:
    fake_openai.fallback = _reply
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5, **extra)
    return DrafterService.from_settings(settings)


def test_self_check_is_off_by_default(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    svc = _service(fake_openai, tmp_path)
    svc.create_draft(briefing_request(), "alice", on_token=lambda s, p: None)
    assert len(fake_openai.chat_requests()) == 5
    assert not any("response_format" in r.body for r in fake_openai.chat_requests())
    svc.store.engine.dispose()


def test_self_check_claims_become_warnings_and_the_text_is_kept(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    svc = _service(fake_openai, tmp_path, self_check=True)
    draft = svc.create_draft(briefing_request(), "alice", on_token=lambda s, p: None)
    requests = fake_openai.chat_requests()
    assert len(requests) == 6
    check = requests[-1]
    human = str(check.messages[1]["content"])
    # the whole draft, the inputs and the sources go to the check, each delimited
    for s in draft.sections:
        assert f'<draft section="{s.id}"' in human
    assert '<source id="1" name="barrier-report.txt">' in human and '<input name="subject"' in human
    assert "You do not rewrite anything" in str(check.messages[0]["content"])
    background = next(s for s in draft.sections if s.id == "background")
    assert background.text == f"The barrier protects 4,200 homes [1]. {CLAIM}"  # never rewritten
    found = [f for f in svc.findings(draft.id) if f.rule_id == "self_check.unsupported_claim"]
    assert len(found) == 1  # the claim the draft does not contain is dropped
    [f] = found
    assert f.severity == FindingSeverity.warning and f.section_id == "background" and f.excerpt == CLAIM
    assert "No source compares barriers" in f.message
    assert background.text[f.start : f.end] == CLAIM  # type: ignore[misc]
    call = svc.llm_calls(draft.id)[-1]
    assert call.options["task"] == "self_check" and call.options["structured"] is True
    assert any(e.action == "self_checked" for e in svc.audit_trail(draft.id))
    # a person removes the claim: the finding resolves
    svc.edit_section(draft.id, "background", "The barrier protects 4,200 homes [1].", "alice")
    assert not [f for f in svc.findings(draft.id)
                if f.rule_id == "self_check.unsupported_claim" and f.status == "open"]
    svc.store.engine.dispose()


def test_a_failed_self_check_is_recorded_and_does_not_fail_the_draft(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    svc = _service(fake_openai, tmp_path, self_check=True)
    fake_openai.script(*[text("Text.")] * 5, error(500, "down"))
    draft = svc.create_draft(briefing_request(), "alice", on_token=lambda s, p: None)
    assert draft.status == "draft" and len(draft.sections) == 5
    assert [e.action for e in svc.audit_trail(draft.id) if e.action.startswith("self_check")] == ["self_check_failed"]
    svc.store.engine.dispose()
