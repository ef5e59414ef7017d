"""Checks time per 1,000 words: facts, style lint and readability on a realistic draft (English and Chinese).

The checks run after generation and after every edit, so they must stay fast (aim: well under 50 ms per
1,000 words). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.goals import figure  # noqa: E402
from drafter.catalog import Catalog  # noqa: E402
from drafter.checks.runner import check_draft  # noqa: E402
from drafter.models import (  # noqa: E402
    Draft,
    DraftRequest,
    DraftStatus,
    Origin,
    Provenance,
    Section,
    SourceDoc,
    StyleGuide,
    Template,
)
from drafter.settings import Settings  # noqa: E402

CHECKS_GOAL_MS_PER_1000 = 50.0  # the checks' aim: 50 ms per 1,000 words
EN_PARAGRAPH = (
    "The Minister for the Environment opens the Riverside Flood Barrier on 12 March 2026. The barrier was "
    "completed in February 2026 after 26 months of construction, at a final cost of £46.6 million against a "
    "budget of £48 million. It protects 4,200 homes and 310 businesses in the Riverside and Eastfield wards. "
    "Public consultation ran in spring 2023 and autumn 2024, with 1,150 responses. The Environment Agency will "
    "operate the barrier from 1 April 2026, and the gates are tested monthly. We recommend that the Minister "
    "notes these facts and agrees the press lines in Annex A by 9 March 2026; contact Priya Shah on 020 7946 0000."
)
ZH_PARAGRAPH = (
    "滨江防洪闸于2026年2月建成，工期二十六个月，决算4660万元，比预算4800万元节约百分之三。"
    "防洪闸保护4200户居民和310家企业。根据《防洪条例》第十二条和市政办发〔2025〕18号文件，"
    "工程自2026年4月1日起移交市水务局运行管理，市财政局每年安排维护经费31万元，张伟局长主持了听证会。"
)


def _draft(template: Template, guide: StyleGuide, paragraph: str, sources: str, words: int) -> Draft:
    per = max(1, len(paragraph.split()) if template.language == "en" else len(paragraph) // 2)
    text = "\n\n".join([paragraph] * max(1, round(words / per)))
    now = datetime.now(UTC)
    sections = [Section(id=spec.id, heading=spec.heading, text=text if i == 0 else paragraph,
                        provenance=Provenance(origin=Origin.ai, author="bench", generated_at=now))
                for i, spec in enumerate(template.sections)]
    return Draft(id="bench", template_id=template.id, style_guide_id=guide.id, language=template.language,
                 title=template.title, status=DraftStatus.draft, author="bench", backend="offline", version=1,
                 sections=sections, request=DraftRequest(template_id=template.id, inputs={},
                                                         sources=[SourceDoc(name="s.txt", text=sources)]),
                 created_at=now, updated_at=now)


def _words(draft: Draft) -> int:
    if draft.language == "zh":  # a Chinese "word" here is two characters, the usual rough equivalence
        return sum(len(s.text) for s in draft.sections) // 2
    return sum(len(s.text.split()) for s in draft.sections)


def _time(draft: Draft, template: Template, guide: StyleGuide, runs: int) -> tuple[float, int]:
    check_draft(draft, template, guide, now=datetime.now(UTC))  # load word lists and compile patterns once
    times = []
    for run in range(runs):
        # a different text each run, as after an edit: textstat's per-text caches must not flatter the figure
        edited = draft.model_copy(update={"sections": [
            s.model_copy(update={"text": f"{s.text} Edit {run}."}) for s in draft.sections]})
        started = time.perf_counter()
        check_draft(edited, template, guide, now=datetime.now(UTC))
        times.append(time.perf_counter() - started)
    return statistics.median(times), _words(draft)


def main() -> None:
    settings = Settings()
    catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
    template = catalog.template("briefing")
    guide = catalog.style_guide(template.default_style_guide)
    source = (ROOT / "examples" / "barrier-report.txt").read_text(encoding="utf-8")
    zh_template = template.model_copy(update={"language": "zh", "kind": "简报"})
    zh_guide = StyleGuide(id="zh-bench", title="bench", language="zh", audience="公众")
    print("checks (facts + style lint + readability), median of 20 runs:")
    for label, tpl, gd, paragraph, src in (
        ("English briefing", template, guide, EN_PARAGRAPH, source + "\n" + EN_PARAGRAPH),
        ("Chinese briefing", zh_template, zh_guide, ZH_PARAGRAPH, ZH_PARAGRAPH),
    ):
        for size in (1000, 5000):
            seconds, words = _time(_draft(tpl, gd, paragraph, src, size), tpl, gd, runs=20)
            print(f"  {label:17} {words:6} words: {seconds * 1000:7.1f} ms  "
                  f"= {seconds * 1000 / words * 1000:5.1f} ms per 1,000 words")
            per_1000 = seconds * 1000 / words * 1000
            figure(f"checks, {label}, {words} words", f"{per_1000:.1f} ms per 1,000 words",
                   f"<= {CHECKS_GOAL_MS_PER_1000:.0f} ms per 1,000 words", per_1000 <= CHECKS_GOAL_MS_PER_1000)


if __name__ == "__main__":
    main()
