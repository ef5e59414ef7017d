"""Simplification with several sections in flight, over the wire (the real openai client against the scripted
server, on SQLite and PostgreSQL): every call is logged, every finished section is saved, the guard runs on every call, and a failure
part-way loses nothing. (The batch's speed is measured in bench/bench_simplify.py, never here.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.errors import BackendError
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply, Request, error, text

PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")
RULES = "\n\n".join(f"§ {i}.1 Rule {i}.\nThe applicant must pay £{i * 10} within {i + 1} days." for i in range(1, 13))


def _part(req: Request) -> str:
    task = str(req.messages[-1]["content"])
    m = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source', task, re.S)
    return m.group(1) if m else "Text."


def _echo(req: Request) -> Reply:
    return text(_part(req))


@pytest.fixture
def service(fake_openai: FakeOpenAI, tmp_path: Path, database_url: str | None) -> Iterator[DrafterService]:
    """On SQLite and on PostgreSQL."""
    fake_openai.fallback = _echo
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, backend="openai",
                        openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=10,
                        simplify_retries=0)
    svc = DrafterService.from_settings(settings)
    yield svc
    svc.store.engine.dispose()


def test_every_call_is_logged_and_every_section_saved_with_many_in_flight(
    service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    draft = service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=5)
    assert draft.status == DraftStatus.draft
    assert [s.id for s in draft.sections] == [f"s{i}" for i in range(1, 13)]  # in the document's order
    rows = service.llm_calls(draft.id)
    assert len(rows) == len(fake_openai.chat_requests()) == 12 and not any(r.error for r in rows)
    # each row is the call that made its section
    assert sorted(r.options["section"] for r in rows) == sorted(s.id for s in draft.sections)
    actions = [e.action for e in service.audit_trail(draft.id)]
    assert actions == ["created", *["generated"] * 12, "generation_finished"]
    assert service.verify_audit()[1] is None
    versions = service.versions(draft.id)
    assert versions[-1]["version"] == draft.version - 1  # the last generated version; finishing adds no content
    assert [s.text for s in versions[-1]["sections"]] == [s.text for s in draft.sections]
    numbers = [v["version"] for v in versions]
    assert numbers == sorted(set(numbers))
    # a connection is given back at the end of each answer, within its place: never more than one per place
    assert 1 <= fake_openai.connections <= 5


def test_a_failed_call_part_way_keeps_what_finished_and_every_call_row(
    service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    def seventh_fails(req: Request) -> Reply:
        return error(500, "server fell over") if "£70 " in _part(req) else _echo(req)

    fake_openai.fallback = seventh_fails
    with pytest.raises(BackendError):
        service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=3)
    draft = service.list_drafts(author="alice")[0]
    assert draft.status == DraftStatus.failed and "s7" not in {s.id for s in draft.sections}
    sent = len(fake_openai.chat_requests())
    rows = service.llm_calls(draft.id)
    # every request that reached the server has its row, the failed one with its error
    assert len(rows) == sent and sum(1 for r in rows if r.error) == 1
    # every section whose call finished is saved: its row has no error
    assert {s.id for s in draft.sections} == {r.options["section"] for r in rows if not r.error}
    fake_openai.fallback = _echo
    resumed = service.generate_simplified(draft.id, "alice", concurrency=3)
    assert resumed.status == DraftStatus.draft and len(resumed.sections) == 12
    # only what was missing was asked for again
    assert len(fake_openai.chat_requests()) - sent == 12 - len(draft.sections)
    assert service.verify_audit()[1] is None


def test_personal_data_gets_one_placeholder_across_sections_sent_at_once(
    service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    email, other = "priya.shah@example.gov.uk", "tom.reed@example.gov.uk"
    text_ = "\n\n".join(
        f"§ {i}.1 Rule {i}.\nWrite to {other if i == 4 else email} within {i + 1} days." for i in range(1, 9))
    draft = service.simplify(text_, title="Contacts", audience="plain", user="alice", concurrency=4)
    assert service.backend("openai").external
    requests = fake_openai.chat_requests()
    wire = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in requests)
    assert len(requests) == 8 and email not in wire and other not in wire
    used = {PLACEHOLDER.search(_part(r)).group(0) for r in requests}  # type: ignore[union-attr]
    assert len(used) == 2  # the same address has the same placeholder in every section, though sent at once
    for section in draft.sections:
        assert (other if section.id == "s4" else email) in section.text and not PLACEHOLDER.search(section.text)
    mapping, _ = service.store.guard_mapping(draft.id)
    assert sorted(mapping.values()) == sorted([email, other])
