"""Attacks on the audit trail by someone with database access but not the data folder, on SQLite and PostgreSQL.

Before the anchored chain, each of these verified as intact (and the forged approval exported).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafter.cli import main
from drafter.errors import RefusedError, VerificationError
from drafter.models import Origin
from drafter.service import DrafterService
from tests.audit.support import approved, drop_guard, forge_approval, rehash_from, sql
from tests.conftest import briefing_request


def test_approval_and_export_anchor_the_chain(service: DrafterService, tmp_path: Path) -> None:
    draft = approved(service)
    report = service.audit_report()
    assert report.problem is None and report.checkpoint is not None
    assert report.checkpoint.count == report.count == len(service.audit_trail())
    service.export(draft.id, tmp_path / "x.docx", "alice")
    assert service.audit_report().checkpoint.count == len(service.audit_trail())  # type: ignore[union-attr]
    signed = [e for e in service.audit_trail(draft.id) if e.action in ("approved", "exported")]
    assert [e.action for e in signed] == ["approved", "exported"] and all("signed" in e.details for e in signed)


def test_deleted_tail_is_found(service: DrafterService) -> None:
    approved(service)
    drop_guard(service)
    last = len(service.audit_trail())
    sql(service, "DELETE FROM audit_events WHERE seq >= :s", s=last - 1)
    assert service.store.verify_audit_chain()[1] is None  # before: the shorter chain walks cleanly
    problem = service.verify_audit()[1]
    assert problem is not None and "deleted from the end" in problem and f"recorded {last}" in problem


def test_rehashed_chain_is_found(service: DrafterService) -> None:
    draft = approved(service)
    drop_guard(service)
    sql(service, "UPDATE audit_events SET actor = 'eve' WHERE seq = 2")
    rehash_from(service, 2)
    assert service.store.verify_audit_chain()[1] is None  # before: a consistent re-hash verified as intact
    problem = service.verify_audit()[1]
    assert problem is not None and "rewritten" in problem
    with pytest.raises(RefusedError, match="rewritten"):
        service.export(draft.id, Path("x.docx"), "alice")


def test_approval_forged_with_inserts_is_refused(service: DrafterService, tmp_path: Path) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    submitted = service.submit(draft.id, "alice")
    forge_approval(service, submitted)
    assert service.store.verify_audit_chain()[1] is None  # before: the chain itself is intact
    problem = service.verify_audit()[1]
    assert problem is not None and "(approved) is not signed" in problem
    with pytest.raises(RefusedError, match="not signed with the deployment's key"):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists()


def test_signed_approval_copied_onto_another_draft_is_refused(service: DrafterService, tmp_path: Path) -> None:
    """A genuine signed record replayed in a forged event for another draft does not match it."""
    genuine = approved(service)
    record = next(e for e in service.audit_trail(genuine.id) if e.action == "approved").details["signed"]
    other = service.submit(service.create_draft(briefing_request(), "alice").id, "alice")
    forge_approval(service, other, reviewer="bob", signed=record)
    with pytest.raises(RefusedError, match="does not match its signed record"):
        service.export(other.id, tmp_path / "x.docx", "alice")
    assert "does not match the event" in (service.verify_audit()[1] or "")


def test_origins_rewritten_after_approval_are_refused(service: DrafterService, tmp_path: Path) -> None:
    draft = approved(service)
    assert any(s.provenance.origin == Origin.ai for s in draft.sections)
    human = [s.model_copy(update={"provenance": s.provenance.model_copy(update={"origin": Origin.human})})
             for s in draft.sections]
    sql(service, "UPDATE drafts SET sections_json = :j WHERE id = :id",
        j=json.dumps([s.model_dump(mode="json") for s in human]), id=draft.id)
    assert service.get_draft(draft.id).content_sha256 == draft.content_sha256  # the content hash cannot see it
    with pytest.raises(RefusedError, match="origins, backend or model .* changed after it was approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists()


def test_model_rewritten_after_approval_is_refused(service: DrafterService, tmp_path: Path) -> None:
    draft = approved(service)
    other = [s.model_copy(update={"provenance": s.provenance.model_copy(update={"model": "a-trusted-model"})})
             for s in draft.sections]
    sql(service, "UPDATE drafts SET sections_json = :j WHERE id = :id",
        j=json.dumps([s.model_dump(mode="json") for s in other]), id=draft.id)
    with pytest.raises(RefusedError, match="origins, backend or model"):
        service.export(draft.id, tmp_path / "x.docx", "alice")


def test_anchor_refuses_a_broken_chain(service: DrafterService) -> None:
    approved(service)
    drop_guard(service)
    sql(service, "UPDATE audit_events SET actor = 'eve' WHERE seq = 2")
    with pytest.raises(VerificationError, match="not anchored: event 2"):
        service.anchor_audit()


def test_cli_anchor_then_verify(sqlite_service: DrafterService, capsys: pytest.CaptureFixture[str]) -> None:
    sqlite_service.create_draft(briefing_request(), "alice")
    assert main(["audit", "verify"]) == 0
    assert "no checkpoint yet" in capsys.readouterr().out
    assert main(["audit", "anchor"]) == 0
    out = capsys.readouterr().out
    assert "audit chain anchored" in out and str(sqlite_service.settings.anchors_path()) in out
    assert main(["audit", "verify"]) == 0
    assert "matches the checkpoint of" in capsys.readouterr().out
    drop_guard(sqlite_service)
    sql(sqlite_service, "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
    assert main(["audit", "verify"]) == 1
    assert "deleted from the end of the log" in capsys.readouterr().err
