"""Checkpoints after approvals are shared by the threads asking at once, and a checked checkpoint is remembered.

What must still hold: when `approve` returns, a checkpoint covering its approval exists (on SQLite and PostgreSQL,
threads at once); a checkpoint is signed with the key the caller holds (a rotated key is used at once); a failed
run covers nobody; a checkpoint file changed after it was checked is read and checked again.
"""

from __future__ import annotations

import json
import threading

import pytest
from cryptography.hazmat.primitives import serialization

from drafter import signing
from drafter.service import DrafterService
from drafter.store import anchors
from tests.audit.support import approved
from tests.conftest import FULL_CHECKLIST, briefing_request


def _run_together(n: int, target) -> list[object]:  # type: ignore[no-untyped-def]
    out: list[object] = [None] * n
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            out[i] = target(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return out


def test_each_caller_is_covered_by_a_run_that_started_after_it_asked() -> None:
    coalesced: anchors.Coalesced[int] = anchors.Coalesced()
    writes = [0]  # the "chain": each caller writes, then asks for a checkpoint of it
    lock = threading.Lock()
    runs: list[int] = []
    n = 8

    def work() -> int:
        if not runs:  # hold the first run until every caller has asked: they must not be covered by it
            while coalesced._asked < n:
                threading.Event().wait(0.001)
        with lock:
            seen = writes[0]
        runs.append(seen)
        return seen

    def caller(i: int) -> tuple[int, int]:
        with lock:
            writes[0] += 1
            mine = writes[0]
        return mine, coalesced.run("tag", work)

    results = _run_together(n, caller)
    assert all(covered >= mine for mine, covered in results)  # type: ignore[misc]
    assert len(runs) == 2  # the first caller's run, then one run for the seven who asked meanwhile


def test_a_run_with_another_tag_covers_nobody_else() -> None:
    coalesced: anchors.Coalesced[str] = anchors.Coalesced()
    assert coalesced.run("old key", lambda: "old") == "old"
    assert coalesced.run("new key", lambda: "new") == "new"  # done after the old-key run: not covered by it
    assert coalesced.run("old key", lambda: "old again") == "old again"


def test_a_failed_run_covers_nobody_and_its_error_reaches_its_caller() -> None:
    coalesced: anchors.Coalesced[int] = anchors.Coalesced()
    with pytest.raises(RuntimeError):
        coalesced.run("t", lambda: (_ for _ in ()).throw(RuntimeError("broken")))
    assert coalesced.run("t", lambda: 7) == 7


def test_every_approval_is_checkpointed_when_approve_returns(service: DrafterService) -> None:
    drafts = [service.create_draft(briefing_request(), f"author{chr(97 + i)}") for i in range(6)]
    for i, d in enumerate(drafts):
        service.submit(d.id, f"author{chr(97 + i)}")
    folder = anchors.folder_for(service.settings.anchors_path(), service.store.database)

    def approve(i: int) -> tuple[int, int]:
        service.approve(drafts[i].id, "reviewer", FULL_CHECKLIST)
        public = signing.current_private_key(service.settings.signing_key_path()).public_key()
        cp, problem = anchors.latest(folder, public)
        assert problem is None and cp is not None
        seq = [e.seq for e in service.audit_trail(drafts[i].id) if e.action == "approved"][-1]
        return seq, cp.count

    for seq, covered in _run_together(6, approve):  # type: ignore[misc]
        assert seq <= covered
    report = service.audit_report()
    assert report.problem is None and report.checkpoint is not None


def test_a_rotated_key_signs_the_next_checkpoint(service: DrafterService) -> None:
    approved(service)
    path = service.settings.signing_key_path()
    new = signing.Ed25519PrivateKey.generate()
    tmp = path.with_suffix(".new")
    tmp.write_bytes(new.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    tmp.rename(path)
    folder = anchors.folder_for(service.settings.anchors_path(), service.store.database)
    # the old checkpoint, checked (and remembered) under the old key, is not taken as checked under the new one
    cp, problem = anchors.latest(folder, new.public_key())
    assert cp is None and problem is not None and "not signed with the deployment's key" in problem
    # the next approval is signed with the new key at once
    draft = service.create_draft(briefing_request(), "carol")
    service.submit(draft.id, "carol")
    service.approve(draft.id, "dave", FULL_CHECKLIST)
    record = [e for e in service.audit_trail(draft.id) if e.action == "approved"][-1].details["signed"]
    assert record["key_id"] == signing.key_id(new)


def test_a_checkpoint_changed_after_it_was_checked_is_checked_again(service: DrafterService) -> None:
    approved(service)
    folder = anchors.folder_for(service.settings.anchors_path(), service.store.database)
    public = signing.current_private_key(service.settings.signing_key_path()).public_key()
    cp, problem = anchors.latest(folder, public)
    assert problem is None and cp is not None  # remembered as checked
    record = json.loads(cp.path.read_text(encoding="utf-8"))
    record["count"] += 5  # a forged count, the old signature kept
    cp.path.write_text(json.dumps(record, sort_keys=True, indent=1), encoding="utf-8")
    again, problem = anchors.latest(folder, public)
    assert again is None and problem is not None and "not signed with the deployment's key" in problem
