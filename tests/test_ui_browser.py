"""Real-browser journeys: Playwright drives Debian's Chromium against `streamlit run`; axe on every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drafter.models import DraftStatus, Origin
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.browser_support import (
    CHROMIUM_ARGS,
    OUTPUT,
    check_accessibility,
    commit_field,
    require_browser_tools,
    screenshot,
    streamlit_server,
    wait_for_app,
)
from tests.conftest import EXAMPLES, FULL_CHECKLIST, briefing_request

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser_tools()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=90_000)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[str, DrafterService]]:
    """A fresh server on its own data folder, and a service on the same store to set up and check state."""
    data = tmp_path / "server-data"
    with streamlit_server(data) as base:
        svc = DrafterService.from_settings(Settings(data_dir=data))
        yield base, svc
        svc.store.engine.dispose()
    # the server log stays free of Streamlit deprecation warnings (e.g. `use_container_width`)
    log = "".join(p.read_text() for p in tmp_path.glob("streamlit-*.log"))
    assert "deprecat" not in log.lower() and "will be removed" not in log.lower(), log


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    outside: list[str] = []

    def local_only(route: Any) -> None:
        # the app must work with no internet: any request off this machine is refused and reported
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()
    assert not outside, f"the app tried to reach the internet: {outside}"


def expect_text(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text(text, exact=False).first).to_be_visible()
    wait_for_app(page)


def choose(page: Any, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def sign_in(page: Any, base: str, user: str) -> None:
    page.goto(base)
    expect_text(page, "Development sign-in")
    if user != "alice":
        choose(page, "Sign in as", f"{user} (")
    page.get_by_role("button", name="Sign in").click()
    expect_text(page, f"Signed in as {user}")


def go_to(page: Any, title: str) -> None:
    page.get_by_role("link", name=title).click()
    wait_for_app(page)


BRIEFING = {
    "Subject (required)": ("subject", "Opening of the Riverside Flood Barrier"),
    "For (required)": ("recipient", "Minister for the Environment"),
    "From (team) (required)": ("author_unit", "Flood Resilience Team"),
    "Date (required)": ("date", "3 March 2026"),
    "Purpose (required)": (
        "purpose",
        "The Minister opens the barrier on 12 March 2026 and will speak to the press.",
    ),
    "Key points (required)": (
        "key_points",
        "The barrier protects 4,200 homes.\nIt was completed 3% under budget.",
    ),
    "Recommendation": ("recommendation", "Agree the press lines by 9 March 2026."),
    "Contact": ("contact", "Priya Shah, 020 7946 0000"),
}


def fill_briefing(page: Any) -> None:
    from playwright.sync_api import expect

    for label, (_, value) in BRIEFING.items():
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        commit_field(page, field)  # commit the value, as a keyboard user would
    # nothing typed was lost to the reruns that each committed field triggers
    for label, (_, value) in BRIEFING.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)


def submitted_draft(svc: DrafterService) -> str:
    draft = svc.create_draft(briefing_request(backend="offline"), "alice")
    svc.edit_section(
        draft.id, "summary", "The Minister opens the Riverside Flood Barrier on 12 March 2026.", "alice"
    )
    svc.submit(draft.id, "alice")
    return draft.id


def test_journey_1_drafter_fills_generates_edits_and_submits(
    app: tuple[str, DrafterService], page: Any
) -> None:
    base, svc = app
    page.goto(base)
    expect_text(page, "Development sign-in")
    check_accessibility(page, "sign-in")
    screenshot(page, "sign-in")
    sign_in(page, base, "alice")
    fill_briefing(page)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload", exact=True).click()
    chooser.value.set_files(str(EXAMPLES / "barrier-report.txt"))
    expect_text(page, "barrier-report.txt — ")
    check_accessibility(page, "draft-form")
    screenshot(page, "draft-form")
    page.get_by_role("button", name="Generate draft").click()
    expect_text(page, "Draft generated")
    drafts = svc.list_drafts(author="alice")
    assert len(drafts) == 1 and drafts[0].status == DraftStatus.draft
    # every typed value reaches the saved request; fields left alone keep their defaults (the marking)
    typed = {name: value for name, value in BRIEFING.values()}
    assert {k: v for k, v in drafts[0].request.inputs.items() if k in typed} == typed
    assert set(drafts[0].request.inputs) - set(typed) <= {"marking"}
    draft_id = drafts[0].id
    page.get_by_text("Edit “Summary”").click()
    box = page.get_by_label("Text of “Summary”")
    box.fill("The Minister opens the Riverside Flood Barrier on 12 March 2026 and meets residents.")
    commit_field(page, box)
    page.get_by_role("button", name="Save edit").first.click()
    expect_text(page, "Saved your edit to “Summary”")
    expect_text(page, "AI-generated, edited by a person")
    check_accessibility(page, "draft-generated")
    screenshot(page, "draft-generated")
    page.get_by_role("button", name="Submit for review").click()
    expect_text(page, "Submitted for review")
    draft = svc.get_draft(draft_id)
    assert draft.status == DraftStatus.in_review
    summary = draft.sections[0]
    assert summary.provenance.origin == Origin.ai_edited and "meets residents" in summary.text
    assert summary.provenance.ai_text and "meets residents" not in summary.provenance.ai_text
    go_to(page, "Settings and about")
    expect_text(page, "The offline backend is active")
    check_accessibility(page, "settings")
    screenshot(page, "settings")


def test_journey_2_reviewer_sees_diff_and_badges_and_approves(
    app: tuple[str, DrafterService], page: Any
) -> None:
    from playwright.sync_api import expect

    base, svc = app
    draft_id = submitted_draft(svc)
    sign_in(page, base, "bob")
    go_to(page, "Review queue")
    expect_text(page, "Opening of the Riverside Flood Barrier")
    expect_text(page, "AI-generated, edited by a person")
    expect(page.locator("del").first).to_be_visible()  # the word diff of the person's edit
    expect(page.locator("ins").first).to_be_visible()
    # only Background is machine-made: Key points, Recommendation and Contact are the author's own inputs
    assert page.get_by_text("AI-generated", exact=True).count() >= 1
    assert page.get_by_text("The author's own words", exact=True).count() >= 3
    check_accessibility(page, "review-queue")
    screenshot(page, "review-queue")
    page.get_by_role("button", name="Approve").click()
    expect_text(page, "Approval needs the review checklist confirmed")
    for label in (
        "I checked the facts against the sources",
        "The draft contains no sensitive data that should not be there",
        "The AI-use label (which sections are AI-generated) is accurate",
    ):
        box = page.get_by_role("checkbox", name=label)
        box.focus()  # by keyboard, as a keyboard-only reviewer would
        box.press("Space")
        expect(box).to_be_checked()
        wait_for_app(page)
    page.get_by_role("button", name="Approve").click()
    expect_text(page, "Nothing is waiting for your review.")
    assert svc.get_draft(draft_id).status == DraftStatus.approved
    assert svc.reviews(draft_id)[-1].reviewer == "bob"


def test_journey_3_drafter_downloads_the_docx_and_it_verifies(
    app: tuple[str, DrafterService], page: Any, tmp_path: Path
) -> None:
    base, svc = app
    draft_id = submitted_draft(svc)
    svc.approve(draft_id, "bob", FULL_CHECKLIST)
    sign_in(page, base, "alice")
    go_to(page, "My drafts")
    expect_text(page, "Opening of the Riverside Flood Barrier")
    page.get_by_role("button", name="Export to Word (.docx)").click()
    expect_text(page, "Verified:")
    check_accessibility(page, "history")
    screenshot(page, "history")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the .docx").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "Opening-of-the-Riverside-Flood-Barrier.docx"
    report = svc.verify_file(target)
    assert report.ok, report.problems
    assert report.provenance and report.provenance["reviewer"] == "bob"
    assert report.provenance["draft_id"] == draft_id
    assert (OUTPUT / "history.png").is_file()


SHORT_REGULATION = (
    "Section 1. Applications\n"
    "An applicant shall submit the application form prior to 1 March 2026.\n\n"
    "Section 2. Payments\n"
    "Payments of £250 shall be made monthly to each eligible household.\n"
)


def test_journey_4_drafter_simplifies_a_regulation_and_submits_it(
    app: tuple[str, DrafterService], page: Any
) -> None:
    from playwright.sync_api import expect

    base, svc = app
    sign_in(page, base, "alice")
    go_to(page, "Simplify")
    expect_text(page, "Turn a regulation or notice into")
    box = page.get_by_role("textbox", name="Text of the regulation or notice")
    box.fill(SHORT_REGULATION)
    commit_field(page, box)
    title = page.get_by_label("Title of the simplified version")
    title.fill("Housing help in plain words")
    commit_field(page, title)
    expect(box).to_have_value(SHORT_REGULATION)  # nothing typed lost to the reruns
    choose(page, "Audience", "Plain language")
    check_accessibility(page, "simplify-form")
    screenshot(page, "simplify-form")
    page.get_by_role("button", name="Simplify", exact=True).click()
    expect_text(page, "Compare each section with the original")  # after the honest outcome sentence
    [draft] = svc.list_drafts(author="alice")
    assert draft.title == "Housing help in plain words" and draft.status == DraftStatus.draft
    # side by side: the original wording and the simplified wording of the same section
    expect_text(page, "An applicant shall submit the application form prior to 1 March 2026.")
    expect_text(page, "An applicant must submit the application form before 1 March 2026.")
    row = page.locator('[data-testid="stHorizontalBlock"]').filter(has_text="prior to 1 March 2026")
    expect(row.filter(has_text="before 1 March 2026")).to_have_count(1)  # in one row of two columns
    expect(row.locator('[data-testid="stColumn"]')).to_have_count(2)
    expect_text(page, "Reading grade (Flesch-Kincaid)")
    check_accessibility(page, "simplify-result")
    screenshot(page, "simplify-result")
    page.get_by_role("button", name="Submit for review").click()
    expect_text(page, "Submitted for review")
    assert svc.get_draft(draft.id).status == DraftStatus.in_review


def test_statistics_page_is_accessible_to_an_admin(app: tuple[str, DrafterService], page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, svc = app
    draft_id = submitted_draft(svc)
    svc.approve(draft_id, "bob", FULL_CHECKLIST)
    svc.export(draft_id, tmp_path / "exported.docx", "alice")
    sign_in(page, base, "carol")
    go_to(page, "Statistics")
    expect_text(page, "Drafts per week")
    stats = svc.statistics()
    # weekly, approval time, templates and exported text always; the others when there is something to show
    shown = 4 + sum(bool(rows) for rows in (stats.findings, stats.waivers, stats.failures, stats.tokens))
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(shown)
    for i in range(shown):  # each chart has drawn its marks
        expect(charts.nth(i).locator("svg, canvas").first).to_be_visible()
    check_accessibility(page, "statistics")
    screenshot(page, "statistics")
