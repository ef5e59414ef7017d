"""Offline generation writes its sections, their audit events and the call-log rows in one commit; nothing is
lost when it stops part-way, and every section keeps its own version and audit event."""

from __future__ import annotations

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.errors import BackendError
from drafter.models import DraftStatus
from drafter.service import DrafterService
from tests.conftest import briefing_request


def _counted_commits(service: DrafterService, monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """A list that grows by one at each transaction the store opens from now on."""
    commits: list[int] = []
    real = service.store.transaction

    def counted():  # type: ignore[no-untyped-def]
        commits.append(1)
        return real()

    monkeypatch.setattr(service.store, "transaction", counted)
    return commits


def test_offline_generation_commits_sections_and_call_rows_together(service: DrafterService, monkeypatch) -> None:
    commits = _counted_commits(service, monkeypatch)
    draft = service.create_draft(briefing_request(), "alice")
    # the request; the sections with their calls, the end of generation and the findings of the checks
    assert len(commits) == 2
    monkeypatch.undo()
    assert len(service.llm_calls(draft.id)) == len(draft.sections) == 5
    assert service.store.findings(draft.id) == service.findings(draft.id) != []  # stored, not checked afresh
    assert [len(v["sections"]) for v in service.versions(draft.id)] == [0, 1, 2, 3, 4, 5]
    actions = [e.action for e in service.audit_trail(draft.id)]
    assert actions == ["created", *["generated"] * 5, "generation_finished"]
    assert service.verify_audit()[1] is None


def test_a_failure_part_way_keeps_the_sections_and_every_call_row(service: DrafterService, monkeypatch) -> None:
    real = OfflineBackend.generate
    calls = {"n": 0}

    def third_fails(self, request, options, report=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise BackendError("The offline backend stopped.")
        return real(self, request, options, report)

    monkeypatch.setattr(OfflineBackend, "generate", third_fails)
    with pytest.raises(BackendError):
        service.create_draft(briefing_request(), "alice")
    draft = service.list_drafts(author="alice")[0]
    assert draft.status == DraftStatus.failed and len(draft.sections) == 2
    rows = service.llm_calls(draft.id)
    assert len(rows) == 3 and sum(1 for r in rows if r.error) == 1  # the failed attempt is recorded too
    monkeypatch.setattr(OfflineBackend, "generate", real)
    resumed = service.generate(draft.id, "alice")
    assert resumed.status == DraftStatus.draft and len(resumed.sections) == 5
    assert len(service.llm_calls(draft.id)) == 6
    assert service.verify_audit()[1] is None


def test_each_stored_version_is_the_plain_json_of_its_sections(service: DrafterService) -> None:
    """The steps of one generation share Section objects and each section's JSON is made once; every stored
    version must still be exactly `json.dumps` of its sections' dumps (what a save without the memo writes)."""
    import json

    import sqlalchemy as sa

    from drafter.store.tables import draft_versions, drafts

    draft = service.create_draft(briefing_request(), "alice")
    with service.store.engine.connect() as conn:
        stored = conn.execute(sa.select(draft_versions.c.version, draft_versions.c.sections_json)
                              .where(draft_versions.c.draft_id == draft.id)).all()
        row = conn.execute(sa.select(drafts.c.sections_json).where(drafts.c.id == draft.id)).scalar_one()
    by_version = {v["version"]: v["sections"] for v in service.versions(draft.id)}
    assert len(stored) == 6
    for version, text in stored:
        plain = json.dumps([s.model_dump(mode="json") for s in by_version[version]], ensure_ascii=False)
        assert text == plain
    assert row == json.dumps([s.model_dump(mode="json") for s in draft.sections], ensure_ascii=False)


@pytest.mark.parametrize("where", ["checks", "storing"])
def test_the_text_is_saved_when_the_checks_or_storing_their_findings_fail(
    service: DrafterService, monkeypatch, where: str
) -> None:
    """The findings go in the save's transaction: a failure there must not take the generated text with it."""
    from drafter.checks import runner
    from drafter.store import rows as stored_rows

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("broken")

    # storing: each finding's row (made by every way of storing them, statement by statement or with the COMMIT)
    monkeypatch.setattr(runner, "check_draft", broken) if where == "checks" else monkeypatch.setattr(
        stored_rows, "finding_row", broken)
    with pytest.raises(RuntimeError):
        service.create_draft(briefing_request(), "alice")
    monkeypatch.undo()
    draft = service.list_drafts(author="alice")[0]
    assert draft.status == DraftStatus.draft and len(draft.sections) == 5
    assert len(service.llm_calls(draft.id)) == 5
    assert [e.action for e in service.audit_trail(draft.id)][-1] == "generation_finished"
    assert service.store.findings(draft.id) == []  # nothing half-stored...
    assert service.findings(draft.id)  # ...and the checks run when the draft is next read
    assert service.verify_audit()[1] is None



def test_an_edit_and_its_findings_are_one_commit(service: DrafterService, monkeypatch) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    commits = _counted_commits(service, monkeypatch)
    edited = service.edit_section(draft.id, "summary", "The barrier opened in [To complete: month].", "alice")
    assert len(commits) == 1
    monkeypatch.undo()
    stored = service.store.findings(draft.id)
    assert {f.id for f in stored} == {f.id for f in service.findings(draft.id)}
    assert {f.content_sha256 for f in stored} == {edited.content_sha256}  # stored with the edit, on its content
    assert any(f.rule_id == "style.placeholder" and f.section_id == "summary" for f in stored)
    assert [e.action for e in service.audit_trail(draft.id)][-1] == "edited"
    assert service.verify_audit()[1] is None


@pytest.mark.parametrize("where", ["checks", "storing"])
def test_an_edit_is_saved_when_the_checks_or_storing_their_findings_fail(
    service: DrafterService, monkeypatch, where: str
) -> None:
    from drafter.checks import runner
    from drafter.store import rows as stored_rows

    draft = service.create_draft(briefing_request(), "alice")

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("broken")

    monkeypatch.setattr(runner, "check_draft", broken) if where == "checks" else monkeypatch.setattr(
        stored_rows, "finding_row", broken)
    with pytest.raises(RuntimeError):
        service.edit_section(draft.id, "summary", "An edit the checks cannot take.", "alice")
    monkeypatch.undo()
    after = service.get_draft(draft.id)
    assert after.version == draft.version + 1 and after.sections[0].text == "An edit the checks cannot take."
    assert service.findings(draft.id)  # checked afresh when next read, on the edited content
    assert {f.content_sha256 for f in service.store.findings(draft.id)} == {after.content_sha256}
    assert service.verify_audit()[1] is None
