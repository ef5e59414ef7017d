"""The side-by-side simplification view marks what changed; the diff under it is exact."""

from __future__ import annotations

import re
from pathlib import Path

from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.simplification import diff_words
from drafter.ui import simplify_page
from tests.ui_support import app_for

REGULATION = ("§ 1 Applications.\nAn applicant shall submit the application form prior to 1 March 2026. "
              "The council shall obtain sufficient evidence of residence.")


def test_diff_marks_exactly_the_changed_words() -> None:
    d = diff_words("An applicant shall submit the form prior to 1 March 2026.",
                   "An applicant must submit the form before 1 March 2026.", "en")
    assert [t for t, changed in d.original if changed] == ["shall", "prior to"]
    assert [t for t, changed in d.simplified if changed] == ["must", "before"]
    # the pieces put the texts back together exactly
    assert "".join(t for t, _ in d.simplified) == "An applicant must submit the form before 1 March 2026."
    assert 0 < d.changed_share < 0.5
    assert diff_words("Same words here.", "Same words here.", "en").changed_share == 0
    assert diff_words("one two", "three four", "en").changed_share == 1
    zh = diff_words("申请人应当在三十日内提交材料。", "申请人要在三十日内交材料。", "zh")
    assert [t for t, changed in zh.simplified if changed] == ["要"]


def test_the_simplify_view_highlights_changes(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    draft = svc.simplify(REGULATION, title="Applications", audience="plain", user="alice", backend="offline")
    at = app_for(svc, "alice").switch_page("drafter/ui/pages/simplify.py")
    at.session_state[simplify_page.CURRENT_KEY] = draft.id
    at.run()
    assert not at.exception
    blocks = [str(el.proto.body) for el in at.get("html")]
    inserted = [m for b in blocks for m in re.findall(r"<ins [^>]*>([^<]*)</ins>", b)]
    deleted = [m for b in blocks for m in re.findall(r"<del [^>]*>([^<]*)</del>", b)]
    assert "must" in inserted and "before" in inserted, inserted
    assert "shall" in deleted and "prior to" in deleted, deleted
    # unchanged words are not marked
    assert not any("applicant" in w for w in inserted + deleted)
    captions = " ".join(str(c.value) for c in at.caption)
    assert "new words are underlined" in captions
    svc.store.engine.dispose()


def test_the_child_view_shows_the_glossary_alone(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    text = REGULATION + " The applicant may appeal the decision."
    draft = svc.simplify(text, title="Applications", audience="child", user="alice", backend="offline")
    glossary = draft.sections[-1]
    assert glossary.original is None and "- applicant:" in glossary.text
    at = app_for(svc, "alice").switch_page("drafter/ui/pages/simplify.py")
    at.session_state[simplify_page.CURRENT_KEY] = draft.id
    at.run()
    assert not at.exception
    page = " ".join(str(m.value) for m in at.markdown)
    assert "Words to know" in page and "applicant: The person who asks" in page.replace("\\", "")
    # nothing of the glossary is shown as a change against an empty original
    inserted = [m for el in at.get("html") for m in re.findall(r"<ins [^>]*>([^<]*)</ins>", str(el.proto.body))]
    assert not any("The person who asks" in w for w in inserted)
    svc.store.engine.dispose()


def test_a_document_without_headings_is_shown_without_invented_ones(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    text = ("You can get help with your rent if all of these are true:\n\n(a) you are 18 or over;\n\n"
            "(b) you have lived in the borough for 3 years.")
    draft = svc.simplify(text, title="Rent help", audience="plain", user="alice", backend="offline")
    assert [s.heading for s in draft.sections] == ["", "", ""]
    at = app_for(svc, "alice").switch_page("drafter/ui/pages/simplify.py")
    at.session_state[simplify_page.CURRENT_KEY] = draft.id
    at.run()
    assert not at.exception
    page = " ".join(str(m.value) for m in at.markdown)
    assert "Paragraph" not in page and "###" not in page.replace("### Rent help", "")
    # a part is named by its own first words where a label needs a name
    labels = [e.label for e in at.expander]
    assert any("You can get help with your" in label for label in labels), labels
    svc.store.engine.dispose()
