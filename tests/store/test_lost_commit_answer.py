"""PostgreSQL: a generation's final save whose COMMIT reached the server but whose answer was lost with the
connection. The fallback save then meets the version the first one wrote; the error must say what happened (the
draft is saved), not that someone else changed it, and nothing may be written twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import drafter.store.engine as engine
from drafter.errors import ConflictError, DrafterError
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request


@pytest.fixture
def pg_service(postgres_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", database_url=postgres_url))
    yield service
    service.store.engine.dispose()


def _answer_lost_after(action: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first commit carrying `action`'s audit event is written, then its connection dies before the answer."""
    real = engine.commit_with
    done: list[int] = []

    def commit_then_lose(conn: Any, statement: str, params: dict[str, Any]) -> list[Any]:
        found = real(conn, statement, params)  # committed on the server
        if not done and f'"{action}"' in params.get("items", ""):
            done.append(1)
            dbapi = conn.connection.dbapi_connection
            dbapi.close()  # the answer never arrives: the socket is gone
            exc = Exception("server closed the connection unexpectedly")
            conn.invalidate(exc)
            raise sa.exc.OperationalError("COMMIT", {}, exc, connection_invalidated=True)
        return found

    monkeypatch.setattr(engine, "commit_with", commit_then_lose)
    return done


def test_a_lost_commit_answer_says_the_draft_was_saved(pg_service: DrafterService, monkeypatch) -> None:
    done = _answer_lost_after("generation_finished", monkeypatch)
    with pytest.raises(DrafterError) as caught:
        pg_service.create_draft(briefing_request(), "alice")
    monkeypatch.undo()
    assert done, "the lost answer was not simulated"
    assert not isinstance(caught.value, ConflictError)
    draft = pg_service.list_drafts(author="alice")[0]
    message = str(caught.value)
    assert "connection to the database was lost" in message and draft.id in message
    assert f"version {draft.version}" in message and "nothing was lost" in message
    assert "changed by" not in message
    # written once: five sections, five call rows, one finishing event, findings stored with it
    assert draft.status == DraftStatus.draft and len(draft.sections) == 5
    assert len(pg_service.llm_calls(draft.id)) == 5
    actions = [e.action for e in pg_service.audit_trail(draft.id)]
    assert actions.count("generation_finished") == 1 and actions[-1] == "generation_finished"
    assert pg_service.store.findings(draft.id)
    assert pg_service.verify_audit()[1] is None
    # the service goes on working on a fresh connection
    assert pg_service.submit(draft.id, "alice").status == DraftStatus.in_review


def test_a_real_conflict_after_a_failed_save_is_still_a_conflict(pg_service: DrafterService, monkeypatch) -> None:
    """Someone else's write between the failed save and the fallback is not passed off as this save."""
    from drafter.store import Store

    real_steps = Store.save_draft_steps
    calls: list[int] = []

    def first_fails_after_someone_else_writes(self: Store, steps, *args, **kwargs):  # type: ignore[no-untyped-def]
        if steps[-1].action == "generation_finished" and not calls:
            calls.append(1)
            draft = steps[-1].draft
            self.save_draft(draft.model_copy(update={"title": "Changed by bob"}),
                            expected_version=steps[0].expected_version, actor="bob", action="edited", details={})
            raise RuntimeError("the checks broke")
        return real_steps(self, steps, *args, **kwargs)

    monkeypatch.setattr(Store, "save_draft_steps", first_fails_after_someone_else_writes)
    with pytest.raises(ConflictError) as caught:
        pg_service.create_draft(briefing_request(), "alice")
    assert "bob" in str(caught.value)
