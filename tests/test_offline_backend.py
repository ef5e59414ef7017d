"""The offline backend assembles from inputs and sources and invents nothing."""

from __future__ import annotations

import re
from pathlib import Path

from drafter.backends.base import GenerationOptions
from drafter.backends.offline import OfflineBackend, extract_relevant, split_sentences
from drafter.catalog import Catalog
from drafter.models import SourceDoc
from drafter.prompts import build_refine_prompt, build_section_prompt
from drafter.settings import Settings
from tests.conftest import briefing_request


def test_split_sentences_handles_english_and_chinese() -> None:
    assert split_sentences("One. Two!\nThree?") == ["One.", "Two!", "Three?"]
    assert split_sentences("第一句。第二句！") == ["第一句。", "第二句！"]


def test_extract_relevant_prefers_matching_sentences_in_source_order() -> None:
    sources = [
        "The weather was fine on Tuesday. The flood barrier cost 48 million pounds to build.",
        "Lunch was served at noon today. The barrier protects 4,200 homes from floods.",
    ]
    picked = extract_relevant("flood barrier homes cost", sources, 2)
    assert picked == [
        (0, "The flood barrier cost 48 million pounds to build."),
        (1, "The barrier protects 4,200 homes from floods."),
    ]


def test_every_sentence_of_a_briefing_comes_from_inputs_or_sources() -> None:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    template = catalog.template("briefing")
    guide = catalog.style_guide("house-style")
    request = briefing_request()
    backend = OfflineBackend()
    corpus = " ".join(request.inputs.values()) + " " + request.sources[0].text
    for spec in template.sections:
        prompt = build_section_prompt(template, guide, request.inputs, request.sources, spec)
        text = backend.generate(prompt.request(), GenerationOptions()).text
        assert text
        for line in text.splitlines():
            line = re.sub(r" \[\d+\]$", "", line)
            for number in re.findall(r"\d[\d,.]*\d|\d", line):
                assert number in corpus, f"{number!r} in {spec.id} is not in the inputs or sources"


def test_missing_material_is_marked_not_invented() -> None:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    template = catalog.template("briefing")
    spec = next(x for x in template.sections if x.id == "background")
    prompt = build_section_prompt(template, catalog.style_guide("house-style"), {"subject": "x"}, [], spec)
    assert OfflineBackend().generate(prompt.request(), GenerationOptions()).text.startswith("[To complete: Background.")


def test_offline_refine_applies_plain_words_and_shortens() -> None:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    template = catalog.template("public-notice")
    spec = template.sections[0]
    prompt = build_refine_prompt(
        template, catalog.style_guide("plain-english"), {}, [SourceDoc(name="a", text="b")], spec,
        "We will utilise the hall. It opens prior to noon. Bring a pen. Sign in.", "make it shorter",
    )
    text = OfflineBackend().generate(prompt.request(), GenerationOptions()).text
    assert text == "We will use the hall. It opens before noon."


def _refine(instruction: str, current: str, sources: list[SourceDoc] | None = None) -> str:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    template = catalog.template("briefing")
    prompt = build_refine_prompt(template, catalog.style_guide("house-style"), {}, sources or [],
                                 template.sections[1], current, instruction)
    return OfflineBackend().generate(prompt.request(), GenerationOptions()).text


def test_offline_refine_never_rewrites_a_quoted_sentence() -> None:
    source = SourceDoc(name="minutes.txt", text="Going forward, the board will meet monthly.")
    current = "Going forward, the board will meet monthly. [1] We will utilise the hall going forward."
    # the quote keeps its words and its [1]; the assembled sentence gets plain words
    assert _refine("use plain words", current, [source]) == (
        "Going forward, the board will meet monthly. [1] We will use the hall from now on.")


def test_offline_refine_does_only_what_it_can() -> None:
    import pytest

    from drafter.errors import RefusedError

    text = "One is first. Two is second. Three is third. Four is fourth."
    assert _refine("keep 2 sentences", text) == "One is first. Two is second."
    assert _refine("remove the last sentence", text) == "One is first. Two is second. Three is third."
    assert _refine("remove sentence 2", text) == "One is first. Three is third. Four is fourth."
    assert _refine("turn it into a bullet list", text).splitlines() == [
        "- One is first.", "- Two is second.", "- Three is third.", "- Four is fourth."]
    for instruction in ("keep only the decisions and actions", "Mention the contact", "make it friendlier"):
        with pytest.raises(RefusedError, match="cannot follow this instruction; nothing was changed"):
            _refine(instruction, text)


def test_offline_drafts_say_nothing_twice_on_real_documents(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Real GOV.UK texts (OGL): the Defra source states one sentence twice and restates a key point the author
    typed; the press-release source quotes the author's quotation with a clause added. Neither repeat reaches
    the draft, and every expected fact is still there."""
    import yaml

    from drafter.checks.eval_metrics import duplicates
    from drafter.models import DraftRequest
    from drafter.service import DrafterService

    corpus = Path(__file__).resolve().parent.parent / "examples" / "eval-corpus"
    service = DrafterService.from_settings(Settings(data_dir=tmp_path))
    for case, typed in (("briefing-flood-schemes-2012.yaml", "60 flood and coastal risk schemes"),
                        ("press-release-flood-protection.yaml", "We're now bringing forward more money")):
        spec = yaml.safe_load((corpus / case).read_text())
        inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in spec["inputs"].items()}
        sources = [SourceDoc(name=Path(s["path"]).name, text=(corpus / s["path"]).read_text()) for s in spec["sources"]]
        draft = service.create_draft(DraftRequest(template_id=spec["template"], inputs=inputs, sources=sources), "a")
        assert duplicates(draft.sections, draft.language) == [], case
        text = "\n".join(s.text for s in draft.sections)
        assert text.count(typed) == 1, case  # the author's own point, once, where the author put it
        assert text.count("[1]") >= 2, case  # still drawn from the source
    briefing_source = (corpus / "sources" / "defra-25000-homes-2012.txt").read_text()
    assert briefing_source.count("In total, 60 flood and coastal risk schemes will begin construction") == 2


def test_a_source_sentence_stated_twice_is_picked_once() -> None:
    twice = "The barrier protects 1,200 homes along the river front. "
    sources = [twice + "The council met on Monday to discuss the budget. " + twice]
    picked = extract_relevant("barrier homes river", sources, 3)
    assert [s for _, s in picked].count(twice.strip()) == 1
    # and one already said (an input, an earlier section) is not picked at all
    assert twice.strip() not in [s for _, s in extract_relevant("barrier homes river", sources, 3, (twice,))]
