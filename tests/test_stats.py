"""Usage statistics from a store seeded by real flows through the service, and the Statistics and
Simplify pages driven through AppTest."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.errors import BackendError
from drafter.models import DraftStatus, FindingSeverity, FindingStatus, Origin
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.stats import iso_week, percentile, to_csv
from drafter.ui import simplify_page
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, json_reply, text
from tests.ui_support import ScriptedBackend, app_for, texts

STATS = "drafter/ui/pages/stats.py"
SIMPLIFY = "drafter/ui/pages/simplify.py"
PRICES = {"fake-model": (0.5, 1.5)}
REGULATION = (
    "Section 1. Applications\n"
    "An applicant shall submit the application form prior to 1 March 2026. The Council shall commence "
    "the assessment within 30 days.\n\n"
    "Section 2. Payments\n"
    "Payments of £250 shall be made monthly to each eligible household.\n"
)


def quoting_the_report(req: Request) -> Reply:
    task = req.messages[-1]["content"] if req.messages else ""
    if "Reply with one JSON object" in task:
        return json_reply({"text": "The barrier protects 4,200 homes [1].", "evidence": []})
    return text("The barrier protects 4,200 homes [1].")


def waive_blocking(svc: DrafterService, draft_id: str, user: str) -> int:
    blocking = [f for f in svc.findings(draft_id)
                if f.severity == FindingSeverity.blocking and f.status == FindingStatus.open]
    for f in blocking:
        svc.waive(draft_id, f.id, "Checked by hand against the minister's letter.", user)
    return len(blocking)


@pytest.fixture
def seeded(
    fake_openai: FakeOpenAI, tmp_path: Path, database_url: str | None
) -> Iterator[tuple[DrafterService, dict[str, str], int]]:
    """Four drafts through real flows: offline (edited, waived, approved, exported), openai over HTTP
    (approved, exported), a backend that fails once then is retried, a simplification sent back."""
    fake_openai.fallback = quoting_the_report
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, backend="offline",
        openai_base_url=fake_openai.base_url, openai_api_key="sk-test", model="fake-model", max_retries=0,
        timeout_s=5, prices=PRICES,
    )
    svc = DrafterService.from_settings(settings)
    svc.backends["scripted"] = ScriptedBackend(fail_on_call=1)
    ids: dict[str, str] = {}

    a = svc.create_draft(briefing_request(backend="offline"), "alice")
    ids["offline"] = a.id
    svc.edit_section(a.id, "summary", "The barrier cost £99 million and opens on 12 March 2026.", "alice")
    waived = waive_blocking(svc, a.id, "bob")
    svc.submit(a.id, "alice")
    svc.approve(a.id, "bob", FULL_CHECKLIST)
    svc.export(a.id, tmp_path / "a.docx", "alice")

    b = svc.create_draft(briefing_request(backend="openai"), "dora")
    ids["openai"] = b.id
    waived += waive_blocking(svc, b.id, "carol")
    svc.submit(b.id, "dora")
    svc.approve(b.id, "carol", FULL_CHECKLIST)
    svc.export(b.id, tmp_path / "b.docx", "dora")
    svc.export(b.id, tmp_path / "b-again.docx", "dora")  # a second export of the same document

    with pytest.raises(BackendError):
        svc.create_draft(briefing_request(backend="scripted"), "alice")
    failed = svc.list_drafts(status=DraftStatus.failed.value)
    assert len(failed) == 1
    ids["failed"] = failed[0].id
    svc.generate(failed[0].id, "alice")  # the retry succeeds

    d = svc.simplify(REGULATION, title="Housing help", audience="plain", user="alice", backend="offline")
    ids["simplified"] = d.id
    svc.submit(d.id, "alice")
    svc.request_changes(d.id, "bob", "Say who the Council is.")
    yield svc, ids, waived
    svc.store.engine.dispose()


def test_statistics_match_what_was_done(seeded: tuple[DrafterService, dict[str, str], int]) -> None:
    svc, ids, waived = seeded
    stats = svc.statistics()
    week = iso_week(datetime.now().astimezone())
    assert stats.weekly == [{"week": week, "started": 4, "submitted": 3, "approved": 2, "exported": 3}]
    assert stats.templates == [{"template": "briefing", "drafts": 3}, {"template": "simplified-en", "drafts": 1}]

    # time to approval: from each draft's creation to its approval event in the audit log
    expected_hours = {}
    for key in ("offline", "openai"):
        approved_at = next(e.at for e in svc.audit_trail(ids[key]) if e.action == "approved")
        expected_hours[ids[key]] = (approved_at - svc.get_draft(ids[key]).created_at).total_seconds() / 3600
    assert {r["draft_id"]: r["hours"] for r in stats.approval_hours} == pytest.approx(expected_hours, abs=1e-3)
    low, high = sorted(expected_hours.values())
    assert stats.approval_summary["approved"] == 2
    assert stats.approval_summary["median_hours"] == pytest.approx((low + high) / 2, abs=1e-3)
    assert stats.approval_summary["p90_hours"] == pytest.approx(low + 0.9 * (high - low), abs=1e-3)

    # exported text by origin: the edited summary of the offline draft is the only AI-edited text
    chars = Counter[Origin]()
    for key in ("offline", "openai"):
        for s in svc.get_draft(ids[key]).sections:
            chars[s.provenance.origin] += len(s.text)
    share = {r["origin"]: r for r in stats.origin_share}
    assert share["AI-generated, edited"]["characters"] == chars[Origin.ai_edited] == len(
        "The barrier cost £99 million and opens on 12 March 2026.")
    assert share["AI-generated, unedited"]["characters"] == chars[Origin.ai]
    assert share["Written by a person"]["characters"] == chars[Origin.human]
    assert sum(r["share"] for r in stats.origin_share) == pytest.approx(1.0, abs=1e-3)

    # findings and waivers, counted against what the service reports for every draft
    found = Counter[tuple[str, str]]()
    waived_by_rule = Counter[str]()
    for draft_id in ids.values():
        for f in svc.findings(draft_id, include_resolved=True):
            found[(f.rule_id, f.status.value)] += 1
            if f.status == FindingStatus.waived:
                waived_by_rule[f.rule_id] += 1
    assert {(r["rule_id"], s): r[s] for r in stats.findings for s in ("open", "waived", "resolved") if r[s]} == (
        dict(found))
    assert waived >= 1 and {r["rule_id"]: r["waived"] for r in stats.waivers} == dict(waived_by_rule)
    assert sum(waived_by_rule.values()) == waived

    # the failure and the retry are charged to the backend that failed
    assert stats.failures == [{"backend": "scripted", "generation_failed": 1, "retried": 1, "call_errors": 1}]

    # tokens from the server's usage figures, priced for the model with a configured price
    calls = [c for c in svc.llm_calls() if c.backend == "openai"]
    tokens = {(r["backend"], r["model"]): r for r in stats.tokens}
    remote = tokens[("openai", "fake-model")]
    tokens_in = sum(c.input_tokens or 0 for c in calls)
    tokens_out = sum(c.output_tokens or 0 for c in calls)
    assert remote["calls"] == len(calls) == 5 and tokens_in > 0 and tokens_out > 0
    assert (remote["input_tokens"], remote["output_tokens"]) == (tokens_in, tokens_out)
    assert remote["cost"] == pytest.approx(tokens_in / 1000 * 0.5 + tokens_out / 1000 * 1.5)
    assert tokens[("offline", OfflineBackend.model)]["cost"] is None  # no price configured for it
    assert tokens[("scripted", "scripted-model-1")]["calls"] == 1 + 5  # the failed call, then the retry


def test_percentile_and_iso_week() -> None:
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 0.0, 20.0], 0.9) == pytest.approx(18.0)
    assert iso_week("2026-01-01T10:00:00+00:00") == "2026-W01"
    assert iso_week("2027-01-01T10:00:00+00:00") == "2026-W53"


def test_statistics_csv_round_trips() -> None:
    rows = [{"rule_id": "facts.unsupported", "found": 3}, {"rule_id": "style, with a comma", "found": 1}]
    read = list(csv.DictReader(io.StringIO(to_csv(rows).removeprefix("\ufeff"))))
    assert read == [{k: str(v) for k, v in r.items()} for r in rows]
    assert to_csv([]) == ""


def test_prices_setting_reads_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_PRICES", json.dumps({"gpt-4o-mini": [0.00015, 0.0006]}))
    assert Settings().prices == {"gpt-4o-mini": (0.00015, 0.0006)}


# --- the Statistics page ---------------------------------------------------------------------------


def test_statistics_page_renders_charts_for_an_admin_only(
    seeded: tuple[DrafterService, dict[str, str], int],
) -> None:
    svc, _, _ = seeded
    at = app_for(svc, "carol")  # admin in the development roles
    at.switch_page(STATS).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("vega_lite_chart")
    assert [c.proto.alt.split(". ")[0] for c in charts] == [
        "Drafts per week", "Time from draft to approval", "Templates used",
        "How much AI text survives review unedited", "Most frequent findings", "Findings waived",
        "Generation failures and retries by backend", "Tokens by backend and model",
    ]
    assert all(len(c.proto.alt) > 60 for c in charts)  # each has a text alternative: title and caption
    assert json.loads(charts[0].proto.spec)["mark"]["type"] == "bar"
    page = texts(at)
    assert "Half of the 2 approved drafts were approved within" in page
    assert "At the configured prices they cost" in page
    assert len(at.get("download_button")) == 8  # the numbers of every chart as CSV
    for user in ("alice", "bob"):  # a drafter, a reviewer: no statistics page
        other = app_for(svc, user)
        with pytest.raises(ValueError, match="registered"):
            other.switch_page(STATS)


def test_statistics_page_with_an_empty_store(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "d"))
    at = app_for(svc, "carol")
    at.switch_page(STATS).run()
    assert not at.exception
    assert "Nothing to show yet" in texts(at)
    svc.store.engine.dispose()


# --- the Simplify page -----------------------------------------------------------------------------


@pytest.fixture
def ui_service(tmp_path: Path) -> Iterator[DrafterService]:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    yield svc
    svc.store.engine.dispose()


def test_simplify_page_paste_simplify_compare_edit_submit(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    at.switch_page(SIMPLIFY).run()
    assert not at.exception
    [b for b in at.button if b.label == "Simplify"][0].click().run()
    assert "Paste the text to simplify" in texts(at)  # nothing to simplify: one sentence, nothing saved
    assert ui_service.list_drafts() == []

    at.text_area(key=simplify_page.TEXT_KEY).set_value(REGULATION)
    at.text_input(key=simplify_page.TITLE_KEY).set_value("Housing help, in plain words")
    at.selectbox(key=simplify_page.AUDIENCE_KEY).set_value("plain")
    at.run()
    [b for b in at.button if b.label == "Simplify"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    [draft] = ui_service.list_drafts(author="alice")
    assert draft.status == DraftStatus.draft and draft.title == "Housing help, in plain words"
    page = texts(at)
    # the message says what the rules did, from the sections' metrics, never a bare "Simplified."
    assert f"{ui_service.simplification_outcome(draft)} Compare each section" in page
    assert "Simplified. Compare" not in page
    # side by side: the original and the simplified text of each section (changed words are marked up)
    seen = re.sub(r"<[^>]+>", "", page)
    for section in draft.sections:
        assert section.original and section.original.split(".")[0] in seen
        assert section.text.split(".")[0] in seen
    assert "An applicant must submit the application form before 1 March 2026" in seen
    assert '">must</ins>' in page and '">shall</del>' in page
    assert "| Reading grade (Flesch-Kincaid) |" in page and "grade 5 a ten-year-old" in page

    # an edit that drops a date is saved, and the check flags it as blocking next to the section
    key = f"keep.simplify.edit.{draft.id}.{draft.sections[0].id}"
    at.text_area(key=key).set_value("You must send the form. The Council starts within 30 days.")
    [b for b in at.button if b.label == "Save edit"][0].click().run()
    assert not at.exception
    page = texts(at)
    assert "Saved your edit" in page and "Blocking:" in page and "1 March 2026" in page
    edited = ui_service.get_draft(draft.id).sections[0]
    assert edited.provenance.origin == Origin.ai_edited

    [b for b in at.button if b.label == "Submit for review"][0].click().run()
    assert not at.exception
    assert "Submitted for review" in texts(at)
    assert ui_service.get_draft(draft.id).status == DraftStatus.in_review
    # the same draft is in the ordinary review queue of another reviewer
    assert [d.id for d in ui_service.review_queue("bob")] == [draft.id]


def test_simplify_page_keeps_typed_text_across_page_switches(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    at.switch_page(SIMPLIFY).run()
    at.text_area(key=simplify_page.TEXT_KEY).set_value(REGULATION)
    at.text_input(key=simplify_page.TITLE_KEY).set_value("Kept title")
    at.run()
    at.switch_page("drafter/ui/pages/history.py").run()
    at.switch_page(SIMPLIFY).run()
    assert at.text_area(key=simplify_page.TEXT_KEY).value == REGULATION
    assert at.text_input(key=simplify_page.TITLE_KEY).value == "Kept title"


def test_simplify_readability_rows_for_chinese_show_percentages() -> None:
    metrics = {"readability_before": {"avg_sentence_chars": 31.5, "max_sentence_chars": 48,
                                      "uncommon_char_share": 0.0625},
               "readability_after": {"avg_sentence_chars": 14.0, "max_sentence_chars": 20,
                                     "uncommon_char_share": 0.02}}
    assert simplify_page.readability_rows(metrics, "zh") == [
        ("Average sentence length (characters)", "31.5", "14.0"),
        ("Longest sentence (characters)", "48", "20"),
        ("Share of uncommon characters (%)", "6.2", "2.0"),
    ]
