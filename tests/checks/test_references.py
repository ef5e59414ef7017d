"""Fact checks that see legal references, name them, and never call a number of the original absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.checks.facts import SupportIndex, extract_facts, unsupported_facts
from drafter.models import FindingSeverity, FindingStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.simplification import broken_references, missing_facts
from tests.fakes import ScriptedBackend


@pytest.mark.parametrize(("text", "reference", "key"), [
    ("Benefits under 38 U.S.C. 1310(a) are paid.", "38 U.S.C. 1310(a)", "ref:usc:38:1310(a)"),
    ("as in 38 USC 1310(a).", "38 USC 1310(a)", "ref:usc:38:1310(a)"),
    ("under 7 CFR 273.2(b)(1), the agency", "7 CFR 273.2(b)(1)", "ref:cfr:7:273.2(b)(1)"),
    ("under 20 C.F.R. § 404.610, the agency", "20 C.F.R. § 404.610", "ref:cfr:20:404.610"),
    ("as required by paragraph (b) of this section", "paragraph (b)", "ref:paragraph:(b)"),
    ("described in paragraph (a) or (b) of this section", "paragraph (a) or (b)", "ref:paragraph:(a) or (b)"),
    ("See §§ 617.3(m)(2) for the rule.", "§§ 617.3(m)(2)", "ref:section:617.3(m)(2)"),
    ("符合本条第（二）项规定的", "第（二）项", "ref:item:2"),
    ("依照第三条第二款的规定", "第三条第二款", "ref:article:3/paragraph:2"),
    ("依照第3条第2款的规定", "第3条第2款", "ref:article:3/paragraph:2"),
    ("有第（二）、（三）项情形之一的", "第（二）、（三）项", "ref:item:2、3"),
])
def test_references_are_one_fact_each(text: str, reference: str, key: str) -> None:
    refs = [f for f in extract_facts(text) if f.kind == "reference"]
    assert [(f.text, f.key) for f in refs] == [(reference, key)]


def test_usc_is_not_read_as_names() -> None:
    facts = extract_facts("Title 38, U.S.C., and the C.F.R. apply. Under 38 U.S.C. 1310(a) the spouse is paid.")
    assert not [f for f in facts if f.is_name], facts


def test_a_number_of_the_original_is_never_absent() -> None:
    original = "Claims under §§ 617.3(m)(2) and 38 U.S.C. 1310(a) are decided within No. 7 of the list."
    support = SupportIndex([original])
    for number in ("2", "617.3", "1310", "38", "7"):
        assert unsupported_facts(f"The figure {number} is used.", support) == [], number
    # a number the original does not hold is still reported
    assert [f.text for f in unsupported_facts("The figure 9 is used.", support)] == ["9"]


def test_a_reference_supports_its_parts_but_not_other_provisions() -> None:
    support = SupportIndex(["A claim under paragraph (a) or (b), or §§ 617.3(m)(2), or 第三条第二款."])
    ok = ["paragraph (a)", "paragraph (b)", "§ 617.3(m)", "section 617.3(m)(2)", "第三条"]
    for text in ok:
        assert unsupported_facts(f"See {text} here.", support) == [], text
    for text in ("paragraph (c)", "§ 617.3(m)(3)", "第四条", "38 U.S.C. 1310(b)"):
        assert unsupported_facts(f"See {text} here.", support), text


@pytest.mark.parametrize(("original", "simplified", "reference", "found"), [
    ("A claim under paragraph (a) or (b) of this section.",
     "A claim under paragraph (a) or\n- (b) of this section.", "paragraph (a) or (b)", "paragraph (a) or / - (b)"),
    ("Paid under 38 U.S.C. 1310(a) to the spouse.", "Paid under 38 U.S.C. 1310 to the spouse.",
     "38 U.S.C. 1310(a)", "38 U.S.C. 1310 to the"),
    ("As set out in §§ 617.3(m)(2).", "As set out in §§ 617.3(m)\n- (2).", "§§ 617.3(m)(2)", "§§ 617.3(m) / - (2)"),
    ("有第（二）、（三）项情形之一的，不予受理。", "有第（二）、\n-（三）项情形之一的，不予受理。", "第（二）、（三）项",
     "第（二）、 / -（三）项"),
    ("依照第十二条第二款办理。", "依照有关规定办理。", "第十二条第二款", ""),
])
def test_a_broken_reference_names_the_original_and_the_broken_text(
    original: str, simplified: str, reference: str, found: str
) -> None:
    broken = broken_references(original, simplified)
    assert [(b.reference, b.found) for b in broken] == [(reference, found)]
    assert reference in broken[0].message and found in broken[0].message


def test_an_intact_or_reflowed_sentence_breaks_no_reference() -> None:
    original = "Paid under 38 U.S.C. 1310(a), as in paragraph (a) or (b) and §§ 617.3(m)(2); 第（二）、（三）项."
    simplified = "Paid under 38 U.S.C. 1310(a).\nThis is as in paragraph (a) or (b) and §§ 617.3(m)(2). 第（二）、（三）项."
    assert broken_references(original, simplified) == []
    assert missing_facts(original, simplified) == []


def _broken_script(request: object) -> str:
    return "You can claim under paragraph (a) or\n- (b). The spouse is paid under 38 U.S.C. 1310."


def test_a_simplification_that_breaks_a_reference_gets_a_blocking_finding(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    svc = DrafterService.from_settings(
        settings, backends={"offline": OfflineBackend(), "scripted": ScriptedBackend(script=_broken_script)}
    )
    original = ("§ 3.5 Dependency and indemnity compensation.\n"
                "A claim may be made under paragraph (a) or (b) of this section. The surviving spouse is paid "
                "under 38 U.S.C. 1310(a).")
    draft = svc.simplify(original, title="DIC", audience="plain", user="comms", backend="scripted")
    found = [f for f in svc.findings(draft.id) if f.rule_id == "simplify.reference_broken"]
    assert {f.severity for f in found} == {FindingSeverity.blocking}
    assert {f.status for f in found} == {FindingStatus.open}
    messages = sorted(f.message for f in found)
    assert messages == [
        'The reference "38 U.S.C. 1310(a)" of the original is broken in the simplified text: '
        '"38 U.S.C. 1310.".',
        'The reference "paragraph (a) or (b)" of the original is broken in the simplified text: '
        '"paragraph (a) or / - (b)".',
    ]
    # the numbers inside the broken references are in the original: never reported as new or absent
    assert not [f for f in svc.findings(draft.id) if f.rule_id == "facts.unsupported" and f.excerpt in ("2", "1310")]
    svc.store.engine.dispose()
