"""Export is recorded before the file appears; a failed rename is recorded too.

Before: the file was renamed into place first and recorded after, so a database locked in between left an
exported, verifiable .docx with no `exported` event and no register entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.errors import InputError
from drafter.service import DrafterService
from drafter.store import DatabaseBusyError
from tests.audit.support import approved


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_event_is_written_before_the_file_appears(sqlite_service: DrafterService, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    draft = approved(sqlite_service)
    out = tmp_path / "x.docx"
    seen: list[bool] = []
    append = sqlite_service.store.append_audit

    def spy(actor: str, action: str, draft_id: str | None, details: dict[str, object]) -> object:
        if action == "exported":
            seen.append(out.exists())
        return append(actor, action, draft_id, details)

    monkeypatch.setattr(sqlite_service.store, "append_audit", spy)
    sqlite_service.export(draft.id, out, "alice")
    assert seen == [False] and out.exists() and _leftovers(tmp_path) == []


def test_a_locked_database_leaves_no_file(sqlite_service: DrafterService, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    draft = approved(sqlite_service)

    def locked(*_: object, **__: object) -> None:
        raise DatabaseBusyError("The database is busy.")

    monkeypatch.setattr(sqlite_service.store, "append_audit", locked)
    with pytest.raises(DatabaseBusyError):
        sqlite_service.export(draft.id, tmp_path / "x.docx", "alice")
    monkeypatch.undo()
    assert not (tmp_path / "x.docx").exists() and _leftovers(tmp_path) == []
    assert [e for e in sqlite_service.audit_trail(draft.id) if e.action.startswith("export")] == []


def test_a_failed_rename_is_recorded(sqlite_service: DrafterService, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    draft = approved(sqlite_service)

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drafter.service.export.os.replace", no_space)
    with pytest.raises(InputError, match="No space left on device. Nothing was exported"):
        sqlite_service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists() and _leftovers(tmp_path) == []
    actions = [e.action for e in sqlite_service.audit_trail(draft.id)]
    assert actions[-2:] == ["exported", "export_failed"]
    failed = sqlite_service.audit_trail(draft.id)[-1]
    assert failed.details["reason"] == "No space left on device"
    assert sqlite_service.verify_audit()[1] is None
