"""Batch simplification's saving and its places in flight, attacked: each section's JSON is computed once per
run but stored exactly as before; at most `concurrency` calls are at the server at once; a failure part-way
still saves every finished section and sends nothing that was waiting; an interrupted run resumes; two
processes simplifying different drafts at once lose nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import multiprocessing as mp
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drafter.errors import BackendError
from drafter.models import DraftStatus, Section
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import rows, sections_unchanged
from tests.fake_openai import FakeOpenAI, Reply, Request, error, text

RULES = "\n\n".join(
    f"§ {i}.1 Rule {i}.\nThe applicant — “Zoë” — must pay £{i * 10} within {i + 1} days." for i in range(1, 13))


def _part(req: Request) -> str:
    m = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source', str(req.messages[-1]["content"]), re.S)
    return m.group(1) if m else "Text."


def _echo(req: Request) -> Reply:
    return text(_part(req))


def _settings(data_dir: Path, url: str | None, base_url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, backend="openai", openai_base_url=base_url,
                    openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=10, simplify_retries=0)


@pytest.fixture
def service(fake_openai: FakeOpenAI, tmp_path: Path, database_url: str | None) -> Iterator[DrafterService]:
    fake_openai.fallback = _echo
    svc = DrafterService.from_settings(_settings(tmp_path / "data", database_url, fake_openai.base_url))
    yield svc
    svc.store.engine.dispose()


def _plain_json(sections: list[Section]) -> str:
    """What the store wrote before the per-run memo: one json.dumps over every section."""
    return json.dumps([s.model_dump(mode="json") for s in sections], ensure_ascii=False)


def test_stored_json_is_what_was_stored_before_for_every_version(service: DrafterService) -> None:
    draft = service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=4)
    versions = service.versions(draft.id)
    assert versions and versions[-1]["sections"] == draft.sections
    with service.store.engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql(
            f"SELECT sections_json FROM draft_versions WHERE draft_id = '{draft.id}' ORDER BY version")]
        (row,) = conn.exec_driver_sql(f"SELECT sections_json FROM drafts WHERE id = '{draft.id}'")
    # byte for byte what the one-dump path writes for the same sections, in every version and the draft row
    for text_, version in zip(stored, versions, strict=True):
        assert text_ == _plain_json(version["sections"])
    assert row[0] == _plain_json(draft.sections) and "Zoë" in row[0] and "£10" in row[0]


def test_the_memo_never_serves_a_stale_or_foreign_section() -> None:
    base = Section.model_validate({"id": "s1", "heading": "§ 1", "text": "Pay £5 — “now”.", "provenance": {
        "origin": "ai", "backend": "offline", "model": "rules", "generated_at": "2026-01-01T00:00:00Z",
        "author": "a", "ai_text": "x"}})
    other = base.model_copy(update={"text": "Pay £6."})  # same id, new object: its own JSON
    with sections_unchanged():
        assert rows.sections_json([]) == _plain_json([]) == "[]"
        assert rows.sections_json([base]) == _plain_json([base])
        assert rows.sections_json([base, other]) == _plain_json([base, other])
        assert "£6" in rows.sections_json([other]) and "£5" not in rows.sections_json([other])
        seen: list[str] = []
        # another thread has no memo of its own unless it opens one: it computes afresh
        t = threading.Thread(target=lambda: seen.append(rows.sections_json([base])))
        t.start()
        t.join()
        assert seen == [_plain_json([base])]
    assert rows.sections_json([base, other]) == _plain_json([base, other])  # outside: no memo at all


def test_never_more_calls_at_the_server_than_the_concurrency(service: DrafterService, fake_openai: FakeOpenAI) -> None:
    lock, now, most = threading.Lock(), [0], [0]

    def counted(req: Request) -> Reply:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.05)  # the handler's thread is the request at the server
        with lock:
            now[0] -= 1
        return _echo(req)

    fake_openai.fallback = counted
    draft = service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=3)
    assert len(draft.sections) == 12 and 1 <= most[0] <= 3


def test_a_failure_sends_nothing_that_was_waiting_and_saves_what_finished(
    service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    lock, arrived, failed_at = threading.Lock(), [0], [0.0]

    def third_fails(req: Request) -> Reply:
        with lock:
            arrived[0] += 1
            third = arrived[0] == 3  # whichever section it is: the order places are taken in is not fixed
        if third:
            failed_at[0] = time.monotonic()
            return error(500, "server fell over")
        time.sleep(0.2)  # others are in flight, or waiting for a place, when it fails
        return _echo(req)

    fake_openai.fallback = third_fails
    with pytest.raises(BackendError, match="500"):  # the failure itself, never a call left unsent
        service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=2)
    draft = service.list_drafts(author="alice")[0]
    requests = fake_openai.chat_requests()
    assert draft.status == DraftStatus.failed and len(requests) < 12
    # after the failure only the call already holding the other place may still arrive; none waiting is sent
    assert sum(1 for r in requests if r.at > failed_at[0]) <= 1
    rows_ = service.llm_calls(draft.id)
    assert len(rows_) == len(requests) and {s.id for s in draft.sections} == {
        r.options["section"] for r in rows_ if not r.error}
    fake_openai.fallback = _echo
    resumed = service.generate_simplified(draft.id, "alice", concurrency=2)
    assert resumed.status == DraftStatus.draft and len(resumed.sections) == 12
    assert len(fake_openai.chat_requests()) - len(requests) == 12 - len(draft.sections)
    assert service.verify_audit()[1] is None


def _simplify_in_process(base_url: str, data_dir: str, url: str | None, title: str, barrier: Any, out: Any) -> None:
    svc = DrafterService.from_settings(_settings(Path(data_dir), url, base_url))
    barrier.wait(timeout=120)
    draft = svc.simplify(RULES.replace("Rule", title), title=title, audience="plain", user="alice", concurrency=4)
    out.put((title, draft.id))
    svc.store.engine.dispose()


def test_two_processes_simplifying_different_drafts_at_once_lose_nothing(
    service: DrafterService, fake_openai: FakeOpenAI, tmp_path: Path, database_url: str | None
) -> None:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_simplify_in_process, args=(
        fake_openai.base_url, str(tmp_path / "data"), database_url, title, barrier, out)) for title in ("Alpha", "Beta")]
    for p in procs:
        p.start()
    made = dict(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for title, draft_id in made.items():
        draft = service.get_draft(draft_id)
        assert draft.status == DraftStatus.draft and len(draft.sections) == 12
        assert all(title in s.heading for s in draft.sections)
        assert len(service.llm_calls(draft_id)) == 12
        actions = [e.action for e in service.audit_trail(draft_id)]
        assert actions == ["created", *["generated"] * 12, "generation_finished"]
    assert service.verify_audit()[1] is None
