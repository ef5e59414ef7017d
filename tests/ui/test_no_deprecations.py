"""Every page runs without a Streamlit deprecation: none logged, none shown, no Python DeprecationWarning.

Streamlit reports a deprecated call (e.g. `use_container_width`) through `show_deprecation_warning`: always a
WARNING on its own logger, which is what lands in the server log. Streamlit's loggers do not propagate, so
pytest's caplog never sees them: this test listens on them directly. It also looks for the message on the
page (drawn as `st.warning` when `client.showErrorDetails` is "full") and for Python deprecation warnings.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config, deprecation_util
from streamlit.testing.v1 import AppTest

from drafter.backends.offline import OfflineBackend
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import draft_page, simplify_page
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.ui_support import ScriptedBackend, app_for

PAGES = "drafter/ui/pages/"
DEPRECATION_WORDS = ("deprecat", "will be removed", "please replace")
REGULATION = (
    "Section 1. Applications\n\nAn applicant shall submit the form within 30 days of 3 March 2026.\n\n"
    "Section 2. Fees\n\nThe fee of £25 is payable on application, pursuant to section 4 of the 2020 Act."
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def streamlit_log() -> Iterator[_Records]:
    """Warnings logged by any Streamlit logger, with deprecations shown on the page as well."""
    handler = _Records()
    AppTest.from_string("import streamlit as st\nst.write('warm up')").run()  # create Streamlit's loggers
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name.startswith("streamlit")]
    for logger in loggers:
        logger.addHandler(handler)
    deprecation_util._shown_warnings.clear()  # a warning shown "once" in an earlier test must show again here
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    try:
        yield handler
    finally:
        config.set_option("client.showErrorDetails", before)
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture
def busy_service(tmp_path: Path) -> Iterator[DrafterService]:
    """A service with something on every page: drafts in review and approved, a simplification, an export."""
    settings = Settings(data_dir=tmp_path / "data", backend="scripted")
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "scripted": ScriptedBackend()})
    in_review = svc.create_draft(briefing_request(backend="offline"), "alice")
    svc.edit_section(in_review.id, "summary", "A person rewrote the summary of the barrier opening.", "alice")
    svc.submit(in_review.id, "alice")
    approved = svc.create_draft(briefing_request(backend="offline"), "alice")
    svc.submit(approved.id, "alice")
    svc.approve(approved.id, "bob", FULL_CHECKLIST)
    svc.export(approved.id, tmp_path / "approved.docx", "alice")
    yield svc
    svc.store.engine.dispose()


def deprecations(at: AppTest) -> list[str]:
    shown = [str(w.value) for w in at.warning]
    return [m for m in shown if any(word in m.lower() for word in DEPRECATION_WORDS)]


def test_no_page_uses_a_deprecated_streamlit_call(
    busy_service: DrafterService, streamlit_log: _Records, tmp_path: Path
) -> None:
    svc = busy_service
    simplified = svc.simplify(REGULATION, title="Fees", audience="plain", user="alice", backend="offline")
    approved = next(d for d in svc.list_drafts(author="alice") if d.status.value == "approved")
    runs: list[tuple[str, AppTest]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs.append(("sign-in", app_for(svc)))
        at = app_for(svc, "alice")
        at.selectbox(key=draft_page.TEMPLATE_KEY).set_value("briefing").run()
        at.text_input(key=draft_page.input_key("briefing", "subject")).set_value("Call jane@example.org").run()
        assert at.dataframe, "the guard preview's table is drawn"
        runs.append(("draft form with a guard preview", at))
        at = app_for(svc, "alice")
        at.session_state[draft_page.CURRENT_KEY] = approved.id
        runs.append(("draft view", at.run()))
        runs.append(("simplify form", app_for(svc, "alice").switch_page(PAGES + "simplify.py").run()))
        at = app_for(svc, "alice").switch_page(PAGES + "simplify.py")
        at.session_state[simplify_page.CURRENT_KEY] = simplified.id
        runs.append(("simplify view", at.run()))
        runs.append(("review", app_for(svc, "bob").switch_page(PAGES + "review.py").run()))
        at = app_for(svc, "alice").switch_page(PAGES + "history.py").run()
        at.selectbox(key="keep.history.selected").set_value(approved.id).run()
        next(b for b in at.button if b.label == "Export to Word (.docx)").click().run()
        runs.append(("history with an export", at))
        runs.append(("statistics", app_for(svc, "carol").switch_page(PAGES + "stats.py").run()))
        runs.append(("settings", app_for(svc, "carol").switch_page(PAGES + "settings.py").run()))
    for name, at in runs:
        assert not at.exception, (name, [e.value for e in at.exception])
        assert deprecations(at) == [], name
    assert [m for m in streamlit_log.messages if any(w in m.lower() for w in DEPRECATION_WORDS)] == []
    assert [str(w.message) for w in caught
            if issubclass(w.category, DeprecationWarning | PendingDeprecationWarning | FutureWarning)] == []
