"""The 通知 journey in Chinese, in real headless Chromium with axe-core on every page.

A drafter switches the interface to 简体中文, drafts a 通知 on the offline backend and submits it; a second
person reviews and approves it in Chinese; the drafter, in a new browser session, finds the interface still in
Chinese and exports the document. On every page `<html lang>` is zh-CN and axe finds no WCAG 2.1 AA violation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from drafter.models import DraftStatus
from drafter.service import DrafterService
from tests.browser_support import check_accessibility, commit_field, screenshot, wait_for_app
from tests.gongwen_support import zh_inputs
from tests.test_ui_browser import app, browser, expect_text, go_to, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

REQUIRED = ("issuer_mark", "doc_number", "title", "recipients", "background", "tasks", "requirements", "issuer",
            "date")
LABELS = {"issuer_mark": "发文机关标志", "doc_number": "发文字号", "title": "标题", "recipients": "主送机关",
          "background": "发文缘由", "tasks": "主要任务", "requirements": "工作要求", "issuer": "发文机关署名",
          "date": "成文日期"}
# English interface text that must not appear on the Chinese pages
ENGLISH = ("Sign in", "Draft", "Template", "Details", "Sources", "Generate draft", "Submit for review",
           "Review queue", "My drafts", "Approve", "Request changes", "Export to Word", "(required)",
           "One item per line", "Settings and about", "Sign out", "Automatic checks", "Your decision")


def html_lang(tab: Any) -> str:
    return str(tab.evaluate("() => document.documentElement.lang"))


def assert_chinese_page(tab: Any, name: str) -> None:
    """The page says it is Chinese, shows no English interface words, and passes axe."""
    from playwright.sync_api import expect

    expect(tab.locator("html")).to_have_attribute("lang", "zh-CN")
    shown = tab.locator('[data-testid="stApp"]').inner_text()
    leaks = [word for word in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", shown)]
    assert not leaks, f"English on the Chinese {name} page: {leaks}"
    check_accessibility(tab, f"zh-{name}")
    screenshot(tab, f"zh-{name}")


def pick(tab: Any, label: str, option: str) -> None:
    tab.get_by_role("combobox", name=label).click()
    tab.get_by_role("option", name=option).first.click()
    wait_for_app(tab)


def sign_in(tab: Any, user: str, *, label: str = "登录身份", button: str = "登录") -> None:
    if user != "alice":
        pick(tab, label, f"{user} (")
    tab.get_by_role("button", name=button, exact=True).click()
    wait_for_app(tab)


def test_a_tongzhi_drafted_reviewed_and_exported_in_chinese(
    app: tuple[str, DrafterService], page: Any, browser: Any, tmp_path: Path  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base, svc = app
    page.goto(base)
    expect_text(page, "Development sign-in")
    assert html_lang(page) == "en"  # the browser says en-US and nobody chose anything yet
    pick(page, "Interface language", "简体中文")
    expect_text(page, "开发用登录")
    assert_chinese_page(page, "sign-in")
    sign_in(page, "alice")
    expect_text(page, "当前用户：alice")
    assert svc.user_language("alice") == "zh_CN"  # the choice made before signing in is now hers

    pick(page, "模板", "中文 · 通知 · 通知")
    inputs = zh_inputs("tongzhi")
    for name in REQUIRED:
        field = page.get_by_label(f"{LABELS[name]}（必填）", exact=True)
        field.fill(inputs[name])
        commit_field(page, field)
    expect(page.get_by_label("成文日期（必填）", exact=True)).to_have_value("2026年3月5日")
    assert page.get_by_label("印发日期", exact=True).get_attribute("placeholder") == "例如：2026年3月3日"
    assert_chinese_page(page, "draft-form")
    page.get_by_role("button", name="生成文稿").click()
    expect_text(page, "文稿已生成")
    [draft] = svc.list_drafts(author="alice")
    assert draft.template_id == "zh-tongzhi" and draft.status == DraftStatus.draft
    assert_chinese_page(page, "draft-generated")
    page.get_by_role("button", name="提交审核").click()
    expect_text(page, "已提交审核")
    assert svc.get_draft(draft.id).status == DraftStatus.in_review
    page.get_by_role("button", name="退出登录").click()
    expect_text(page, "Development sign-in")  # signed out: the next person starts in their browser's language

    # the reviewer starts in their browser's language (English) and switches once signed in
    sign_in(page, "bob", label="Sign in as", button="Sign in")
    expect_text(page, "Signed in as bob")
    pick(page, "Interface language", "简体中文")
    expect_text(page, "当前用户：bob")
    go_to(page, "待审文稿")
    expect_text(page, inputs["title"])
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "\n**" not in main and "**：" not in main  # emphasis rendered, not shown as asterisks
    assert "模板：通知" in main and "zh-tongzhi" not in main  # the template's title, never its id
    assert_chinese_page(page, "review")
    for label in ("我已对照参考材料核对事实", "文稿中没有不应出现的敏感信息",
                  "人工智能使用标识（哪些部分由人工智能生成）准确无误"):
        box = page.get_by_role("checkbox", name=label)
        box.focus()
        box.press("Space")
        expect(box).to_be_checked()
        wait_for_app(page)
    page.get_by_role("button", name="批准").click()
    expect_text(page, "没有等待您审核的文稿。")
    assert svc.get_draft(draft.id).status == DraftStatus.approved

    # the drafter again, in a new browser session: her language is remembered
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US")
    try:
        second = context.new_page()
        second.set_default_timeout(90_000)
        second.goto(base)
        expect_text(second, "Development sign-in")
        sign_in(second, "alice", label="Sign in as", button="Sign in")
        expect_text(second, "当前用户：alice")
        go_to(second, "我的文稿")
        second.get_by_role("button", name="导出为 Word 文档（.docx）").click()
        expect_text(second, "核验通过")
        assert_chinese_page(second, "history")
        with second.expect_download() as info:
            second.get_by_role("button", name="下载 .docx 文件").click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        report = svc.verify_file(target)
        assert report.ok, report.problems
        assert report.label and "人工智能" in report.label
    finally:
        context.close()


def test_a_chinese_browser_gets_the_chinese_interface_without_choosing(
    app: tuple[str, DrafterService], browser: Any  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base, _svc = app
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        zh = context.new_page()
        zh.set_default_timeout(90_000)
        zh.goto(base)
        expect_text(zh, "开发用登录")
        # the page's language is declared by a script the page runs as it renders, just after its first words
        expect(zh.locator("html")).to_have_attribute("lang", "zh-CN")
    finally:
        context.close()
