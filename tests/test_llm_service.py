"""Drafting through the service with a real OpenAI-compatible backend over HTTP: streaming, structured
sections with citations, token counts in the call log, faults that keep the draft retryable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.errors import BackendError
from drafter.models import DraftStatus
from drafter.prompts import estimate_tokens
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, cut, error, json_reply, text

SECTIONS = ["summary", "background", "key_points", "recommendation", "contact"]


def by_section(req: Request) -> Reply:
    """Answer each section with a sentence quoting the flood report and citing it."""
    task = req.messages[-1]["content"] if req.messages else ""
    if "Reply with one JSON object" in task:
        return json_reply({
            "text": "The barrier protects 4,200 homes and 310 businesses [1].",
            "evidence": [
                {"source": 1, "quote": "The final cost was £46.6 million against a budget of £48 million."},
                {"source": 1, "quote": "A quote the model made up and that no source contains."},
            ],
        })
    return text("The final cost was £46.6 million against a budget of £48 million [1].")


@pytest.fixture
def llm_service(fake_openai: FakeOpenAI, tmp_path: Path, database_url: str | None) -> Iterator[DrafterService]:
    fake_openai.fallback = by_section
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, backend="openai",
                        openai_base_url=fake_openai.base_url, openai_api_key="sk-test", model="fake-model",
                        temperature=0.1, max_tokens=400, timeout_s=5, max_retries=1)
    svc = DrafterService.from_settings(settings)
    yield svc
    svc.store.engine.dispose()


def test_streamed_draft_records_calls_with_tokens_and_citations(
    llm_service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    streamed: list[tuple[str, str]] = []
    draft = llm_service.create_draft(briefing_request(), "alice", on_token=lambda sid, p: streamed.append((sid, p)))
    assert draft.status == DraftStatus.draft and [s.id for s in draft.sections] == SECTIONS
    assert draft.backend == "openai" and draft.sections[0].provenance.model == "fake-model"
    # text arrived in pieces, section by section, and what was streamed is what was saved
    assert len(streamed) > len(SECTIONS)
    assert "".join(p for sid, p in streamed if sid == "summary") == draft.sections[0].text
    # the settings reached the wire
    for req in fake_openai.chat_requests():
        assert req.body["temperature"] == 0.1 and req.body["max_completion_tokens"] == 400
    # every call recorded with the server's own usage figures
    calls = llm_service.llm_calls(draft.id)
    assert len(calls) == 5 and all(c.error is None for c in calls)
    first_req = fake_openai.chat_requests()[0]
    expected_in = sum(estimate_tokens(m["content"]) for m in first_req.messages)  # what the fake server reports
    assert calls[0].input_tokens == expected_in and calls[0].output_tokens == estimate_tokens(draft.sections[0].text)
    assert all(c.input_tokens and c.output_tokens for c in calls)
    assert calls[0].system == first_req.messages[0]["content"] and calls[0].options["temperature"] == 0.1
    # [1] markers resolved to the source and its paragraph
    cit = draft.sections[1].citations
    assert [(c.marker, c.source, c.paragraph) for c in cit] == [(1, "barrier-report.txt", 2)]
    assert "£46.6 million" in cit[0].quote


def test_unstreamed_sections_with_sources_use_structured_output(
    llm_service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    draft = llm_service.create_draft(briefing_request(), "alice")
    structured = [r for r in fake_openai.chat_requests() if "response_format" in r.body]
    # in the briefing only `background` draws on sources: it is structured, the other four are streamed
    assert len(structured) == 1 and len(fake_openai.chat_requests()) == 5
    assert all(r.body.get("stream") for r in fake_openai.chat_requests() if r not in structured)
    background = draft.sections[1]
    assert background.text == "The barrier protects 4,200 homes and 310 businesses [1]."
    # the marker's paragraph (3) and the verified evidence quote's paragraph (2); the invented quote is dropped
    assert sorted((c.marker, c.paragraph) for c in background.citations) == [(1, 2), (1, 3)]
    call = [c for c in llm_service.llm_calls(draft.id) if c.options.get("section") == "background"][0]
    assert call.options["structured"] is True and '"evidence"' in call.response


def test_a_cut_stream_is_retried_and_its_partial_text_logged(
    llm_service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(cut("This briefing is for the Minister.", after_chars=16))
    retries: list[str] = []
    draft = llm_service.create_draft(briefing_request(), "alice", on_token=lambda s, p: None,
                                     on_retry=lambda sid, why: retries.append(sid))
    assert draft.status == DraftStatus.draft and retries == ["summary"]
    calls = llm_service.llm_calls(draft.id)
    assert len(calls) == 6
    assert calls[0].response == "This briefing is" and "mid-stream" in (calls[0].error or "")
    assert calls[1].error is None


def test_failure_keeps_the_draft_and_generate_resumes(
    llm_service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    # section 1 fine; section 2 fails on both attempts (max_retries=1)
    fake_openai.script(text("Summary text."), error(503, "overloaded"), error(503, "overloaded"))
    with pytest.raises(BackendError, match=r"Backend openai .* HTTP 503 after 2 attempts: overloaded"):
        llm_service.create_draft(briefing_request(), "alice", on_token=lambda s, p: None)
    (draft,) = llm_service.list_drafts()
    assert draft.status == DraftStatus.failed and "HTTP 503" in (draft.error or "")
    assert [s.text for s in draft.sections] == ["Summary text."]
    failed_call = llm_service.llm_calls(draft.id)[-1]
    assert "HTTP 503" in (failed_call.error or "") and failed_call.options["section"] == "background"

    resumed = llm_service.generate(draft.id, "alice", on_token=lambda s, p: None)
    assert resumed.status == DraftStatus.draft and [s.id for s in resumed.sections] == SECTIONS
    assert resumed.sections[0].text == "Summary text."  # kept, not regenerated
    assert resumed.request == draft.request


def test_refine_through_the_llm_stores_the_instruction(
    llm_service: DrafterService, fake_openai: FakeOpenAI
) -> None:
    draft = llm_service.create_draft(briefing_request(), "alice", on_token=lambda s, p: None)
    fake_openai.script(text("Shorter: it cost £46.6 million [1]."))
    draft = llm_service.refine_section(draft.id, "background", "make it shorter", "alice")
    section = draft.sections[1]
    assert section.text == "Shorter: it cost £46.6 million [1]." and section.provenance.instruction == "make it shorter"
    assert section.citations and section.citations[0].paragraph == 2
    last = fake_openai.chat_requests()[-1].messages[-1]["content"]
    assert "<current>" in last and "make it shorter" in last


def test_backend_status_lists_and_checks(llm_service: DrafterService) -> None:
    rows = {r["name"]: r for r in llm_service.backend_status(check=True)}
    assert set(rows) == {"offline", "openai"}
    assert rows["openai"]["default"] and rows["openai"]["external"] and rows["openai"]["reachable"]
    assert not rows["offline"]["external"] and rows["offline"]["endpoint"] is None
