"""Streamed text appears as it arrives: in real Chromium, against `streamlit run` drafting through the real openai
client with a scripted OpenAI-compatible server on 127.0.0.1 that stops mid-section. The first words are on the
page while the server still holds back the rest; the rest appears once it sends it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.browser_support import (
    CHROMIUM_ARGS,
    commit_field,
    require_browser_tools,
    streamlit_server,
    wait_for_app,
)
from tests.fake_openai import FakeOpenAI, held, text

pytestmark = pytest.mark.browser

FIRST = "Work on the barrier finished in February."
REST = "Local schools will visit it in April."
REQUIRED = {
    "Subject (required)": "Opening of the Riverside Flood Barrier",
    "For (required)": "Minister for the Environment",
    "From (team) (required)": "Flood Resilience Team",
    "Date (required)": "3 March 2026",
    "Purpose (required)": "The Minister opens the barrier on 12 March 2026.",
    "Key points (required)": "The barrier protects 4,200 homes.",
}


def test_a_sections_first_words_show_while_the_model_is_still_writing(tmp_path: Path) -> None:
    require_browser_tools()
    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "server-data"
    with FakeOpenAI() as server:
        server.script(held(f"{FIRST} {REST}", after_chars=len(FIRST), chunk_chars=len(FIRST)))
        server.fallback = lambda request: text("The Minister is asked to agree the press lines.")
        env = {"DRAFTER_BACKEND": "openai", "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test",
               "DRAFTER_MODEL": "fake-model"}
        with streamlit_server(data, env) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(90_000)
                page.goto(base)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_text("Signed in as alice").first).to_be_visible()
                wait_for_app(page)
                for label, value in REQUIRED.items():
                    field = page.get_by_label(label, exact=True)
                    field.fill(value)
                    commit_field(page, field)
                page.get_by_role("button", name="Generate draft").click()
                # the first sentence is shown while the server is still holding back the rest of the section
                expect(page.get_by_text(FIRST).first).to_be_visible(timeout=30_000)
                assert server.holding.is_set(), "the page showed the text only after the stream had ended"
                assert REST not in page.locator("body").inner_text()
                server.resume.set()
                expect(page.get_by_text("Draft generated").first).to_be_visible()
                wait_for_app(page)
            finally:
                browser.close()
        svc = DrafterService.from_settings(Settings(data_dir=data))
        try:
            (draft,) = svc.list_drafts(author="alice")
            assert draft.status == DraftStatus.draft and draft.backend == "openai"
            assert draft.sections[0].text == f"{FIRST} {REST}"  # what was streamed is what was saved
            assert server.chat_requests()[0].body.get("stream") is True
        finally:
            svc.store.engine.dispose()
