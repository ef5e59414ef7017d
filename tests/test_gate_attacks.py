"""Attacks on the review gate, each of which must fail, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drafter.errors import RefusedError
from drafter.models import Draft, DraftStatus, content_sha256
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request


def _approved(service: DrafterService) -> Draft:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    return service.approve(draft.id, "bob", FULL_CHECKLIST)


def _sql(service: DrafterService, statement: str, **params: object) -> None:
    with service.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_self_approval_is_refused(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, "alice", FULL_CHECKLIST)


def test_approving_a_version_other_than_the_current_is_refused(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    submitted = service.submit(draft.id, "alice")
    seen_by_reviewer = submitted.version
    service.edit_section(draft.id, "summary", "Changed while bob was reading.", "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match=f"reviewed version {seen_by_reviewer}"):
        service.approve(draft.id, "bob", FULL_CHECKLIST, expected_version=seen_by_reviewer)


def test_edit_after_approval_then_export_is_refused(service: DrafterService, tmp_path: Path) -> None:
    draft = _approved(service)
    service.edit_section(draft.id, "summary", "A late change.", "alice")
    with pytest.raises(RefusedError, match="not approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists()


def test_forged_status_in_the_database_does_not_export(service: DrafterService, tmp_path: Path) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    _sql(service, "UPDATE drafts SET status = 'approved' WHERE id = :id", id=draft.id)
    assert service.get_draft(draft.id).status == DraftStatus.approved
    with pytest.raises(RefusedError, match="not approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")


def test_altered_approval_row_is_detected(service: DrafterService, tmp_path: Path) -> None:
    """Content changed in the database and the approval row rewritten to match: the audit log disagrees."""
    draft = _approved(service)
    sections = [s.model_copy(update={"text": "Forged."}) if s.id == "summary" else s for s in draft.sections]
    forged_hash = content_sha256(draft.title, sections)
    _sql(service, "UPDATE drafts SET sections_json = :j, content_sha256 = :h WHERE id = :id",
         j=json.dumps([s.model_dump(mode="json") for s in sections]), h=forged_hash, id=draft.id)
    _sql(service, "UPDATE reviews SET content_sha256 = :h WHERE draft_id = :id", h=forged_hash, id=draft.id)
    with pytest.raises(RefusedError, match="does not match the audit log"):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists()


def test_replayed_old_approval_is_refused(service: DrafterService, tmp_path: Path) -> None:
    """Approve, change, change back, then force the old approval back into force in the database."""
    draft = _approved(service)
    original = draft.sections[0].text
    service.edit_section(draft.id, "summary", "Something else entirely.", "alice")
    restored = service.edit_section(draft.id, "summary", original, "alice")
    assert restored.content_sha256 == draft.content_sha256  # same text again: the old approval's hash matches
    _sql(service, "UPDATE drafts SET status = 'approved' WHERE id = :id", id=draft.id)
    with pytest.raises(RefusedError):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    # even with the version forged to match the old approval, the audit log shows edits after it
    approval = service.store.latest_approval(draft.id)
    assert approval is not None
    _sql(service, "UPDATE drafts SET version = :v WHERE id = :id", v=approval.version, id=draft.id)
    with pytest.raises(RefusedError, match="changed after it was approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")


def test_audit_event_of_the_approval_altered_is_detected(service: DrafterService, tmp_path: Path) -> None:
    draft = _approved(service)
    with service.store.engine.begin() as conn:
        if service.store.dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_events_append_only ON audit_events"))
        conn.execute(sa.text("UPDATE audit_events SET actor = 'mallory' WHERE action = 'approved'"))
    with pytest.raises(RefusedError, match="was altered"):
        service.export(draft.id, tmp_path / "x.docx", "alice")


def test_connection_lost_mid_request_leaves_no_partial_write(service: DrafterService, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The draft update and its audit event are one transaction: if the second fails, neither is written."""
    draft = service.create_draft(briefing_request(), "alice")
    events, versions = len(service.audit_trail()), len(service.versions(draft.id))

    def connection_lost(*_: object, **__: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO audit_events", {}, Exception("server closed the connection"))

    # an edit's event is its transaction's last statement: every such append goes through `_append_last`
    monkeypatch.setattr(service.store, "_append_last", connection_lost)
    if service.store.dialect == "postgresql":
        # the save is one statement with its event and COMMIT: the server kills its connection as it is sent
        import drafter.store.engine as engine

        real = engine.commit_with

        def killed_first(conn: Any, statement: str, params: dict[str, Any]) -> Any:
            with service.store.engine.connect() as other:
                pid = conn.connection.dbapi_connection.info.backend_pid
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return real(conn, statement, params)

        monkeypatch.setattr(engine, "commit_with", killed_first)
    with pytest.raises(sa.exc.OperationalError):
        service.edit_section(draft.id, "summary", "This edit must not half-land.", "alice")
    monkeypatch.undo()
    after = service.get_draft(draft.id)
    assert after.version == draft.version and after.sections[0].text == draft.sections[0].text
    assert len(service.versions(draft.id)) == versions  # no orphan version row
    assert len(service.audit_trail()) == events and service.verify_audit()[1] is None


def test_where_roles_are_configured_only_reviewers_decide(tmp_path: Path) -> None:
    """The role check is in the service: the CLI or any other caller cannot approve without the role."""
    settings = Settings(data_dir=tmp_path / "data", roles="alice=drafter;mallory=drafter;bob=drafter,reviewer")
    service = DrafterService.from_settings(settings)
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    for action in (lambda: service.approve(draft.id, "mallory", FULL_CHECKLIST),
                   lambda: service.request_changes(draft.id, "mallory", "No.")):
        with pytest.raises(RefusedError, match="mallory does not have the reviewer role"):
            action()
    assert service.approve(draft.id, "bob", FULL_CHECKLIST).status == DraftStatus.approved
    assert [e.details["action"] for e in service.audit_trail(draft.id) if e.action == "refused"] == [
        "approve", "request_changes"]
    service.store.engine.dispose()
