"""Screenshots of the Chinese interface for docs/images (`make docs-screenshots`).

Runs the app with `streamlit run` on a scratch data folder, seeds a 通知 through the service, and photographs the
sign-in page, the 通知 form, the review queue and "My drafts" after export in Debian's Chromium (Playwright through
executable_path; nothing is downloaded). Usage: python -m tests.ui.docs_screenshots [OUTPUT_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from drafter.service import DrafterService
from drafter.settings import Settings
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    commit_field,
    screenshot,
    streamlit_server,
    wait_for_app,
)
from tests.conftest import FULL_CHECKLIST
from tests.gongwen_support import zh_inputs, zh_request

DEFAULT_FOLDER = ROOT / "docs" / "images"


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def _sign_in(page: Any, base: str, user: str) -> None:
    page.goto(base)
    page.get_by_text("开发用登录").first.wait_for()
    wait_for_app(page)
    if user != "alice":
        _choose(page, "登录身份", f"{user} (")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"当前用户：{user}").first.wait_for()
    wait_for_app(page)


def _go(page: Any, title: str) -> None:
    page.get_by_role("link", name=title).click()
    wait_for_app(page)


def take(folder: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise SystemExit("Screenshots need Debian's chromium package (/usr/bin/chromium).")
    shots: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="drafter-shots-") as scratch:
        data = Path(scratch) / "data"
        with streamlit_server(data) as base, sync_playwright() as p:
            svc = DrafterService.from_settings(Settings(data_dir=data))
            to_review = svc.create_draft(zh_request("tongzhi"), "alice")
            svc.submit(to_review.id, "alice")
            for user in ("alice", "bob"):
                svc.set_user_language(user, "zh_CN")
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            # a Chinese browser: the sign-in page is Chinese before anyone chooses
            page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            page.set_default_timeout(90_000)
            page.goto(base)
            page.get_by_text("开发用登录").first.wait_for()
            wait_for_app(page)
            shots.append(screenshot(page, "zh-sign-in", folder))

            _sign_in(page, base, "alice")
            _choose(page, "模板", "中文 · 通知 · 通知")
            inputs = zh_inputs("tongzhi")
            for name, label in (("issuer_mark", "发文机关标志（必填）"), ("doc_number", "发文字号（必填）"),
                                ("title", "标题（必填）"), ("recipients", "主送机关（必填）")):
                field = page.get_by_label(label, exact=True)
                field.fill(inputs[name])
                commit_field(page, field)
            shots.append(screenshot(page, "zh-draft-form", folder))

            _sign_in(page, base, "bob")
            _go(page, "待审文稿")
            shots.append(screenshot(page, "zh-review-queue", folder))

            svc.approve(to_review.id, "bob", FULL_CHECKLIST)
            _sign_in(page, base, "alice")
            _go(page, "我的文稿")
            page.get_by_role("button", name="导出为 Word 文档（.docx）").click()
            page.get_by_text("核验通过").first.wait_for()
            wait_for_app(page)
            shots.append(screenshot(page, "zh-history", folder))
            browser.close()
            svc.store.engine.dispose()
    return shots


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    for path in take(folder):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
