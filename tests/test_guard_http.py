"""The guard over the real wire: the openai client talking to a local OpenAI-compatible server. Every form
in the evasion corpus is put in a source: markings send nothing, identifiers arrive only as placeholders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.errors import RefusedError
from drafter.guard.evasion import EvasionCase, load_corpus
from drafter.guard.normalise import normalise
from drafter.models import DraftRequest, SourceDoc
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, json_reply, text

PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")
EMAIL, PHONE = "priya.shah@example.gov.uk", "+44 20 7946 0123"


def _echo_placeholders(req: Request) -> Reply:
    """A model that repeats back every placeholder it was given, in plain text or structured JSON."""
    found = sorted(set(PLACEHOLDER.findall(json.dumps(req.body, ensure_ascii=False))))
    reply = "Contact " + ", ".join(found) + "." if found else "No contact given."
    if "Reply with one JSON object" in req.messages[-1]["content"]:
        return json_reply({"text": reply, "evidence": []})
    return text(reply)


@pytest.fixture
def external(fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[DrafterService]:
    fake_openai.fallback = _echo_placeholders
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5)
    service = DrafterService.from_settings(settings)
    assert service.backend("openai").external
    yield service
    service.store.engine.dispose()


def test_marked_request_never_reaches_the_server(external: DrafterService, fake_openai: FakeOpenAI) -> None:
    secret = SourceDoc(name="memo.txt", text="SECRET\n\nThe barrier budget will be cut by £10 million.")
    with pytest.raises(RefusedError, match="SECRET") as err:
        external.create_draft(briefing_request(sources=[secret]), "alice")
    assert "memo.txt" in str(err.value)
    assert fake_openai.requests == []
    assert external.list_drafts() == []


def test_personal_data_is_pseudonymised_on_the_wire_and_restored(
    external: DrafterService, fake_openai: FakeOpenAI
) -> None:
    request = briefing_request()
    inputs = {**request.inputs, "contact": f"Priya Shah, {EMAIL}, {PHONE}"}
    draft = external.create_draft(DraftRequest(**{**request.model_dump(), "inputs": inputs}), "alice")
    wire = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in fake_openai.chat_requests())
    assert fake_openai.chat_requests() and EMAIL not in wire and "7946 0123" not in wire
    assert PLACEHOLDER.search(wire)
    logged = "\n".join(c.prompt + c.response for c in external.llm_calls(draft.id))
    assert EMAIL not in logged
    saved = "\n".join(s.text for s in draft.sections)
    assert EMAIL in saved and not PLACEHOLDER.search(saved)


REGULATION = (
    "SECRET\n\n"
    "Section 1. Scope\n\nThis part applies to every applicant who files a claim after 1 March 2026.\n\n"
    "Section 2. Time limits\n\nAn applicant must file the claim within 30 days of the decision.\n\n"
    "Section 3. Appeals\n\nAn appeal must be made in writing to the board within 60 days.\n"
)


def test_simplify_of_a_marked_document_sends_no_segment(external: DrafterService, fake_openai: FakeOpenAI) -> None:
    """The marking is in the first segment only; no other segment may leave either (issue 20, critical)."""
    with pytest.raises(RefusedError, match="SECRET") as err:
        external.simplify(REGULATION, title="Claims", audience="plain", user="alice", concurrency=4)
    assert "Nothing was sent" in str(err.value)
    assert fake_openai.requests == []
    assert external.list_drafts() == []


@pytest.mark.parametrize("marking", ["SECRET", "TOP SECRET", "OFFICIAL-SENSITIVE"])
def test_simplify_cli_and_batch_send_nothing_from_a_marked_file(
    marking: str, fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from drafter.cli import main

    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DRAFTER_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DRAFTER_MAX_RETRIES", "0")
    fake_openai.fallback = lambda req: text("Plain words.")
    marked = tmp_path / "marked.txt"
    marked.write_text(REGULATION.replace("SECRET", marking, 1), encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text(REGULATION.replace("SECRET\n\n", ""), encoding="utf-8")
    code = main(["simplify", str(marked), "--audience", "plain", "--output-dir", str(tmp_path / "out"),
                 "--user", "alice", "--concurrency", "4"])
    out = capsys.readouterr().out
    assert code == 3 and "Nothing was sent" in out
    assert fake_openai.requests == []
    # in a batch, the marked file sends nothing while the clean file is simplified
    code = main(["simplify", str(marked), str(clean), "--audience", "plain", "--output-dir",
                 str(tmp_path / "out2"), "--user", "alice"])
    assert code == 3
    wire = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in fake_openai.chat_requests())
    assert fake_openai.chat_requests() and "1 March 2026" in wire
    assert marking not in wire


# --- the evasion corpus on the wire (issue 20) -----------------------------------------------------

EVASION = load_corpus(Path(__file__).parent / "data" / "guard" / "evasion.yaml")[0]


@pytest.mark.parametrize("case", [c for c in EVASION if c.expect == "MARKING"], ids=lambda c: c.text[:30])
def test_an_evasive_marking_in_a_source_sends_nothing(
    case: EvasionCase, external: DrafterService, fake_openai: FakeOpenAI
) -> None:
    source = SourceDoc(name="memo.txt", text=f"{case.text}\n\nThe barrier budget will be cut by £10 million.")
    with pytest.raises(RefusedError, match="Nothing was sent"):
        external.create_draft(briefing_request(sources=[source]), "alice")
    assert fake_openai.requests == []


@pytest.mark.parametrize("case", [c for c in EVASION if c.expect != "MARKING"], ids=lambda c: c.text[:30])
def test_an_evasive_identifier_in_a_source_never_reaches_the_server(
    case: EvasionCase, external: DrafterService, fake_openai: FakeOpenAI
) -> None:
    source = SourceDoc(name="case.txt", text=f"Case notes. {case.text} Reply within 10 days.")
    draft = external.create_draft(briefing_request(sources=[source]), "alice")
    wire = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in fake_openai.chat_requests())
    assert fake_openai.chat_requests() and "Case notes." in wire
    assert case.value is not None and case.value not in wire
    assert normalise(case.value).text not in normalise(wire).text, "nor a normalised copy of it"
    assert PLACEHOLDER.search(wire)
    assert draft.sections
