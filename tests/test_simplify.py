"""Simplification: segmentation, offline rules, fact preservation, LLM retry, review and export, batch resume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions
from drafter.backends.offline import OfflineBackend
from drafter.cli import main
from drafter.models import DraftStatus, FindingSeverity, FindingStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.simplification import compare, missing_facts, outcome_summary
from drafter.simplify_rules import enumerations_to_list, segment, simplify_offline, split_long_sentences
from tests.conftest import EXAMPLES, FULL_CHECKLIST
from tests.fake_openai import FakeOpenAI, Reply, Request, text

CFR = (EXAMPLES / "simplify" / "housing-benefit-regulation.txt").read_text(encoding="utf-8")
ZH = (EXAMPLES / "zh" / "regulation.txt").read_text(encoding="utf-8")


def test_segments_cfr_style_sections_keeping_numbers() -> None:
    segments = segment(CFR)
    assert [s.number for s in segments] == ["", "§ 404.601", "§ 404.610", "§ 404.620", "§ 404.630"]
    assert segments[2].heading == "§ 404.610 Eligibility."
    assert segments[2].text.startswith("A household shall be eligible")


def test_segments_section_and_article_headings_and_paragraphs() -> None:
    text = "Section 1. Scope\nThis applies to all.\n\nSection 2. Duties\nYou must register.\n"
    assert [s.heading for s in segment(text)] == ["Section 1. Scope", "Section 2. Duties"]
    assert [s.number for s in segment("First paragraph here.\n\nSecond paragraph here.")] == ["1", "2"]


def test_segments_chinese_articles() -> None:
    segments = segment(ZH)
    assert [s.number for s in segments] == ["", "第一条", "第二条", "第三条", "第四条", "第五条"]
    assert segments[3].text.startswith("申请人应当自租赁合同签订之日起三十日内")


def test_offline_rules_plain_words_lists_and_clauses() -> None:
    words = {"shall": "must", "commence": "start", "prior to": "before"}
    assert simplify_offline("Payments shall commence prior to May.", words, 25, "en") == "Payments must start before May."
    listed = enumerations_to_list("You qualify if (a) you are 18; (b) you live here; or (c) you work here.", "en")
    assert listed.splitlines() == ["You qualify if", "- (a) you are 18;", "- (b) you live here; or",
                                   "- (c) you work here."]
    long = ("The Council will check the form within 14 days of receiving it from the applicant, but the period "
            "may be extended by 7 days when the Council needs more information from other public bodies.")
    assert split_long_sentences(long, 25, "en").count(". ") == 1
    assert split_long_sentences("第一句很长很长；第二句也很长很长。", 5, "zh") == "第一句很长很长。第二句也很长很长。"


def test_evaluate_flags_a_dropped_fact_and_obligation() -> None:
    from drafter.catalog import Catalog

    s = Settings()
    guide = Catalog.load(s.templates_dir, s.style_guides_dir).style_guide("plain-english")
    original = "You must apply within 30 days. The Council shall reply within 14 days."
    good = compare(original, "Apply within thirty days. You must do this. The Council must reply in 14 days.", guide)
    assert good.missing_facts == [] and not good.blocking
    bad = compare(original, "Apply soon. The Council will reply in 14 days.", guide)
    assert bad.missing_facts == ["30 days"] and bad.blocking
    assert bad.obligations_after < bad.obligations_before
    assert missing_facts("第三条规定三十日内申请。", "第三条规定30日内申请。") == []


# no numbered structure: its parts have no heading, and none is invented for them (export and verify still work)
UNSTRUCTURED = ("You can get help with your rent if all of these are true:\n\n(a) you are 18 or over;\n\n"
                "(b) you have lived in the borough for 3 years.\n\nYou must send the application prior to 1 May 2026.")


@pytest.mark.parametrize("source", [CFR, ZH, UNSTRUCTURED], ids=["en", "zh", "no-headings"])
def test_whole_regulation_offline_keeps_every_fact_then_reviews_and_exports(
    service: DrafterService, tmp_path: Path, source: str
) -> None:
    seen: list[int] = []
    draft = service.simplify(source, title="Housing support", audience="plain", user="comms", concurrency=3,
                             on_section=lambda i, n, s: seen.append(i))
    assert draft.status == DraftStatus.draft and seen == list(range(1, len(draft.sections) + 1))
    assert [s.id for s in draft.sections] == [f"s{i}" for i in range(1, len(draft.sections) + 1)]
    for section in draft.sections:
        assert section.original is not None
        assert missing_facts(section.original, section.text) == [], section.id
        assert section.metrics["readability_before"] and section.metrics["readability_after"]
    blocking = [f for f in service.findings(draft.id) if f.severity == FindingSeverity.blocking]
    assert blocking == []
    service.submit(draft.id, "comms")
    service.approve(draft.id, "reviewer", FULL_CHECKLIST)
    out = tmp_path / "simplified.docx"
    service.export(draft.id, out, "comms")
    assert service.verify_file(out).ok


def _simplify_reply(req: Request) -> Reply:
    """A model that drops the time limit from whatever it is given, every time."""
    task = req.messages[-1]["content"]
    if "14 days" in task:
        return text("The Council checks your form and tells you if anything is missing.")
    return text("You can get help with your rent. You must send your form.")


def test_llm_section_losing_a_fact_is_retried_with_feedback_then_flagged(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.fallback = _simplify_reply
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5, simplify_retries=1)
    service = DrafterService.from_settings(settings)
    original = "§ 1 Checks.\nThe Council shall check the form and shall notify the applicant within 14 days."
    draft = service.simplify(original, title="Checks", audience="plain", user="comms")
    requests = [r for r in fake_openai.chat_requests() if "14 days" in r.messages[-1]["content"]]
    assert len(requests) == 2  # the first attempt, and one retry carrying the problems
    assert "fact missing from the simplified text: 14 days" in requests[1].messages[-1]["content"]
    open_blocking = [f for f in service.findings(draft.id)
                     if f.severity == FindingSeverity.blocking and f.status == FindingStatus.open]
    assert {f.rule_id for f in open_blocking} >= {"simplify.fact_missing"}
    assert draft.sections[0].metrics["attempts"] == 2
    service.store.engine.dispose()


class _KilledAfter(OfflineBackend):
    """The offline backend, interrupted (as by Ctrl-C or a kill) when it reaches its n-th section."""

    def __init__(self, n: int) -> None:
        self.left = n

    def stream(self, prompt: ChatRequest, options: GenerationOptions, report: CallReport | None = None) -> Iterator[str]:
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        yield from super().stream(prompt, options, report)


def test_batch_resumes_after_a_killed_run_without_redoing_sections(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    files = [EXAMPLES / "simplify" / "housing-benefit-regulation.txt", EXAMPLES / "zh" / "regulation.txt"]
    out = tmp_path / "out"
    killed = DrafterService.from_settings(settings, backends={"offline": _KilledAfter(3)})
    with pytest.raises(KeyboardInterrupt):
        killed.simplify_files(files, audience="plain", output_dir=out, user="comms", concurrency=1,
                  progress=lambda _: None)
    partial = killed.list_drafts()
    assert len(partial) == 1 and partial[0].status == DraftStatus.generating and len(partial[0].sections) == 3
    calls_before = len(killed.llm_calls())

    service = DrafterService.from_settings(settings)
    messages: list[str] = []
    results = service.simplify_files(files, audience="plain", output_dir=out, user="comms", concurrency=2,
                        progress=messages.append)
    assert any("resuming after 3 finished sections" in m for m in messages)
    assert [r.sections for r in results] == [5, 6] and all(r.error is None for r in results)
    # only the 2 unfinished sections of the first file and the 6 of the second were sent to the backend
    assert len(service.llm_calls()) - calls_before == 2 + 6
    summary = json.loads((out / "summary.json").read_text())
    assert [s["status"] for s in summary] == ["draft", "draft"]
    assert "DRAFT — awaiting human review" in (out / "housing-benefit-regulation.plain.md").read_text()
    # a third run finds everything done and sends nothing
    service.simplify_files(files, audience="plain", output_dir=out, user="comms", progress=lambda _: None)
    assert len(service.llm_calls()) - calls_before == 8
    for svc in (killed, service):
        svc.store.engine.dispose()


def test_simplify_cli_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["simplify", str(EXAMPLES / "zh" / "regulation.txt"), "--audience", "child", "--output-dir",
                 str(tmp_path / "o"), "--json", "--user", "comms"])
    assert code == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["sections"] == 6 and result["measure"] == "average sentence length (characters)"
    assert result["grade_after"] <= result["grade_before"]
    bad = tmp_path / "empty.txt"
    bad.write_text("   ")
    assert main(["simplify", str(bad), "--audience", "plain", "--output-dir", str(tmp_path / "o2"),
                 "--user", "comms"]) == 3
    assert "empty" in capsys.readouterr().out


def test_export_with_the_original_beside_each_section_still_verifies(sqlite_service: DrafterService,
                                                                     tmp_path: Path) -> None:
    from docx import Document

    from drafter.export.docx_writer import ORIGINAL_STYLE

    draft = sqlite_service.simplify(CFR, title="Housing support", audience="plain", user="comms")
    sqlite_service.submit(draft.id, "comms")
    sqlite_service.approve(draft.id, "reviewer", FULL_CHECKLIST)
    out = tmp_path / "with-original.docx"
    sqlite_service.export(draft.id, out, "comms", include_original=True)
    doc = Document(str(out))
    originals = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == ORIGINAL_STYLE]
    assert originals.count("Original text:") == len(draft.sections)
    assert any(p.startswith("A household shall be eligible") for p in originals)  # the legal wording, as it was
    assert sqlite_service.verify_file(out).ok
    target = next(p for p in doc.paragraphs if p.text.startswith("A household shall be eligible"))
    target.runs[0].text = target.runs[0].text.replace("shall", "may")
    tampered = tmp_path / "tampered.docx"
    doc.save(str(tampered))
    report = sqlite_service.verify_file(tampered)
    assert not report.ok and not report.body_unchanged


def test_an_unchanged_section_says_so_and_stays_the_authors() -> None:
    from drafter.catalog import Catalog
    from drafter.settings import Settings
    from drafter.simplification import compare

    s = Settings()
    guide = Catalog.load(s.templates_dir, s.style_guides_dir).style_guide("plain-english")
    same = compare("You must pay the fee by 1 May.", "You must pay the fee by 1 May.", guide)
    assert not same.changed and same.outcome.startswith("Not simplified")
    assert same.as_dict()["changed"] is False
    changed = compare("You must utilise the form.", "You must use the form.", guide)
    assert changed.changed and changed.outcome != same.outcome


def test_offline_simplification_reports_unchanged_sections_honestly(sqlite_service: DrafterService) -> None:
    from drafter.models import Origin

    text = "1. Fees\nYou must pay the fee by 1 May.\n\n2. Forms\nYou must utilise the form prior to payment."
    draft = sqlite_service.simplify(text, title="t", audience="plain", user="alice", backend="offline")
    unchanged = [s for s in draft.sections if s.metrics["changed"] is False]
    assert unchanged and all(s.provenance.origin == Origin.human for s in unchanged)  # not "AI-generated"
    assert "unchanged" in outcome_summary(draft) and outcome_summary(draft) != "Simplified."


def test_the_outcome_counts_one_section_in_the_singular(service: DrafterService) -> None:
    draft = service.simplify("§ 1 Rule.\nThe applicant shall pay the fee prior to 1 May 2026.", title="One",
                             audience="plain", user="comms")
    assert len(draft.sections) == 1
    summary = outcome_summary(draft)
    assert summary.startswith("Simplified 1 of 1 section") and "1 sections" not in summary, summary
