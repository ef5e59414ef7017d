"""Typing into a form field does not re-run the page: in real Chromium, the reruns the page asks the server for
(counted on its WebSocket) are counted while a person types into each kind of field of the draft form, then when
they leave the field."""

from __future__ import annotations

from typing import Any

import pytest

from drafter.service import DrafterService
from tests.browser_support import commit_field, count_runs, runs_counted, runs_finished, wait_for_app
from tests.test_ui_browser import app, browser, expect_text, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_typing_runs_nothing_and_leaving_the_field_runs_the_page_once(
    app: tuple[str, DrafterService], page: Any  # noqa: F811
) -> None:
    base, _svc = app
    page.goto(base)
    expect_text(page, "Development sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect_text(page, "Signed in as alice")
    for label, typed in (
        ("Subject (required)", "Opening of the Riverside Flood Barrier"),  # one line
        ("Key points (required)", "The barrier protects 4,200 homes.\nIt was finished early."),  # several lines
    ):
        field = page.get_by_label(label, exact=True)
        field.click()
        count_runs(page)
        field.press_sequentially(typed, delay=15)
        page.wait_for_timeout(400)  # long enough for a rerun a keystroke had asked for to have started
        assert runs_counted(page) == 0, f"typing into {label} re-ran the page"
        assert commit_field(page, field), f"leaving {label} did not send its value"
        assert (runs_counted(page), runs_finished(page)) == (1, 1)  # one rerun asked for, and it ran to its end
        wait_for_app(page)
        assert page.get_by_label(label, exact=True).input_value() == typed  # nothing typed was lost
