"""The AI-use register and transparency record, computed from a store seeded by real flows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from drafter.cli import main
from drafter.models import Origin
from drafter.register import REGISTER_FIELDS, register_csv, register_json
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


def _seed(service: DrafterService, tmp_path: Path) -> dict[str, str]:
    """Three drafts: exported unedited, exported after an edit, and one never approved."""
    ids = {}
    a = service.create_draft(briefing_request(), "alice")
    service.submit(a.id, "alice")
    service.approve(a.id, "bob", FULL_CHECKLIST)
    service.export(a.id, tmp_path / "a.docx", "alice")
    service.export(a.id, tmp_path / "a2.docx", "alice")
    ids["unedited"] = a.id
    b = service.create_draft(briefing_request(), "carol")
    service.edit_section(b.id, "summary", "Written by Carol herself: the barrier cost £47 million.", "carol")
    service.submit(b.id, "carol")
    [invented] = [f for f in service.findings(b.id) if f.severity.value == "blocking"]
    service.waive(b.id, invented.id, "Final account figure from the finance team.", "dave")
    service.approve(b.id, "dave", FULL_CHECKLIST)
    service.export(b.id, tmp_path / "b.docx", "carol")
    ids["edited"] = b.id
    c = service.create_draft(briefing_request(), "erin")
    service.submit(c.id, "erin")
    ids["unapproved"] = c.id
    return ids


def test_register_matches_what_was_done(service: DrafterService, tmp_path: Path) -> None:
    ids = _seed(service, tmp_path)
    entries = {e.document_id: e for e in service.register()}
    assert set(entries) == {ids["unedited"], ids["edited"]}
    a, b = entries[ids["unedited"]], entries[ids["edited"]]
    assert (a.author, a.reviewer, a.exports) == ("alice", "bob", 2)
    # shares follow the origins computed from spans: Key points, Recommendation and Contact are the author's
    # own inputs, so an unedited offline briefing is not 100% machine-written
    draft_a = service.get_draft(ids["unedited"])
    machine_a = sum(len(s.text) for s in draft_a.sections if s.provenance.origin != Origin.human)
    assert a.share_ai_unedited == round(machine_a / sum(len(s.text) for s in draft_a.sections), 4) < 1.0
    assert a.share_ai_edited == 0.0 and a.share_human > 0
    draft_b = service.get_draft(ids["edited"])
    summary_chars = len(draft_b.sections[0].text)
    total = sum(len(s.text) for s in draft_b.sections)
    assert b.share_ai_edited == round(summary_chars / total, 4)
    assert abs(b.share_ai_unedited + b.share_ai_edited + b.share_human - 1) < 1e-3
    assert b.kind == "briefing" and b.models == ["drafter-offline-extractive-1"]
    assert "reviewed and approved by dave" in b.label
    assert b.checks_run[:2] == ["unsupported facts", "style guide"] and a.findings_waived == []
    [waiver] = b.findings_waived
    assert waiver["reason"] == "Final account figure from the finance team." and waiver["waived_by"] == "dave"
    assert waiver["excerpt"] == "£47 million"


def test_public_register_has_no_personal_names(service: DrafterService, tmp_path: Path) -> None:
    _seed(service, tmp_path)
    entries = service.register()
    for text in (register_json(entries, public=True), register_csv(entries, public=True)):
        for name in ("alice", "bob", "carol", "dave"):
            assert name not in text
    assert "bob" in register_json(entries, public=False)
    public = json.loads(register_json(entries, public=True))
    assert all("waived_by" not in w for d in public["documents"] for w in d["findings_waived"])
    assert any(d["findings_waived"] for d in public["documents"])  # the waiver itself is published


def test_csv_round_trips(sqlite_service: DrafterService, tmp_path: Path) -> None:
    _seed(sqlite_service, tmp_path)
    entries = sqlite_service.register()
    text = register_csv(entries, public=False)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == REGISTER_FIELDS
    assert [r["document_id"] for r in rows] == [e.document_id for e in entries]
    for row, entry in zip(rows, entries, strict=True):
        assert float(row["share_ai_edited"]) == entry.share_ai_edited
        assert row["title"] == entry.title and row["label"] == entry.label


def test_register_and_record_commands(capsys: pytest.CaptureFixture[str], sqlite_service: DrafterService,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(sqlite_service.settings.data_dir))
    _seed(sqlite_service, tmp_path)
    assert main(["register", "--format", "json", "--public"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "drafter-ai-use-register/1" and len(data["documents"]) == 2
    assert main(["register", "--since", "2999-01-01"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == []
    assert main(["register", "--since", "yesterday"]) == 3
    capsys.readouterr()
    assert main(["record"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["tier_2"]["usage_to_date"] == {"drafts": 3, "exported_documents": 2}
    assert "offline: drafter-offline-extractive-1 (runs locally)" in record["tier_2"]["owner_and_responsibility"][
        "models_and_hosting"]
    assert record["tier_1"]["phase"].startswith("[To be completed")
