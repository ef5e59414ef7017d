"""The audit log is append-only and hash-chained; tampering is detected and named."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from drafter.service import DrafterService
from tests.conftest import briefing_request


def _drop_guard(service: DrafterService) -> None:
    """Simulate an attacker with direct database access who removes the append-only trigger."""
    with service.store.engine.begin() as conn:
        if service.store.dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_events_append_only ON audit_events"))


def test_database_refuses_updates_and_deletes(service: DrafterService) -> None:
    service.create_draft(briefing_request(), "alice")
    for statement in ("UPDATE audit_events SET actor = 'eve' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 1"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), service.store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert service.verify_audit()[1] is None


def test_altered_row_is_found(service: DrafterService) -> None:
    service.create_draft(briefing_request(), "alice")
    _drop_guard(service)
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET actor = 'eve' WHERE seq = 3"))
    count, problem = service.verify_audit()
    assert problem is not None and problem.startswith("event 3 ") and "altered" in problem


def test_removed_row_is_found(service: DrafterService) -> None:
    service.create_draft(briefing_request(), "alice")
    _drop_guard(service)
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq = 2"))
    _, problem = service.verify_audit()
    assert problem == "event 2 is missing (found seq 3 in its place)"
