"""The interface language: switched on any page, remembered per user, declared, and complete in Chinese.

Driven through AppTest (a real script run per session); the real-browser side (<html lang>, axe, the whole
journey in Chinese) is in tests/ui/test_browser_chinese.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from drafter import i18n
from drafter.backends.offline import OfflineBackend
from drafter.errors import InputError
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import draft_page
from drafter.ui.common import text_count
from drafter.ui.language import WIDGET_KEY, lang_html
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.gongwen_support import zh_request
from tests.ui_support import app_for, texts

PAGES = "drafter/ui/pages/"
POT = Path(i18n.__file__).parent / "locale" / "ui.pot"
PO = Path(i18n.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES" / "ui.po"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[DrafterService]:
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"), backends={"offline": OfflineBackend()})
    yield service
    service.store.engine.dispose()


def ui_text(at: AppTest) -> str:
    """Everything a person reads on the page: texts, and the labels of every widget, expander and tab."""
    labels = []
    for kind in ("button", "checkbox", "selectbox", "text_input", "text_area", "radio", "expander", "tab",
                 "download_button"):
        try:
            elements = at.get(kind)
        except Exception:  # an element kind AppTest does not know in this version
            continue
        labels += [str(getattr(e, "label", "") or "") for e in elements]
    for box in at.selectbox:  # the options as the page wrote them (templates, statuses…)
        labels += [str(option) for option in box.options]
    return texts(at) + "\n" + "\n".join(labels)


def switch_to_chinese(at: AppTest) -> AppTest:
    return at.selectbox(key=WIDGET_KEY).set_value("zh_CN").run()


def english_sentences() -> list[str]:
    """Message ids of the ui catalog that are English prose (three words or more, placeholders cut out)."""
    with POT.open("rb") as fp:
        ids = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id]
    pieces = []
    for msgid in ids:
        for piece in re.split(r"\{[a-z_]+\}", msgid):
            plain = re.sub(r"[*`“”]", "", piece).strip(" .:;,—()")
            if len(re.findall(r"[A-Za-z]{2,}", plain)) >= 3:
                pieces.append(plain)
    return pieces


def assert_no_english(at: AppTest, where: str) -> None:
    shown = re.sub(r"\s+", " ", ui_text(at))
    leaks = [s for s in english_sentences() if s in shown]
    assert not leaks, f"English interface text on the Chinese {where} page: {leaks[:10]}"
    assert re.search(r"[\u4e00-\u9fff]", shown), where


def test_english_by_default_and_switching_to_chinese_is_remembered_for_that_user(svc: DrafterService) -> None:
    at = app_for(svc, "alice")
    assert not at.exception
    assert at.title[0].value == "Draft" and "Fields marked (required) must be filled in." in texts(at)
    at = switch_to_chinese(at)
    assert not at.exception
    assert at.title[0].value == "草稿"
    assert "标有（必填）的项目必须填写。" in texts(at)
    assert svc.user_language("alice") == "zh_CN"
    # a new session (another browser, the next day) for the same user: Chinese without choosing again
    again = app_for(svc, "alice")
    assert again.title[0].value == "草稿" and again.selectbox(key=WIDGET_KEY).value == "zh_CN"
    # someone else on the same Drafter keeps their own language
    other = app_for(svc, "bob")
    assert other.title[0].value == "Draft"
    # and switching back is stored too
    again.selectbox(key=WIDGET_KEY).set_value("en").run()
    assert again.title[0].value == "Draft" and svc.user_language("alice") == "en"


def test_a_choice_made_on_the_sign_in_page_is_kept_for_the_user_who_signs_in(svc: DrafterService) -> None:
    at = app_for(svc)
    assert at.title[0].value == "Sign in to Drafter"
    at = switch_to_chinese(at)
    assert at.title[0].value == "登录 Drafter"
    assert "开发用登录" in texts(at)
    at.button[0].click().run()  # 登录 as the first user
    assert at.title[0].value == "草稿"
    user = str(at.session_state["drafter.user"])
    assert svc.user_language(user) == "zh_CN"


def test_the_deployment_default_applies_when_nothing_else_is_set(
    svc: DrafterService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFTER_LANGUAGE", "zh_CN.UTF-8")
    at = app_for(svc, "alice")
    assert at.title[0].value == "草稿"
    svc.set_user_language("alice", "en")  # the user's own choice wins over the deployment's
    assert app_for(svc, "alice").title[0].value == "Draft"


def test_the_page_declares_its_language(svc: DrafterService) -> None:
    at = app_for(svc, "alice")
    assert any('lang = "en"' in str(h.proto.body) for h in at.get("html"))
    at = switch_to_chinese(at)
    assert any('lang = "zh-CN"' in str(h.proto.body) for h in at.get("html"))


def test_chinese_pages_show_no_english_interface_text(svc: DrafterService) -> None:
    # a 通知 in review, an approved English briefing: every main page has something on it
    tongzhi = svc.create_draft(zh_request("tongzhi"), "alice")
    svc.submit(tongzhi.id, "alice")
    briefing = svc.create_draft(briefing_request(backend="offline"), "alice")
    svc.submit(briefing.id, "alice")
    svc.approve(briefing.id, "bob", FULL_CHECKLIST)
    svc.set_user_language("alice", "zh_CN")

    # the check itself finds English: the same page in English is full of it
    english = app_for(svc, "bob")
    shown = re.sub(r"\s+", " ", ui_text(english))
    assert len([s for s in english_sentences() if s in shown]) >= 10

    at = app_for(svc, "alice")
    at.selectbox(key=draft_page.TEMPLATE_KEY).set_value("zh-tongzhi").run()
    assert not at.exception
    assert_no_english(at, "draft form")
    shown = ui_text(at)
    # 公文 field labels in the standard's own terms, "(required)" and the date example the Chinese way
    for label in ("发文机关标志（必填）", "发文字号（必填）", "主送机关（必填）", "成文日期（必填）", "抄送机关"):
        assert label in shown, label
    date_box = at.text_input(key=draft_page.input_key("zh-tongzhi", "date"))
    assert date_box.placeholder == "例如：2026年3月3日"

    at.switch_page(PAGES + "history.py").run()
    assert not at.exception
    assert_no_english(at, "history")
    assert "已批准" in ui_text(at)  # statuses by their Chinese names

    svc.set_user_language("bob", "zh_CN")
    review = app_for(svc, "bob").switch_page(PAGES + "review.py").run()
    assert not review.exception
    assert_no_english(review, "review")
    shown = ui_text(review)
    assert "zh-tongzhi" not in shown and "模板**：通知" in shown.replace("\\", "")  # the title, never the id

    settings = app_for(svc, "bob").switch_page(PAGES + "settings.py").run()
    assert_no_english(settings, "settings")

    svc.export(briefing.id, svc.settings.data_dir / "briefing.docx", "alice")
    svc.set_user_language("carol", "zh_CN")  # an administrator
    stats = app_for(svc, "carol").switch_page(PAGES + "stats.py").run()
    assert not stats.exception and stats.title[0].value == "统计"
    assert_no_english(stats, "statistics")


def test_text_in_the_other_language_carries_its_own_lang_and_stays_escaped(svc: DrafterService) -> None:
    hostile = "<img src=x onerror=alert(1)>第一条"
    draft = svc.create_draft(zh_request("tongzhi", background=hostile + "为做好防汛工作。"), "alice")
    svc.submit(draft.id, "alice")
    review = app_for(svc, "bob").switch_page(PAGES + "review.py").run()  # an English interface
    bodies = [str(h.proto.body) for h in review.get("html")]
    marked = [b for b in bodies if 'lang="zh-CN"' in b]
    assert marked, "the Chinese draft's text is not marked as Chinese on the English page"
    assert any("&lt;img src=x onerror=alert(1)&gt;" in b for b in marked)
    assert not any("<img" in b for b in bodies)
    # the reverse: English text on a Chinese page is marked as English
    with i18n.use("zh_CN"):
        assert lang_html("Opening <b>", "en") == '<span lang="en">Opening &lt;b&gt;</span>'
        assert lang_html("通知", "zh") == "通知"


def test_chinese_text_is_counted_in_characters_and_english_in_words() -> None:
    with i18n.use("en"):
        assert text_count("各区人民政府：现将有关事项通知如下。") == "18 characters"
        assert text_count("The barrier protects 4,200 homes.") == "5 words"
    with i18n.use("zh_CN"):
        assert text_count("各区人民政府：现将有关事项通知如下。") == "18 字"


def test_an_unknown_language_is_refused_and_user_names_are_compared_as_stored(svc: DrafterService) -> None:
    with pytest.raises(InputError, match="no interface in the language fr"):
        svc.set_user_language("alice", "fr")
    assert svc.set_user_language("Alice", "zh-Hans-CN") == "zh_CN"
    assert svc.user_language("alice") == "zh_CN"
    assert svc.set_user_language("alice", None) is None and svc.user_language("alice") is None


def test_every_ui_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with POT.open("rb") as fp:
        wanted = [m for m in read_po(fp) if m.id]
    with PO.open("rb") as fp:
        translated = {m.id: m for m in read_po(fp, locale="zh_CN") if m.id and not m.fuzzy}
    missing = [m.id for m in wanted if m.id not in translated or not all(
        translated[m.id].string if isinstance(m.id, tuple) else [translated[m.id].string])]
    assert not missing, missing
    for m in wanted:
        source = m.id if isinstance(m.id, str) else m.id[1]
        target = translated[m.id].string
        target = target if isinstance(target, str) else target[0]
        names = set(re.findall(r"\{(\w+)\}", source)) - {"n"}
        assert names == set(re.findall(r"\{(\w+)\}", target)) - {"n"}, (source, target)
        # Markdown does not close emphasis after punctuation when a letter follows ("**状态：**草稿" shows the
        # asterisks): every closing ** / * must come after a non-punctuation character, or before a space or the end
        for marker in ("**", "*"):
            parts = re.split(r"(?<!\*)" + re.escape(marker) + r"(?!\*)", target)
            for i in range(1, len(parts) - 1, 2):  # parts[i] is emphasised; parts[i + 1] follows the closing marker
                follows = parts[i + 1][:1]
                assert not (parts[i][-1:] in "：；，。、）」》？！" and follows and not follows.isspace()), target


def test_no_message_hides_inside_an_f_string_where_babel_cannot_extract_it() -> None:
    import ast

    hidden = []
    for path in sorted((Path(i18n.__file__).parent / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.name}:{call.lineno}" for call in ast.walk(node) if isinstance(call, ast.Call)
                           and isinstance(call.func, ast.Name) and call.func.id in ("_", "N_", "ngettext")]
    assert not hidden, hidden


def test_the_language_choice_is_stored_on_sqlite_and_postgresql(service: DrafterService) -> None:
    assert service.user_language("alice") is None
    service.set_user_language("alice", "zh_CN")
    service.set_user_language("alice", "zh_CN")  # choosing again updates the one row
    service.set_user_language("bob", "en")
    # another process on the same database (another app instance) reads the same choice
    other = DrafterService.from_settings(service.settings)
    try:
        assert other.user_language("alice") == "zh_CN" and other.user_language("bob") == "en"
    finally:
        other.store.engine.dispose()
