"""The guard in the pipeline: a blocked request never reaches the backend, a pseudonymised one never
carries the original values, the output has them back, and risk tiers and decisions are refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.cli import main
from drafter.errors import RefusedError
from drafter.models import DraftRequest, SourceDoc
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import ROOT, briefing_request
from tests.fakes import PLACEHOLDER, ScriptedBackend, echo_placeholders

EMAIL, PHONE, CN_ID = "priya.shah@flood.gov.uk", "13812345678", "110101199003074514"


def RecordingBackend() -> ScriptedBackend:  # noqa: N802 - reads as the class it stood for
    """A scripted external backend: records every request it receives and echoes its placeholders back,
    in 3-character pieces so placeholders are split across tokens."""
    return ScriptedBackend(name="ext", model="scripted-external-1", external=True, script=echo_placeholders,
                           piece_chars=3)


@pytest.fixture
def ext_service(settings: Settings) -> Iterator[tuple[DrafterService, ScriptedBackend]]:
    backend = RecordingBackend()
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "ext": backend})
    yield svc, backend
    svc.store.engine.dispose()


def personal_request() -> DraftRequest:
    req = briefing_request(backend="ext")
    inputs = {**req.inputs, "contact": f"Priya Shah, {EMAIL}, mobile {PHONE}"}
    source = SourceDoc(name="case.txt", text=f"The resident (ID {CN_ID}) wrote from {EMAIL} about the barrier.")
    return req.model_copy(update={"inputs": inputs, "sources": [*req.sources, source]})


def test_marked_source_is_refused_before_anything_is_sent(
    ext_service: tuple[DrafterService, ScriptedBackend],
) -> None:
    svc, backend = ext_service
    req = briefing_request(backend="ext")
    req = req.model_copy(update={"sources": [SourceDoc(name="annex.txt", text="Notes\nSECRET\nThe plan is…")]})
    with pytest.raises(RefusedError) as exc:
        svc.create_draft(req, "alice")
    message = str(exc.value)
    assert "SECRET" in message and "source 'annex.txt'" in message and "line 2" in message
    assert backend.received == []
    assert svc.list_drafts() == [] and svc.llm_calls() == []
    [event] = [e for e in svc.audit_trail() if e.action == "refused"]
    assert event.details["action"] == "create_draft" and "SECRET" in str(event.details["reason"])
    # the same request is fine for the offline backend, which is cleared for it by default
    assert svc.create_draft(req.model_copy(update={"backend": "offline"}), "alice").sections


def test_marked_refinement_is_refused_at_the_backend_call(
    ext_service: tuple[DrafterService, ScriptedBackend],
) -> None:
    svc, backend = ext_service
    draft = svc.create_draft(briefing_request(backend="ext"), "alice")
    sent_before = len(backend.received)
    with pytest.raises(RefusedError, match=r"the instruction is marked 机密"):
        svc.refine_section(draft.id, "summary", "【机密】加上预算数字", "alice")
    assert len(backend.received) == sent_before
    assert [e.details["action"] for e in svc.audit_trail(draft.id) if e.action == "refused"] == ["backend_call"]


def test_personal_data_is_pseudonymised_for_an_external_backend_and_restored(
    ext_service: tuple[DrafterService, ScriptedBackend],
) -> None:
    svc, backend = ext_service
    draft = svc.create_draft(personal_request(), "alice")
    sent = backend.everything_sent()
    assert len(backend.received) == 5
    for original in (EMAIL, PHONE, CN_ID, "Priya Shah"):
        assert original not in sent
    assert "[EMAIL_1]" in sent and "[PHONE_1]" in sent and "[ID_NUMBER_1]" in sent
    # the call log holds what was sent, never the originals
    for call in svc.llm_calls(draft.id):
        logged = call.system + call.prompt + call.response
        assert EMAIL not in logged and PHONE not in logged and CN_ID not in logged
    # the draft the user sees has the originals back
    contact = next(s for s in draft.sections if s.id == "contact").text
    assert EMAIL in contact and PHONE in contact and CN_ID in contact
    assert not PLACEHOLDER.search(" ".join(s.text for s in draft.sections))
    mapping, types = svc.store.guard_mapping(draft.id)
    assert mapping["[EMAIL_1]"] == EMAIL and types["[ID_NUMBER_1]"] == "CN_RESIDENT_ID"
    # a refinement reuses the same placeholders
    svc.refine_section(draft.id, "summary", "Mention the contact", "alice")
    assert EMAIL not in backend.everything_sent()
    assert svc.store.guard_mapping(draft.id)[0] == mapping
    audit = [e for e in svc.audit_trail(draft.id) if e.action == "pseudonymised"]
    assert audit and EMAIL not in str(audit[0].details)


def test_scan_report_states_the_action_per_backend(ext_service: tuple[DrafterService, ScriptedBackend]) -> None:
    svc, _ = ext_service
    text = f"OFFICIAL-SENSITIVE\nWrite to {EMAIL}."
    ext = svc.scan(text, "ext")
    assert [(f.type, f.action) for f in ext.findings] == [("MARKING", "block"), ("EMAIL", "redact")]
    assert ext.would_block and not ext.ner_available and ext.notes
    assert text[ext.findings[1].start : ext.findings[1].end] == EMAIL
    local = svc.scan(text, "offline")
    assert [f.action for f in local.findings] == ["allow", "allow"] and not local.would_block


def test_decision_about_a_person_is_refused(ext_service: tuple[DrafterService, ScriptedBackend]) -> None:
    svc, backend = ext_service
    req = briefing_request(backend="offline")
    req = req.model_copy(update={"inputs": {**req.inputs,
                                            "purpose": "Decide whether the applicant is eligible for housing benefit."}})
    with pytest.raises(RefusedError, match="automated decisions about people"):
        svc.create_draft(req, "alice")
    assert svc.list_drafts() == []


@pytest.mark.parametrize(("tier", "backend", "refused"), [
    ("prohibited", "offline", True), ("high", "ext", True), ("high", "offline", False), ("medium", "ext", False),
])
def test_risk_tiers(tmp_path: Path, tier: str, backend: str, refused: bool) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    text = (ROOT / "drafter" / "templates" / "en" / "briefing.yaml").read_text().replace("risk_tier: low", f"risk_tier: {tier}")
    (templates / "briefing.yaml").write_text(text)
    settings = Settings(data_dir=tmp_path / "data", templates_dir=templates)
    ext = RecordingBackend()
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "ext": ext})
    try:
        if refused:
            with pytest.raises(RefusedError, match=tier):
                svc.create_draft(briefing_request(backend=backend), "alice")
            assert ext.received == [] and svc.list_drafts() == []
        else:
            assert svc.create_draft(briefing_request(backend=backend), "alice").sections
    finally:
        svc.store.engine.dispose()


def test_clearance_comes_from_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", offline_clearance="restricted",
                        backend_clearances={"ext": "secret"}, personal_data_backends=["ext"])
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "ext": RecordingBackend()})
    try:
        assert svc.guard_policy("offline").clearance == "restricted"
        ext = svc.guard_policy("ext")
        assert (ext.clearance, ext.personal_data) == ("secret", "allow")
        assert svc.scan("SECRET", "offline").would_block and not svc.scan("SECRET", "ext").would_block
    finally:
        svc.store.engine.dispose()


def test_scan_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    doc = tmp_path / "notes.txt"
    doc.write_text(f"机密★5年\n请联系 {EMAIL}，电话 {PHONE}。\n", encoding="utf-8")
    assert main(["scan", str(doc), "--json"]) == 0  # offline is cleared for everything by default
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    text = doc.read_text(encoding="utf-8")
    assert [(r["type"], r["action"]) for r in rows] == [("MARKING", "allow"), ("EMAIL", "allow"), ("PHONE", "allow")]
    assert all({"type", "start", "end", "score", "action"} <= set(r) for r in rows)
    assert text[rows[1]["start"] : rows[1]["end"]] == EMAIL
    monkeypatch.setenv("DRAFTER_OFFLINE_CLEARANCE", "public")
    assert main(["scan", str(doc), "--json"]) == 3
    assert json.loads(capsys.readouterr().out.splitlines()[0])["action"] == "block"
    binary = tmp_path / "scan.pdf"
    shutil.copyfile(Path(__file__), binary)
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02")
    assert main(["scan", str(doc), str(binary)]) == 3
    out, err = capsys.readouterr()
    assert "binary file" in err and out == ""


@pytest.mark.parametrize("marking", ["SECRET", "\uff33\uff25\uff23\uff32\uff25\uff34", "S\u200bE\u200bC\u200bR\u200bE\u200bT",
                                     "S E C R E T"])
def test_a_marked_source_read_ahead_when_added_is_still_refused_for_a_backend_not_cleared(
    ext_service: tuple[DrafterService, ScriptedBackend], marking: str,
) -> None:
    # reading ahead remembers the guard's hits and markings by the source's text: the policy is still applied per
    # request, and nothing is sent; after a clean draft from the same lines, the marked line is still found
    svc, backend = ext_service
    clean = "The depot handled 4,120 collections in March.\nCrews worked 36 extra shifts."
    svc.create_draft(briefing_request(backend="ext").model_copy(
        update={"sources": [svc.add_source("clean.txt", clean.encode())]}), "alice")
    sent = len(backend.received)
    doc = svc.add_source("annex.txt", f"{clean}\n{marking}\nThe plan is…".encode())
    # the same source drafted offline first (cleared for it): its markings are remembered by then
    assert svc.create_draft(briefing_request().model_copy(update={"sources": [doc]}), "alice").sections
    with pytest.raises(RefusedError) as exc:
        svc.create_draft(briefing_request(backend="ext").model_copy(update={"sources": [doc]}), "alice")
    assert "SECRET" in str(exc.value) and "source 'annex.txt'" in str(exc.value)
    assert len(backend.received) == sent
    # in a prompt (checked line by line, free lines remembered): the clean lines again, and the marked one
    draft = svc.create_draft(briefing_request(backend="ext"), "alice")
    sent = len(backend.received)
    with pytest.raises(RefusedError, match="SECRET"):
        svc.refine_section(draft.id, "summary", f"{clean}\n{marking}", "alice")
    assert len(backend.received) == sent
