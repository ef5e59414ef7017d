"""The UI shows author-controlled text as text: injection payloads in every field make no request elsewhere.

Before: titles, refine instructions, comments and other author text went to st.markdown / st.subheader /
st.caption as Markdown, so a reviewer's browser fetched an image from a URL put in a draft's title.
Requests are recorded with Playwright's `page.on("request")`; 127.0.0.2 stands for "another host".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drafter.models import SourceDoc
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.browser_support import CHROMIUM_ARGS, require_browser_tools, streamlit_server, wait_for_app
from tests.conftest import briefing_request
from tests.fakes import ScriptedBackend

pytestmark = pytest.mark.browser

IMAGE = "![x](http://127.0.0.2:9/x.png)"
HTML = "<img src=http://127.0.0.2:9/y>"
LINK = "[link](javascript:alert(1))"
PAYLOAD = f"{IMAGE} {HTML} {LINK}"
AUTHOR = "![u](http://127.0.0.2:9/user.png)"  # a user name is author-controlled too


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[str, DrafterService]]:
    data = tmp_path / "server-data"
    with streamlit_server(data) as base:
        svc = DrafterService.from_settings(Settings(data_dir=data))
        yield base, svc
        svc.store.engine.dispose()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    require_browser_tools()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=90_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        requested: list[str] = []
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else route.abort())
        page.set_default_timeout(90_000)
        yield page, requested
        context.close()
        browser.close()


def _payload_request() -> Any:
    request = briefing_request(backend="offline")
    inputs = {k: f"{k} {PAYLOAD}" for k in request.inputs}
    sources = [SourceDoc(name=f"notes {IMAGE}.txt", text=f"Source text {PAYLOAD}")]
    return request.model_copy(update={"inputs": inputs, "sources": sources})


def _seed(svc: DrafterService) -> None:
    # a draft by a user whose name is a payload, in review with bob: title, inputs, sources, sections,
    # an instruction, an edit and an earlier reviewer's comment all carry payloads
    theirs = svc.create_draft(_payload_request(), AUTHOR)
    # the offline backend refuses free instructions, so the refinements (whose stored instruction carries a
    # payload) are made by a scripted model registered under the same name, for seeding only
    refiner = DrafterService(svc.settings, svc.store, svc.catalog, {"offline": ScriptedBackend(name="offline")})
    refiner.refine_section(theirs.id, "summary", f"shorter {PAYLOAD}", AUTHOR)
    svc.edit_section(theirs.id, "background", f"Edited {PAYLOAD}", AUTHOR)
    svc.submit(theirs.id, AUTHOR)
    svc.request_changes(theirs.id, "carol", f"Please fix {PAYLOAD}")
    svc.submit(theirs.id, AUTHOR)
    # alice's own draft, sent back to her with a payload comment
    mine = svc.create_draft(_payload_request(), "alice")
    refiner.refine_section(mine.id, "summary", f"shorter {PAYLOAD}", "alice")
    svc.submit(mine.id, "alice")
    svc.request_changes(mine.id, "carol", f"Comment {PAYLOAD}")


def _sign_in(page: Any, base: str, user: str) -> None:
    from playwright.sync_api import expect

    page.goto(base)
    expect(page.get_by_text("Development sign-in").first).to_be_visible()
    wait_for_app(page)
    if user != "alice":
        page.get_by_label("Sign in as").click()
        page.get_by_role("option", name=f"{user} (").first.click()
        wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}").first).to_be_visible()
    wait_for_app(page)


def _visit(page: Any, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    wait_for_app(page)
    page.wait_for_timeout(500)  # let any image the page renders start loading


def test_injection_payloads_in_every_field_reach_no_other_host(
    app: tuple[str, DrafterService], page: tuple[Any, list[str]]
) -> None:
    from playwright.sync_api import expect

    base, svc = app
    browser_page, requested = page
    _seed(svc)
    _sign_in(browser_page, base, "bob")
    _visit(browser_page, "Review queue")
    # shown literally, as typed (the escaped Markdown renders the characters, not an image or a link)
    expect(browser_page.get_by_text(IMAGE).first).to_be_visible()
    expect(browser_page.get_by_text(HTML).first).to_be_visible()
    _visit(browser_page, "My drafts")
    _sign_in(browser_page, base, "alice")
    _visit(browser_page, "Draft")
    _visit(browser_page, "My drafts")
    expect(browser_page.get_by_text(IMAGE).first).to_be_visible()
    assert browser_page.locator("img[src*='127.0.0.2']").count() == 0
    assert browser_page.locator("a[href^='javascript']").count() == 0
    elsewhere = [url for url in requested if "127.0.0.2" in url]
    assert not elsewhere, f"the page fetched from another host: {elsewhere}"
    assert all(url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) for url in requested), \
        requested
