"""Simplification retries on the wire: a result that misses the audience's readability target is asked for again
with the measured problems, up to DRAFTER_SIMPLIFY_RETRIES times, then reported honestly as not reached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.checks.readability import measure
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.fake_openai import FakeOpenAI, Request, text

ORIGINAL = "The Council shall check the form and shall notify the applicant within 14 days."
LONG = ("The Council, which is the local authority responsible for housing matters in the area where you live, "
        "must check the application form that you send to it and must then tell you within 14 days whether "
        "anything at all is missing from it or needs to be corrected before a decision can be made.")
SHORT = "The Council must check your form. It must tell you within 14 days if something is missing."


def _service(fake_openai: FakeOpenAI, tmp_path: Path, **settings: object) -> DrafterService:
    base = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                    openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5)
    return DrafterService.from_settings(base.model_copy(update=settings))


def _feedback(req: Request) -> str:
    human = str(req.messages[-1]["content"])
    return human.split("Your previous version had these problems; fix them:\n", 1)[1] if "previous version" in human else ""


def test_each_retry_carries_the_measured_problems_and_after_n_misses_the_result_says_not_reached(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.fallback = lambda req: text(LONG)  # a model that never writes short sentences
    service = _service(fake_openai, tmp_path, simplify_retries=2)
    draft = service.simplify(ORIGINAL, title="Checks", audience="child", user="comms")
    requests = fake_openai.chat_requests()
    assert len(requests) == 3  # the first attempt and two retries, then no more
    assert _feedback(requests[0]) == ""
    measured = measure(LONG, "en")
    for req in requests[1:]:
        feedback = _feedback(req)
        # the figures are measured on the previous reply, not written in advance
        assert f"average sentence {measured.avg_sentence_words:g} words, target 15 or fewer" in feedback
        assert f"reading grade {measured.flesch_kincaid_grade:.1f} is above the target 5" in feedback
        longest = re.search(r"longest sentence (\d+) words, target 15 or fewer: \"The Council, which is", feedback)
        assert longest and int(longest.group(1)) > 15
        assert "fact missing" not in feedback  # the 14 days were kept: only real problems are fed back
    section = draft.sections[0]
    assert section.metrics["attempts"] == 3 and section.metrics["target_reached"] is False
    assert section.metrics["outcome"].startswith("Readability target not reached after 3 attempts: ")
    assert section.text == LONG  # kept, not thrown away, and not claimed to be simplified to the target
    assert "still above the audience's readability target" in service.simplification_outcome(draft)
    service.store.engine.dispose()


def test_a_retry_that_reaches_the_target_stops_there(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.script(text(LONG), text(SHORT))
    fake_openai.fallback = lambda req: pytest.fail("asked again after the target was reached")  # type: ignore[arg-type]
    service = _service(fake_openai, tmp_path, simplify_retries=5)
    draft = service.simplify(ORIGINAL, title="Checks", audience="child", user="comms")
    assert len(fake_openai.chat_requests()) == 2
    section = draft.sections[0]
    assert section.text == SHORT and section.metrics["attempts"] == 2 and section.metrics["target_reached"] is True
    assert section.metrics["target_missed"] == [] and "not reached" not in section.metrics["outcome"]
    service.store.engine.dispose()


def test_retries_are_configured_by_the_environment(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFTER_SIMPLIFY_RETRIES", "0")
    assert Settings().simplify_retries == 0
    fake_openai.fallback = lambda req: text(LONG)
    service = _service(fake_openai, tmp_path, simplify_retries=Settings().simplify_retries)
    draft = service.simplify(ORIGINAL, title="Checks", audience="child", user="comms")
    assert len(fake_openai.chat_requests()) == 1
    assert draft.sections[0].metrics["outcome"] == (
        "Readability target not reached after 1 attempt: " + "; ".join(draft.sections[0].metrics["target_missed"]) + ".")
    monkeypatch.setenv("DRAFTER_SIMPLIFY_RETRIES", "11")
    with pytest.raises(ValueError, match="simplify_retries"):
        Settings()
    service.store.engine.dispose()
