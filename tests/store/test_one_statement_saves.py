"""PostgreSQL: a save (`save_draft`) and a status save (`save_status`) are one statement sent with BEGIN and COMMIT.

They must write exactly what the statement-by-statement path writes (kept for SQLite and for saves held in a larger
transaction): the draft's row column by column, the stored version, the review and the audit event; and nothing at
all when the row has moved on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drafter.errors import ConflictError
from drafter.models import Draft, DraftStatus, Review, utcnow
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import SaveStep
from drafter.store.tables import audit_events, draft_versions, drafts, reviews
from tests.conftest import FULL_CHECKLIST, briefing_request


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path) -> Iterator[DrafterService]:
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", database_url=postgres_url))
    yield service
    service.store.engine.dispose()


def _rows(service: DrafterService, draft_id: str) -> dict[str, Any]:
    skip = {"id", "draft_id", "created_at", "updated_at", "at", "seq", "prev_hash", "hash"}
    with service.store.engine.connect() as conn:
        def strip(table: sa.Table, where: Any, order: Any) -> list[dict[str, Any]]:
            found = conn.execute(sa.select(table).where(where).order_by(order)).mappings()
            return [{k: v for k, v in r.items() if k not in skip} for r in found]
        return {
            "draft": strip(drafts, drafts.c.id == draft_id, drafts.c.id),
            "versions": strip(draft_versions, draft_versions.c.draft_id == draft_id, draft_versions.c.version),
            "reviews": strip(reviews, reviews.c.draft_id == draft_id, reviews.c.id),
            "events": strip(audit_events, audit_events.c.draft_id == draft_id, audit_events.c.seq),
        }


def _twins(service: DrafterService) -> tuple[Draft, Draft]:
    a = service.create_draft(briefing_request(), "alice")
    return a, service.store.create_draft(a.model_copy(update={"id": "twin" + a.id[4:]}), actor="alice", details={})


def _written(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The draft's row after a save, and the versions, reviews and events the save added."""
    return {"draft": after["draft"], **{k: after[k][len(before[k]):] for k in ("versions", "reviews", "events")}}


def _review(draft: Draft) -> Review:
    return Review(draft_id=draft.id, reviewer="bob", decision="approved", comment="Fine.", checklist=FULL_CHECKLIST,
                  content_sha256=draft.content_sha256, version=draft.version + 1, created_at=utcnow())


@pytest.mark.parametrize("content_changed", [True, False])
@pytest.mark.parametrize("with_review", [True, False])
def test_a_save_in_one_statement_writes_what_the_statements_write(
    pg: DrafterService, content_changed: bool, with_review: bool
) -> None:
    one, old = _twins(pg)
    base_one, base_old = _rows(pg, one.id), _rows(pg, old.id)
    details = {"section": "summary", "note": "o'brien \"quoted\" 王小明 🙂"}
    for draft in (one, old):
        edited = draft.model_copy(update={"title": "Edited title", "status": DraftStatus.in_review,
                                          "sections": [s.model_copy(update={"text": s.text + " More."})
                                                       for s in draft.sections]})
        step = SaveStep(edited, draft.version, "carol", "edited", details, content_changed,
                        _review(draft) if with_review else None)
        if draft is one:
            pg.store.save_draft(step.draft, expected_version=step.expected_version, actor=step.actor,
                                action=step.action, details=step.details, review=step.review,
                                content_changed=step.content_changed)
        else:
            with pg.store.transaction() as conn:
                pg.store._save_step(conn, step)
    written = _written(base_one, _rows(pg, one.id))
    assert written == _written(base_old, _rows(pg, old.id))
    assert len(written["events"]) == 1 and len(written["versions"]) == int(content_changed)
    assert len(written["reviews"]) == int(with_review) and written["draft"][0]["title"] == "Edited title"
    assert pg.verify_audit()[1] is None


def test_a_save_over_a_newer_version_writes_nothing(pg: DrafterService) -> None:
    draft = pg.create_draft(briefing_request(), "alice")
    pg.edit_section(draft.id, "summary", "Changed meanwhile by alice.", "alice")
    before = _rows(pg, draft.id)
    with pytest.raises(ConflictError, match="was changed by alice"):
        pg.store.save_draft(draft.model_copy(update={"title": "Stale"}), expected_version=draft.version,
                            actor="bob", action="edited", details={}, review=_review(draft), content_changed=True)
    assert _rows(pg, draft.id) == before and pg.verify_audit()[1] is None


def test_a_save_and_a_status_save_are_one_statement_each(pg: DrafterService) -> None:
    draft = pg.create_draft(briefing_request(), "alice")
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    sa.event.listen(pg.store.engine, "before_cursor_execute", listener)
    try:
        saved = pg.store.save_draft(draft.model_copy(update={"title": "T"}), expected_version=draft.version,
                                    actor="alice", action="edited", details={}, content_changed=True)
        pg.store.save_status(saved, DraftStatus.in_review, actor="alice", action="submitted", details={})
    finally:
        sa.event.remove(pg.store.engine, "before_cursor_execute", listener)
    assert len(sent) == 2 and all("drafter_audit_append(" in s for s in sent)


def test_a_creation_in_one_statement_writes_what_the_statements_write(pg: DrafterService) -> None:
    draft = pg.create_draft(briefing_request(), "alice")
    one = draft.model_copy(update={"id": "one" + draft.id[3:]})
    old = draft.model_copy(update={"id": "old" + draft.id[3:]})
    details = {"template": "briefing", "note": "o'brien \"quoted\" 王小明 🙂"}
    pg.store.create_draft(one, actor="alice", details=details)
    from drafter.store import drafts as stored_drafts

    with pg.store.transaction() as conn:
        stored_drafts.insert(conn, old)
        stored_drafts.insert_version(conn, old, actor="alice", reason="created")
        pg.store._append_audit(conn, "alice", "created", old.id, details, last=True)
    assert _rows(pg, one.id) == _rows(pg, old.id)
    assert len(_rows(pg, one.id)["versions"]) == 1 and pg.verify_audit()[1] is None
    with pytest.raises(sa.exc.IntegrityError):  # the same id twice: nothing of the second is written
        pg.store.create_draft(one, actor="bob", details={})
    assert _rows(pg, one.id) == _rows(pg, old.id)


def _finding_rows(service: DrafterService, draft_id: str) -> list[dict[str, Any]]:
    from drafter.store.tables import findings

    with service.store.engine.connect() as conn:
        found = conn.execute(sa.select(findings).where(findings.c.draft_id == draft_id).order_by(findings.c.id))
        return [{k: v for k, v in r.items() if k != "draft_id"} for r in found.mappings()]


def test_findings_stored_with_the_commit_are_the_rows_the_insert_writes(pg: DrafterService) -> None:
    from drafter.store import drafts as stored_drafts
    from drafter.store import findings as stored_findings

    draft = pg.create_draft(briefing_request(), "alice")
    pg.edit_section(draft.id, "summary", "Edited: o'brien \"quoted\", back\\slash, 王小明 🙂, tab\there.", "alice")
    found = pg.findings(draft.id)
    assert found
    pg.waive(draft.id, found[0].id, "Checked by hand, it is fine.", "bob")
    found = pg.store.findings(draft.id)
    for twin in ("one", "old"):
        copy = pg.get_draft(draft.id).model_copy(update={"id": twin + draft.id[3:]})
        pg.store.create_draft(copy, actor="alice", details={})
        mine = [f.model_copy(update={"draft_id": copy.id}) for f in found]
        with pg.store.transaction() as conn:
            stored_drafts.lock_first(conn, copy.id)
            if twin == "one":
                stored_findings.insert_committed(conn, mine)
            else:
                stored_findings.insert(conn, mine)
    one, old = _finding_rows(pg, "one" + draft.id[3:]), _finding_rows(pg, "old" + draft.id[3:])
    assert one == old and len(one) == len(found) and any(r["waived_by"] == "bob" for r in one)


def test_merges_of_one_drafts_findings_at_once_run_one_after_the_other(pg: DrafterService) -> None:
    import threading

    draft = pg.create_draft(briefing_request(), "alice")
    stored = pg.store.findings(draft.id)
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def merge_again() -> None:
        try:
            barrier.wait(timeout=30)
            pg.store.update_findings(draft.id, lambda _previous: stored)  # each writes the whole set
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=merge_again) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(f.id for f in pg.store.findings(draft.id)) == sorted(f.id for f in stored)


def test_a_generations_saves_in_three_round_trips_write_what_the_statements_write(
    pg: DrafterService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`save_draft_steps` (a generation's sections, call rows and findings) on PostgreSQL against the statement by
    statement path it replaced, run on a twin (the store told it is another database)."""
    from drafter.checks import runner as checks
    from drafter.store.tables import findings, llm_calls

    source = pg.create_draft(briefing_request(), "alice")
    calls = pg.llm_calls(source.id)
    written: dict[str, dict[str, Any]] = {}
    for twin in ("one", "old"):
        start = source.model_copy(update={"id": twin + source.id[3:], "sections": [], "version": 1,
                                          "status": DraftStatus.generating})
        pg.store.create_draft(start, actor="alice", details={})
        before = _rows(pg, start.id)
        steps, sections = [], []
        for k, section in enumerate(source.sections):
            sections = [*sections, section]
            steps.append(SaveStep(start.model_copy(update={"sections": sections, "version": 1 + k}), 1, "alice",
                                  "generated", {"section": section.id, "n": k}, content_changed=True))
        final = start.model_copy(update={"sections": sections, "status": DraftStatus.draft})
        steps.append(SaveStep(final, 1, "alice", "generation_finished", {"sections": len(sections)}))
        mine = [c.model_copy(update={"id": twin + c.id[3:], "draft_id": start.id}) for c in calls]
        current = checks.check_draft(final, pg.catalog.template(final.template_id),
                                     pg.catalog.style_guide(final.style_guide_id), now=utcnow())
        merge = lambda previous, d=final, f=current: checks.merge(  # noqa: E731
            previous, f, now=utcnow(), content_sha256=d.content_sha256)
        if twin == "old":
            monkeypatch.setattr(pg.store, "dialect", "postgresql, statement by statement")
        saved = pg.store.save_draft_steps(steps, mine, merge_findings=merge)
        monkeypatch.undo()
        assert saved.version == 1 + len(steps)
        with pg.store.engine.connect() as conn:
            call_rows = [{k: v for k, v in r.items() if k not in ("id", "draft_id")} for r in conn.execute(
                sa.select(llm_calls).where(llm_calls.c.draft_id == start.id).order_by(llm_calls.c.datetime_utc)
            ).mappings()]
            finding_rows = [{k: v for k, v in r.items() if k not in ("draft_id", "checked_at")} for r in
                            conn.execute(sa.select(findings).where(findings.c.draft_id == start.id)
                                         .order_by(findings.c.id)).mappings()]
        written[twin] = {**_written(before, _rows(pg, start.id)), "calls": call_rows, "findings": finding_rows}
    assert written["one"] == written["old"]
    assert len(written["one"]["versions"]) == 5 and len(written["one"]["events"]) == 6
    assert len(written["one"]["calls"]) == 5 and written["one"]["findings"]
    assert pg.verify_audit()[1] is None
