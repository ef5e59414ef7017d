"""House style from approved documents, on the wire: opt-in; approved and exported documents of the same template,
screened by the guard, chosen by similarity, named in the prompt and the call log; a document marked above the
backend's clearance (in a field, a source, or disguised) never reaches the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.models import DraftRequest, SourceDoc
from drafter.prompts import HouseExample, rank_examples
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST
from tests.fake_openai import FakeOpenAI, Reply, Request, json_reply, text

BASE = {"recipient": "Minister for the Environment", "author_unit": "Flood Resilience Team", "date": "3 March 2026",
        "recommendation": "Note the key facts."}


def _inputs(subject: str, purpose: str, point: str, **extra: str) -> dict[str, str]:
    return {**BASE, "subject": subject, "purpose": purpose, "key_points": point, **extra}


def _model(req: Request) -> Reply:
    if "Reply with one JSON object" in str(req.messages[-1]["content"]):
        return json_reply({"sentences": [{"text": "The barrier is open.", "source": None, "evidence": ""}]})
    return text("Drafted text.")


def _approved_and_exported(service: DrafterService, tmp_path: Path, inputs: dict[str, str],
                           sources: list[SourceDoc] | None = None, *, export: bool = True) -> str:
    draft = service.create_draft(DraftRequest(template_id="briefing", inputs=inputs, sources=sources or [],
                                              backend="offline"), "author")
    service.submit(draft.id, "author")
    service.approve(draft.id, "reviewer", FULL_CHECKLIST)
    if export:
        service.export(draft.id, tmp_path / f"{draft.id}.docx", "author")
    return draft.id


@pytest.fixture
def library(fake_openai: FakeOpenAI, tmp_path: Path) -> tuple[Settings, dict[str, str]]:
    """Approved documents written offline (cleared for everything), some of which an external model must never see."""
    fake_openai.fallback = _model
    settings = Settings(data_dir=tmp_path / "data", backend="offline", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5)
    service = DrafterService.from_settings(settings)
    docs = {
        "similar": _approved_and_exported(service, tmp_path, _inputs(
            "Opening of the Riverside Flood Barrier", "The Minister opens the flood barrier on the river.",
            "The flood barrier protects homes by the river. Kestrelwing style marker.")),
        "other": _approved_and_exported(service, tmp_path, _inputs(
            "School meals funding", "The Minister announces school meals funding.",
            "Free school meals reach more pupils. Otterholt style marker.")),
        "marked_field": _approved_and_exported(service, tmp_path, _inputs(
            "Riverside Flood Barrier opening and river flood barrier homes", "The flood barrier on the river opens.",
            "The flood barrier protects homes by the river. Zebrafinch codeword.", marking="OFFICIAL-SENSITIVE")),
        "marked_source": _approved_and_exported(service, tmp_path, _inputs(
            "Riverside Flood Barrier opening", "The flood barrier on the river opens.",
            "The flood barrier protects homes by the river. Gannetmoor codeword."),
            [SourceDoc(name="note.txt", text="ＳＥＣＲＥＴ\nThe flood barrier protects homes by the river.")]),
        "not_exported": _approved_and_exported(service, tmp_path, _inputs(
            "Opening of the Riverside Flood Barrier", "The Minister opens the flood barrier on the river.",
            "The flood barrier protects homes. Puffinridge codeword."), export=False),
        "personal": _approved_and_exported(service, tmp_path, _inputs(
            "Opening of the Riverside Flood Barrier", "The Minister opens the flood barrier on the river.",
            "The flood barrier protects homes. Curlewbank codeword.", contact="Priya Shah, 020 7946 0000")),
    }
    # exported, then changed and approved again but not exported since: what was approved now was never published
    changed = docs["similar_changed"] = _approved_and_exported(service, tmp_path, _inputs(
        "Opening of the Riverside Flood Barrier", "The Minister opens the flood barrier on the river.",
        "The flood barrier protects homes by the river."))
    service.edit_section(changed, "summary", "Ospreyvale wording added after the export.", "author")
    service.submit(changed, "author")
    service.approve(changed, "reviewer", FULL_CHECKLIST)
    service.store.engine.dispose()
    return settings, docs


def _draft_with_openai(settings: Settings, examples: int) -> tuple[DrafterService, str]:
    service = DrafterService.from_settings(settings.model_copy(update={"house_style_examples": examples}))
    request = DraftRequest(template_id="briefing", backend="openai", inputs=_inputs(
        "Riverside Flood Barrier: the opening", "The Minister opens the new flood barrier.",
        "The barrier protects 4,200 homes."))
    return service, service.create_draft(request, "alice").id


def test_the_most_similar_cleared_document_is_offered_and_named_in_the_prompt_and_call_log(
    library: tuple[Settings, dict[str, str]], fake_openai: FakeOpenAI
) -> None:
    settings, docs = library
    service, draft_id = _draft_with_openai(settings, 1)
    requests = fake_openai.chat_requests()
    assert len(requests) == 5
    for req in requests:
        human = str(req.messages[-1]["content"])
        assert f'<example document="{docs["similar"]}" title="Opening of the Riverside Flood Barrier">' in human
        assert "Kestrelwing" in human and "never use their facts" in human
        assert "Otterholt" not in human  # limit 1: the less similar one is not sent
        assert human.index("<example") < human.index("Inputs from the author")
    calls = service.llm_calls(draft_id)
    assert calls and all(c.options["house_style"] == [docs["similar"]] for c in calls)
    [event] = [e for e in service.audit_trail(draft_id) if e.action == "house_style_examples"]
    assert event.details["used"] == [docs["similar"]] and event.details["screened_out"] == 3
    service.store.engine.dispose()


def test_a_document_marked_above_the_clearance_or_unexported_or_with_personal_data_is_never_sent(
    library: tuple[Settings, dict[str, str]], fake_openai: FakeOpenAI
) -> None:
    settings, docs = library
    service, draft_id = _draft_with_openai(settings, 5)  # room for every candidate: only the screen keeps them out
    wire = "\n".join(str(m["content"]) for r in fake_openai.chat_requests() for m in r.messages)
    for name in ("marked_field", "marked_source", "not_exported", "personal", "similar_changed"):
        assert docs[name] not in wire, name
    for word in ("Zebrafinch", "Gannetmoor", "Puffinridge", "Curlewbank", "Priya Shah", "7946", "Ospreyvale"):
        assert word not in wire, word
    # the cleared ones are there, most similar first; the draft itself was not refused
    assert wire.index(f'document="{docs["similar"]}"') < wire.index(f'document="{docs["other"]}"')
    assert service.get_draft(draft_id).status.value == "draft"
    service.store.engine.dispose()


def test_off_by_default_and_never_for_the_offline_backend(
    library: tuple[Settings, dict[str, str]], fake_openai: FakeOpenAI
) -> None:
    settings, _ = library
    assert Settings().house_style_examples == 0
    service, draft_id = _draft_with_openai(settings, 0)
    assert fake_openai.chat_requests() and not any(
        "<example document=" in str(m["content"]) for r in fake_openai.chat_requests() for m in r.messages)
    assert not any(e.action == "house_style_examples" for e in service.audit_trail(draft_id))
    offline = DrafterService.from_settings(settings.model_copy(update={"house_style_examples": 3}))
    d = offline.create_draft(DraftRequest(template_id="briefing", inputs=_inputs("A", "B", "C")), "alice")
    assert not any(e.action == "house_style_examples" for e in offline.audit_trail(d.id))
    service.store.engine.dispose()
    offline.store.engine.dispose()


def test_ranking_is_by_similarity_with_a_stable_order() -> None:
    a = HouseExample("a", "Flood barrier", "The flood barrier protects homes by the river.")
    b = HouseExample("b", "School meals", "Free school meals for pupils.")
    c = HouseExample("c", "Library", "The library opens.")
    assert [e.id for e in rank_examples("river flood barrier", [b, c, a], 3)] == ["a", "b", "c"]
    assert [e.id for e in rank_examples("school pupils meals", [a, b, c], 1)] == ["b"]
    assert rank_examples("anything", [a], 0) == []
    zh = [HouseExample("x", "防汛", "做好防汛准备工作"), HouseExample("y", "就业", "高校毕业生就业工作")]
    assert rank_examples("关于做好防汛工作的通知", zh, 1)[0].id == "x"
