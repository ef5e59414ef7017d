"""Messages that are said later than they are made: lazy fragments, findings stored in the database and shown
to each reader in their language, counts the way each language counts."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from drafter import i18n
from drafter.errors import NotFoundError, RefusedError
from drafter.i18n import lazy, lazy_join, lazy_plural
from drafter.models import DraftStatus, Finding, FindingSeverity
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


def test_a_lazy_message_is_its_english_text_until_it_is_shown() -> None:
    where = lazy("source '{name}'", name="memo.txt")
    assert where == "source 'memo.txt'" and "memo.txt" in where
    assert json.dumps({"where": where}) == '{"where": "source \'memo.txt\'"}'  # JSON: English
    with i18n.use("zh_CN"):
        assert str(where) == "来源文件“memo.txt”"
        assert f"[{where}]" == "[来源文件“memo.txt”]"
        assert where == "source 'memo.txt'"  # comparing and storing still use the English text
    assert pickle.loads(pickle.dumps(where)) == where
    with i18n.use("zh_CN"):
        assert str(pickle.loads(pickle.dumps(where))) == "来源文件“memo.txt”"


def test_an_error_with_a_lazy_part_is_english_in_records_and_translated_when_shown() -> None:
    error = RefusedError("Draft {draft_id} is {status}; only a draft can be submitted for review.",
                         draft_id="d1", status=DraftStatus.in_review.text())
    with i18n.use("zh_CN"):
        assert str(error) == "草稿 d1 的状态为“审核中”；只有草稿状态才能提交审核。"
        assert error.english == "Draft d1 is in_review; only a draft can be submitted for review."
    nested = NotFoundError("{source}: {reason}", source="roles.txt", reason=NotFoundError("Draft {draft_id} does not exist.", draft_id="x"))
    with i18n.use("zh_CN"):
        assert str(nested) == "roles.txt：草稿 x 不存在。"
        assert nested.english == "roles.txt: Draft x does not exist."


def test_plurals_and_lists_follow_the_language() -> None:
    tries = lazy_plural("after {n} attempt", "after {n} attempts", 1)
    assert tries == "after 1 attempt" and lazy_plural("after {n} attempt", "after {n} attempts", 3) == "after 3 attempts"
    both = lazy_join([lazy("fact not in the original: {fact}", fact="£5"), "plain text"])
    assert both == "fact not in the original: £5; plain text"
    with i18n.use("zh_CN"):
        assert str(tries) == "尝试 1 次后"
        assert str(both) == "原文中没有的事实：£5；plain text"


def test_a_stored_parameter_that_is_itself_a_message_is_translated_after_a_round_trip() -> None:
    message = lazy("This sentence has {n} {unit}; the {guide} style guide's limit is {limit}.",
                   n=41, unit=lazy("characters"), guide="zh-gongwen", limit=30)
    stored = json.loads(json.dumps(i18n.message_params(message)))
    assert stored["unit"] == {"$message": "characters", "params": {}}
    finding = Finding(id="f1", draft_id="d1", fingerprint="x", severity=FindingSeverity.warning,
                      rule_id="style.sentence_length", section_id="body", message=i18n.english_text(message),
                      message_id=i18n.message_id(message), message_params=stored)
    assert finding.text() == "This sentence has 41 characters; the zh-gongwen style guide's limit is 30."
    with i18n.use("zh_CN"):
        assert finding.text() == "本句有 41 字，zh-gongwen 文风规范的上限为 30。"
    old = finding.model_copy(update={"message_id": None, "message_params": {}})  # a finding stored before 0005
    with i18n.use("zh_CN"):
        assert old.text() == finding.message


def test_findings_keep_english_in_the_store_and_speak_each_readers_language(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    findings = service.store.findings(draft.id)
    assert findings and all(f.message_id for f in findings)
    for f in findings:
        assert f.text() == f.message
        with i18n.use("zh_CN"):
            assert f.text() != f.message
            assert f.suggestion is None or f.suggestion_text() != f.suggestion

    target = findings[0]
    unit = lazy("This sentence has {n} {unit}; the {guide} style guide's limit is {limit}.",
                n=41, unit=lazy("characters"), guide="g", limit=30)
    changed = target.model_copy(update={"message_id": i18n.message_id(unit),
                                        "message_params": i18n.message_params(unit)})
    service.store.update_findings(draft.id, lambda previous: [changed, *previous[1:]])
    reloaded = next(f for f in service.store.findings(draft.id) if f.id == target.id)
    assert reloaded.message_params == {"n": 41, "unit": {"$message": "characters", "params": {}}, "guide": "g",
                                       "limit": 30}
    with i18n.use("zh_CN"):
        assert reloaded.text() == "本句有 41 字，g 文风规范的上限为 30。"


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("The barrier opens on 12 March.", "6 words", "6 个词"),
        ("各区县人民政府，市政府各委、办、局：", "14 characters", "14 字"),
        ("关于做好2026年防汛工作的通知 (draft)", "12 characters", "12 字"),
        ("", "0 words", "0 个词"),
        ("word " * 1500, "1,500 words", "1,500 个词"),
    ],
)
def test_sizes_count_characters_for_chinese_and_words_otherwise(text: str, en: str, zh: str) -> None:
    assert i18n.size_text(text) == en
    with i18n.use("zh_CN"):
        assert i18n.size_text(text) == zh


def test_a_broken_catalog_entry_cannot_hide_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation that names a placeholder its id does not fill falls back to the English sentence."""
    import gettext

    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "草稿 {wrong} 不存在。"

    monkeypatch.setattr(i18n, "translations", lambda lang: Broken())
    with i18n.use("zh_CN"):
        assert str(NotFoundError("Draft {draft_id} does not exist.", draft_id="d9")) == "Draft d9 does not exist."


def test_a_third_language_needs_only_a_catalog_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pybabel init` a French catalog beside the others: French is then chosen from the locale and used."""
    import shutil

    from babel.messages.frontend import CommandLineInterface

    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    CommandLineInterface().run(["pybabel", "--quiet", "init", "-D", "core", "-i", str(locale / "core.pot"),
                                "-d", str(locale), "-l", "fr"])
    po = locale / "fr" / "LC_MESSAGES" / "core.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Draft {draft_id} does not exist."\nmsgstr ""',
        'msgid "Draft {draft_id} does not exist."\nmsgstr "Le projet {draft_id} n\'existe pas."'), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.translations.cache_clear()
    try:
        assert i18n.available_languages() == ["en", "fr", "zh_CN"]
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
        with i18n.use(i18n.process_default()):
            assert str(NotFoundError("Draft {draft_id} does not exist.", draft_id="d1")) == "Le projet d1 n'existe pas."
            assert str(NotFoundError("Draft {draft_id} has no content to review.", draft_id="d1")).startswith("Draft d1")
        total, missing = i18n.coverage()["fr"]["core"]
        assert len(missing) == total - 1
    finally:
        i18n.translations.cache_clear()


def test_records_stay_english_whatever_language_the_user_works_in(sqlite_service: DrafterService) -> None:
    """The audit log and stored draft errors are records: a refusal in a Chinese session is logged in English."""
    service = sqlite_service
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    with i18n.use("zh_CN"), pytest.raises(RefusedError) as refused:
        service.approve(draft.id, "alice", FULL_CHECKLIST)
    with i18n.use("zh_CN"):
        assert "不能批准该草稿" in str(refused.value)
    logged = [e for e in service.audit_trail(draft.id) if e.action == "refused"]
    assert logged and logged[-1].details["reason"] == refused.value.english
    assert "cannot approve" in logged[-1].details["reason"]
