"""A batch lints each section as it finishes and builds the sources' support index on a pool thread while calls are
in flight, so the checks after the last call find both remembered. The findings stored must be the ones the checks
give with nothing remembered (the lint as it was, a fresh index), and a warm-up that fails must change nothing: the
batch finishes with the same sections and findings. Over the wire (the real openai client against the scripted
server). (What warming saves is measured in bench/bench_simplify.py, never here.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.checks import runner
from drafter.checks.style_lint import _lint_remembered
from drafter.models import Draft, DraftStatus, Finding
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.checks.style_lint_plain import plain_lint_section
from tests.fake_openai import FakeOpenAI, Reply, Request, text

RULES = "\n\n".join(
    f"§ {i}.1 Rule {i}.\nThe applicant must pay £{i * 10} within {i + 1} days of the notice dated 1 March 2026."
    for i in range(1, 15)
)


def _answer(req: Request) -> Reply:
    """The section back with what the lint and the fact check find: American spellings, a plain-words entry, a
    long sentence, an invented figure (every third section)."""
    task = str(req.messages[-1]["content"])
    m = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source', task, re.S)
    part = m.group(1) if m else "Text."
    amount = re.search(r"£(\d+)0 ", part)
    n = int(amount.group(1)) if amount else 0  # rule n asks to pay £10n
    extra = " We will utilise the center to analyze the color of the program." if n % 2 else ""
    extra += " " + " ".join(["and then the applicant goes on"] * 6) + "." if n % 3 == 0 else ""
    extra += f" A fee of £{n * 7 + 3} applies." if n % 3 == 1 else ""
    return text(part + extra)


@pytest.fixture
def service(fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[DrafterService]:
    fake_openai.fallback = _answer
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=10, simplify_retries=0)
    svc = DrafterService.from_settings(settings)
    yield svc
    svc.store.engine.dispose()


def _shape(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.id, f.fingerprint, f.severity, f.rule_id, f.section_id, f.start, f.end, f.excerpt, f.message,
             f.message_id, f.message_params, f.suggestion, f.suggestion_id, f.suggestion_params, f.content_sha256,
             f.status) for f in findings]


def _checked_from_scratch(service: DrafterService, draft: Draft, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """The draft's findings with nothing remembered: the lint as it was before it was remembered, a fresh index."""
    with monkeypatch.context() as m:
        m.setattr(runner, "lint_section", plain_lint_section)
        m.setattr(runner, "support_index", runner.support_index.__wrapped__)  # type: ignore[attr-defined]
        template = service.catalog.template(draft.template_id)
        guide = service.catalog.style_guide(draft.style_guide_id)
        return runner.check_draft(draft, template, guide, now=draft.updated_at)


def _batch(service: DrafterService) -> tuple[Draft, list[Finding]]:
    draft = service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=4)
    assert draft.status == DraftStatus.draft and len(draft.sections) == 14
    return draft, service.findings(draft.id)


def test_the_findings_after_a_batch_are_the_ones_checked_from_scratch(
    service: DrafterService, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lint_remembered.cache_clear()  # type: ignore[attr-defined]
    runner.support_index.cache_clear()  # type: ignore[attr-defined]
    draft, stored = _batch(service)
    rules = {f.rule_id for f in stored}
    assert {"style.spelling", "style.plain_words", "style.sentence_length", "facts.unsupported"} <= rules, rules
    # what the batch warmed is what the checks used
    assert _lint_remembered.cache.entries  # type: ignore[attr-defined]
    assert len(runner.support_index.cache.entries) == 1  # type: ignore[attr-defined]
    assert _shape(stored) == _shape(_checked_from_scratch(service, draft, monkeypatch))


@pytest.mark.parametrize("broken", ["support_index", "lint_section"])
def test_a_warm_up_that_fails_changes_nothing(
    service: DrafterService, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    _lint_remembered.cache_clear()  # type: ignore[attr-defined]
    runner.support_index.cache_clear()  # type: ignore[attr-defined]
    calls: list[str] = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(broken)
        raise RuntimeError("warm-up broken")

    # only the batch's warm-up is broken: the checks at the end use their own
    monkeypatch.setattr(f"drafter.service.simplification.{broken}", failing)
    draft, stored = _batch(service)
    assert calls  # the warm-up ran, and failed
    assert [e.action for e in service.audit_trail(draft.id)] == ["created", *["generated"] * 14, "generation_finished"]
    assert _shape(stored) == _shape(_checked_from_scratch(service, draft, monkeypatch))
