"""Attack: a marking written into a draft's stored request by direct database access, after the guard checked the
request it was given, must still stop every later call to a backend not cleared for it, with nothing on the wire.

The request is re-read from the database by every generation, retry and refinement, so what the guard checked at
`start_draft` is not what is sent: each path is tried, in whole-document and per-section mode, with the real
OpenAI client against the scripted server on 127.0.0.1. The marking is put where the prompt carries it (the
source, at a line start) and where a section prompt does not (an input no refinement quotes), and in a form the
request check reads but a prompt may not show as written (a full-width ＳＥＣＲＥＴ).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.errors import DrafterError, RefusedError
from drafter.models import DraftRequest, DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, error, json_reply, text

SHIPPED = Path(__file__).resolve().parents[2] / "drafter" / "templates"
ORDER = ["summary", "background", "key_points", "recommendation", "contact"]


def _reply(req: Request) -> Reply:
    task = str(req.messages[-1]["content"])
    schema = (req.body.get("response_format") or {}).get("json_schema", {}).get("name")
    if schema == "CitedDocument":
        return json_reply({"sections": [
            {"id": sid, "sentences": [{"text": f"The {sid}.", "source": None, "evidence": ""}]} for sid in ORDER
        ]})
    if "Reply with one JSON object" in task:
        return json_reply({"sentences": [{"text": "A sentence.", "source": None, "evidence": ""}]})
    return text("A sentence.")


def _service(fake_openai: FakeOpenAI, tmp_path: Path, *, whole: bool) -> DrafterService:
    templates = tmp_path / "templates"
    shutil.copytree(SHIPPED, templates)
    if whole:
        briefing = templates / "en" / "briefing.yaml"
        briefing.write_text(briefing.read_text(encoding="utf-8") + "generation: whole_document\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5,
                        templates_dir=templates)
    return DrafterService.from_settings(settings)


@pytest.fixture(params=["whole_document", "per_section"])
def llm(request: pytest.FixtureRequest, fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[DrafterService]:
    svc = _service(fake_openai, tmp_path, whole=request.param == "whole_document")
    assert (svc.template("briefing").generation == "whole_document") == (request.param == "whole_document")
    fake_openai.fallback = _reply
    yield svc
    svc.store.engine.dispose()


def _tamper(svc: DrafterService, draft_id: str, change: Callable[[DraftRequest], DraftRequest]) -> None:
    """Rewrite the stored request behind the service's back: one SQL UPDATE, no service call."""
    with svc.store.engine.begin() as conn:
        stored = conn.execute(sa.text("SELECT request_json FROM drafts WHERE id = :id"), {"id": draft_id}).scalar_one()
        changed = change(DraftRequest.model_validate_json(stored)).model_dump_json()
        conn.execute(sa.text("UPDATE drafts SET request_json = :r WHERE id = :id"), {"r": changed, "id": draft_id})
    assert svc.store.get_draft(draft_id).request == change(DraftRequest.model_validate_json(stored))


def _marked_source(marking: str = "SECRET") -> Callable[[DraftRequest], DraftRequest]:
    def change(request: DraftRequest) -> DraftRequest:
        source = request.sources[0]
        marked = source.model_copy(update={"text": f"{marking}\n{source.text}"})
        return request.model_copy(update={"sources": [marked, *request.sources[1:]]})
    return change


def _marked_input(request: DraftRequest) -> DraftRequest:
    return request.model_copy(update={"inputs": {**request.inputs, "contact": "[TOP SECRET] Priya Shah"}})


def _nothing_sent(fake_openai: FakeOpenAI, before: int) -> None:
    after = fake_openai.chat_requests()[before:]
    assert after == [], [str(r.body)[:200] for r in after]


def _refused_and_audited(svc: DrafterService, draft_id: str, exc: RefusedError) -> None:
    assert "Nothing was sent" in str(exc) and "SECRET" in str(exc)
    refusals = [e for e in svc.store.audit_events(draft_id) if e.action == "refused"]
    assert refusals and refusals[-1].details["action"] == "backend_call"


@pytest.mark.parametrize("marking", ["SECRET", "ＳＥＣＲＥＴ", "S E C R E T"])
def test_marking_added_before_the_first_generation(llm: DrafterService, fake_openai: FakeOpenAI, marking: str) -> None:
    draft = llm.start_draft(briefing_request(), "alice")
    _tamper(llm, draft.id, _marked_source(marking))
    with pytest.raises(RefusedError) as refused:
        llm.generate(draft.id, "alice")
    _nothing_sent(fake_openai, 0)
    _refused_and_audited(llm, draft.id, refused.value)


def test_marking_added_after_a_failed_call_before_the_retry(llm: DrafterService, fake_openai: FakeOpenAI) -> None:
    """The first call cleared the request; the retry reads a request that has changed since."""
    fake_openai.script(error(500, "server down"))
    with pytest.raises(DrafterError):
        llm.create_draft(briefing_request(), "alice")
    [failed] = llm.store.list_drafts()
    assert failed.status == DraftStatus.failed
    sent = len(fake_openai.chat_requests())
    _tamper(llm, failed.id, _marked_source())
    with pytest.raises(RefusedError) as refused:
        llm.generate(failed.id, "alice")
    _nothing_sent(fake_openai, sent)
    _refused_and_audited(llm, failed.id, refused.value)


@pytest.mark.parametrize("change", [_marked_source(), _marked_input], ids=["source", "input"])
def test_marking_added_after_generation_before_a_refinement(
    llm: DrafterService, fake_openai: FakeOpenAI, change: Callable[[DraftRequest], DraftRequest]
) -> None:
    draft = llm.create_draft(briefing_request(), "alice")
    assert [s.id for s in draft.sections] == ORDER
    sent = len(fake_openai.chat_requests())
    _tamper(llm, draft.id, change)
    with pytest.raises(RefusedError) as refused:
        llm.refine_section(draft.id, "summary", "Make it shorter.", "alice")
    _nothing_sent(fake_openai, sent)
    _refused_and_audited(llm, draft.id, refused.value)
    assert llm.store.get_draft(draft.id).sections == draft.sections  # nothing changed either


def test_a_fresh_service_refuses_too(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    """Another app instance on the same database (no memory of what was cleared) refuses the same way: the
    control for the tests above, where the same service object first cleared the untampered request."""
    first = _service(fake_openai, tmp_path, whole=True)
    fake_openai.fallback = _reply
    draft = first.create_draft(briefing_request(), "alice")
    first.store.engine.dispose()
    svc = DrafterService.from_settings(first.settings)
    try:
        sent = len(fake_openai.chat_requests())
        _tamper(svc, draft.id, _marked_source())
        with pytest.raises(RefusedError):
            svc.refine_section(draft.id, "summary", "Make it shorter.", "alice")
        _nothing_sent(fake_openai, sent)
    finally:
        svc.store.engine.dispose()
