"""`Store.reading()`: reads grouped on one connection see one snapshot, on SQLite and PostgreSQL.

Approval reads the draft, its findings and its history in one group. These tests try to make a group's reads
disagree (another instance writes in the middle), to write inside a group, and check that approval's names of
contributors are the ones the full history gives.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from drafter import review as rules
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request


def test_a_group_keeps_its_snapshot_while_another_instance_writes(service: DrafterService,
                                                                  settings: Settings) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    other = DrafterService.from_settings(settings)  # another app instance, its own pool
    store = service.store
    try:
        with store.reading():
            before = store.get_draft(draft.id)
            versions = store.versions(draft.id)
            events = store.audit_events(draft.id)
            changed = other.edit_section(draft.id, "summary", "Changed by another instance meanwhile.", "carol")
            assert changed.version > before.version
            # everything read in the group after the other write still shows the state before it
            again = store.get_draft(draft.id)
            assert (again.version, again.sections) == (before.version, before.sections)
            assert [v["version"] for v in store.versions(draft.id)] == [v["version"] for v in versions]
            assert [e.seq for e in store.audit_events(draft.id)] == [e.seq for e in events]
            assert "carol" not in store.version_people(draft.id)
        after = store.get_draft(draft.id)
        assert after.version == changed.version and "carol" in store.version_people(draft.id)
    finally:
        other.store.engine.dispose()


def test_a_group_uses_one_connection(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    checkouts: list[Any] = []

    def checkout(*args: Any) -> None:
        checkouts.append(args)

    sa.event.listen(service.store.engine, "checkout", checkout)
    try:
        with service.store.reading():
            service.store.get_draft(draft.id)
            service.store.findings(draft.id)
            service.store.version_people(draft.id)
            service.store.audit_actors(draft.id, rules.CONTRIBUTING_ACTIONS)
            with service.store.reading():  # a nested group joins the outer one
                service.store.versions(draft.id)
    finally:
        sa.event.remove(service.store.engine, "checkout", checkout)
    assert len(checkouts) == 1


def test_a_write_inside_a_group_is_refused_and_the_group_still_ends(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    with pytest.raises(RuntimeError, match="inside Store.reading"), service.store.reading():
        service.store.append_audit("alice", "note", draft.id, {})
    # the group is closed: writes work again and see nothing of the refused one
    service.store.append_audit("alice", "note", draft.id, {"n": 1})
    assert [e.details for e in service.audit_trail(draft.id) if e.action == "note"] == [{"n": 1}]


def test_groups_in_two_threads_do_not_share_a_connection(service: DrafterService) -> None:
    import threading

    draft = service.create_draft(briefing_request(), "alice")
    seen: dict[str, Any] = {}

    def other_thread() -> None:
        # no group in this thread: its read must not run on the main thread's connection
        seen["version"] = service.store.get_draft(draft.id).version
        service.store.append_audit("bob", "note", draft.id, {})  # and its writes are not refused

    with service.store.reading():
        service.store.get_draft(draft.id)
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
    assert seen["version"] == draft.version


def _contributors_from_full_history(service: DrafterService, draft_id: str) -> set[str]:
    """What approval computed before it read names only: every version's sections and the whole history."""
    draft = service.get_draft(draft_id)
    versions = service.versions(draft_id)
    return rules.contributors(draft, versions=[v["sections"] for v in versions],
                              history=service.audit_trail(draft_id), version_actors=[v["actor"] for v in versions])


def test_contributors_from_names_equal_those_from_the_full_history(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    cases = [draft.id]
    service.edit_section(draft.id, "summary", "Carol rewrote the summary.", "carol")
    service.edit_section(draft.id, "summary", "Dave rewrote it again, so Carol's words are gone.", "Dave ")
    service.refine_section(draft.id, "background", "make it shorter", "erin")
    service.submit(draft.id, "alice")
    service.request_changes(draft.id, "frank", "Not yet.")
    service.submit(draft.id, "alice")
    plain = service.create_draft(briefing_request(), "gina")  # only its author
    cases.append(plain.id)
    for draft_id in cases:
        assert service.contributors(draft_id) == _contributors_from_full_history(service, draft_id)
    assert {"alice", "carol", "dave", "erin"} <= service.contributors(draft.id)
    assert "frank" not in service.contributors(draft.id)  # asking for changes is not writing
    for name in ("carol", "dave", "erin"):  # each of them is still refused as approver
        with pytest.raises(Exception, match="four eyes|wrote|contributed|edited|refined|generated"):
            service.approve(draft.id, name, FULL_CHECKLIST)
    assert service.approve(draft.id, "frank", FULL_CHECKLIST).status.value == "approved"
