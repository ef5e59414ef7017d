"""Approval's four-eyes names: on PostgreSQL read in one statement, the versions' JSON read by the server.

They must be exactly the names the two reads give in Python (`version_people | audit_actors`), for awkward data:
empty and missing names, sections without provenance, quotes, backslashes, other scripts, many versions.
"""

from __future__ import annotations

import json
import random

import sqlalchemy as sa

from drafter import review as rules
from drafter.models import utcnow
from drafter.service import DrafterService
from drafter.store.tables import draft_versions
from tests.conftest import briefing_request

AWKWARD = ["", " ", "o'brien", 'say "hi"', "back\\slash", "王小明", "zoë", "tab\there", "a,b", "NULL", "null",
           "\u200bzero-width", "emoji 🙂", "alice"]


def _add_version(service: DrafterService, draft_id: str, version: int, actor: str, sections: list[object]) -> None:
    with service.store.engine.begin() as conn:
        conn.execute(draft_versions.insert().values(
            draft_id=draft_id, version=version, title="T", sections_json=json.dumps(sections, ensure_ascii=False),
            content_sha256="0" * 64, actor=actor, reason="test", created_at=utcnow().isoformat()))


def _python(service: DrafterService, draft_id: str) -> set[str]:
    return service.store.version_people(draft_id) | service.store.audit_actors(draft_id, rules.CONTRIBUTING_ACTIONS)


def test_awkward_names_are_found_as_the_python_reads_find_them(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "Edited by carol.", "carol")
    sections: list[object] = [
        {"id": "a"},  # no provenance
        {"id": "b", "provenance": None},
        {"id": "c", "provenance": {}},
        {"id": "d", "provenance": {"author": None, "edited_by": None}},
        *({"id": f"n{i}", "provenance": {"author": name, "edited_by": AWKWARD[-1 - i]}}
          for i, name in enumerate(AWKWARD)),
    ]
    _add_version(service, draft.id, 100, "o'brien", sections)
    _add_version(service, draft.id, 101, "王小明", [])
    found = service.store.contributor_names(draft.id, rules.CONTRIBUTING_ACTIONS)
    assert found == _python(service, draft.id)
    assert {"o'brien", 'say "hi"', "back\\slash", "王小明", " ", "carol", "alice"} <= found and "" not in found


def test_random_histories_agree(service: DrafterService) -> None:
    rng = random.Random(17)
    draft = service.create_draft(briefing_request(), "alice")
    for version in range(200, 230):
        sections = [{"id": f"s{k}", "provenance": {"author": rng.choice([*AWKWARD, None]),
                                                   "edited_by": rng.choice([*AWKWARD, None])}}
                    for k in range(rng.randrange(0, 6))]
        _add_version(service, draft.id, version, rng.choice(AWKWARD[1:]), sections)
    assert service.store.contributor_names(draft.id, rules.CONTRIBUTING_ACTIONS) == _python(service, draft.id)
    assert service.store.contributor_names(draft.id, set()) == service.store.version_people(draft.id)


def test_approval_reads_the_names_in_one_statement_on_postgresql(service: DrafterService) -> None:
    draft = service.submit(service.create_draft(briefing_request(), "alice").id, "alice")
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    sa.event.listen(service.store.engine, "before_cursor_execute", listener)
    try:
        with service.store.reading():
            names = service.contributors(draft.id)
    finally:
        sa.event.remove(service.store.engine, "before_cursor_execute", listener)
    assert "alice" in names
    reads = [s for s in sent if not s.startswith("BEGIN")]
    assert len(reads) == (2 if service.store.dialect == "postgresql" else 3)  # the draft, then the names


def _separately(service: DrafterService, draft_id: str) -> tuple[object, list[object], set[str]]:
    with service.store.reading():
        return (service.store.get_draft(draft_id), service.store.findings(draft_id),
                service.store.contributor_names(draft_id, rules.CONTRIBUTING_ACTIONS))


def _key(found: list[object]) -> list[str]:
    return sorted(f.model_dump_json() for f in found)  # type: ignore[attr-defined]


def test_approvals_one_read_gives_the_draft_findings_and_names_the_three_reads_give(service: DrafterService) -> None:
    """PostgreSQL reads the three in one statement (findings as JSON); every field must come back the same: a
    waived finding, one never waived, awkward names, and a draft with no findings at all."""
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "Edited by o'brien: \"quotes\", back\\slash, 王小明 🙂.", "o'brien")
    found = service.findings(draft.id)
    assert found, "the briefing should have findings to compare"
    service.waive(draft.id, found[0].id, "Checked by hand: fine \u200b here.", "bob")
    _add_version(service, draft.id, 300, "王小明", [{"id": "x", "provenance": {"author": "zoë", "edited_by": ""}}])
    draft_read, findings_read, names_read = service.store.for_approval(draft.id, rules.CONTRIBUTING_ACTIONS)
    expected_draft, expected_findings, expected_names = _separately(service, draft.id)
    assert draft_read == expected_draft and names_read == expected_names
    assert _key(findings_read) == _key(expected_findings) and any(f.waived_by == "bob" for f in findings_read)
    bare = service.store.create_draft(draft_read.model_copy(update={"id": "bare0000", "sections": []}), actor="alice",
                                      details={})
    assert service.store.for_approval(bare.id, rules.CONTRIBUTING_ACTIONS) == (bare, [], {"alice"})


def test_approvals_one_read_of_a_missing_draft_says_so(service: DrafterService) -> None:
    import pytest

    from drafter.errors import NotFoundError

    with pytest.raises(NotFoundError, match="does not exist"):
        service.store.for_approval("nosuchdraft", rules.CONTRIBUTING_ACTIONS)
