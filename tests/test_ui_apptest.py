"""The Streamlit pages driven through AppTest: sign-in and roles, drafting, review, history, settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from drafter.backends.offline import OfflineBackend
from drafter.models import DraftStatus, Origin
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import draft_page, history_page, review_page
from drafter.ui.common import SERVICE_OVERRIDE_KEY, USER_KEY
from tests.conftest import EXAMPLES, FULL_CHECKLIST, briefing_request
from tests.ui_support import APP, TIMEOUT, ScriptedBackend, app_for, texts

DRAFT = "drafter/ui/pages/draft.py"
REVIEW = "drafter/ui/pages/review.py"
HISTORY = "drafter/ui/pages/history.py"
SETTINGS = "drafter/ui/pages/settings.py"


@pytest.fixture
def scripted() -> ScriptedBackend:
    return ScriptedBackend()


@pytest.fixture
def ui_service(tmp_path: Path, scripted: ScriptedBackend) -> Iterator[DrafterService]:
    settings = Settings(data_dir=tmp_path / "data", backend="scripted")
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "scripted": scripted})
    yield svc
    svc.store.engine.dispose()


def example_inputs() -> dict[str, str]:
    raw = yaml.safe_load((EXAMPLES / "briefing-inputs.yaml").read_text())
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}


def set_field(at: AppTest, name: str, value: str) -> None:
    key = draft_page.input_key("briefing", name)
    try:
        at.text_input(key=key).set_value(value)
    except KeyError:
        at.text_area(key=key).set_value(value)


def fill_briefing(at: AppTest, skip: tuple[str, ...] = ()) -> None:
    at.selectbox(key=draft_page.TEMPLATE_KEY).set_value("briefing").run()
    for name, value in example_inputs().items():
        if name not in skip:
            set_field(at, name, value)
    at.run()


def button(at: AppTest, label: str, index: int = 0):  # noqa: ANN201 - AppTest's Button type is internal
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[index]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# --- sign-in and roles ----------------------------------------------------------------------------


def test_development_sign_in_is_marked_and_signs_in(ui_service: DrafterService) -> None:
    at = app_for(ui_service)
    no_exception(at)
    assert "Development sign-in" in texts(at)
    at.selectbox[0].set_value("bob")
    button(at, "Sign in").click().run()
    no_exception(at)
    assert at.session_state[USER_KEY] == "bob"
    assert "Signed in as **bob**" in texts(at)
    at.text_input(key=draft_page.input_key("briefing", "subject")).set_value("Bob's private subject").run()
    button(at, "Sign out").click().run()
    assert "Sign in to Drafter" in [t.value for t in at.title]
    # the next person on this browser does not inherit what bob typed
    button(at, "Sign in").click().run()
    assert at.session_state[USER_KEY] == "alice"
    assert at.text_input(key=draft_page.input_key("briefing", "subject")).value == ""


def test_a_drafter_without_the_reviewer_role_has_no_review_queue(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    with pytest.raises(ValueError, match="not a registered page|registered"):
        at.switch_page(REVIEW)
    bob = app_for(ui_service, "bob")
    bob.switch_page(REVIEW).run()
    no_exception(bob)
    assert "Nothing is waiting for your review." in texts(bob)


def test_with_oidc_configured_the_provider_identity_is_used(ui_service: DrafterService) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[SERVICE_OVERRIDE_KEY] = ui_service
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-secret",
        "client_id": "drafter",
        "client_secret": "test",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": False}
    at.run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Development sign-in" not in texts(at)
    at.user = {"is_logged_in": True, "email": "dora_p@example.org"}
    at.run()
    no_exception(at)
    assert "Signed in as **dora_p@example.org**" in texts(at)
    with pytest.raises(ValueError, match="registered"):  # not listed in the roles: a drafter only
        at.switch_page(REVIEW)


def test_roles_come_from_settings_and_a_bad_roles_value_is_one_sentence(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(
        Settings(data_dir=tmp_path / "d", roles="dora=drafter,reviewer;ed=boss")
    )
    at = app_for(svc)
    no_exception(at)
    assert "Drafter could not start: DRAFTER_ROLES: unknown role 'boss' for ed" in texts(at)
    svc.store.engine.dispose()
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "e", roles="dora=drafter,reviewer"))
    at = app_for(svc)
    assert at.selectbox[0].options == ["dora (drafter, reviewer)"]
    svc.store.engine.dispose()


# --- drafting -------------------------------------------------------------------------------------


def test_missing_required_fields_are_named_next_to_each_field_and_nothing_is_saved(
    ui_service: DrafterService,
) -> None:
    at = app_for(ui_service, "alice")
    fill_briefing(at, skip=("subject", "purpose"))
    button(at, "Generate draft").click().run()
    no_exception(at)
    errors = [e.value for e in at.error]
    assert "Subject is required." in errors and "Purpose is required." in errors
    assert any("2 missing" in e for e in errors)
    assert ui_service.list_drafts() == []
    # what was typed is still there
    assert (
        at.text_input(key=draft_page.input_key("briefing", "recipient")).value
        == "Minister for the Environment"
    )


def test_drafter_generates_edits_refines_and_submits(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    fill_briefing(at)
    at.file_uploader[0].set_value(
        ("barrier-report.txt", (EXAMPLES / "barrier-report.txt").read_bytes(), "text/plain")
    ).run()
    assert "barrier-report.txt" in texts(at)
    button(at, "Generate draft").click().run()
    no_exception(at)
    draft = ui_service.list_drafts(author="alice")[0]
    assert draft.status == DraftStatus.draft and len(draft.sections) == 5
    assert [s.name for s in draft.request.sources] == ["barrier-report.txt"]
    page = texts(at)
    assert "Draft generated" in page and "Summary text by the scripted model" in page
    assert page.count("AI-generated") >= 5
    # edit one section in place: the badge changes and the AI original is kept by the service
    key = f"keep.draft.edit.{draft.id}.summary"
    at.text_area(key=key).set_value("The Minister opens the barrier on 12 March.").run()
    button(at, "Save edit").click().run()
    no_exception(at)
    draft = ui_service.get_draft(draft.id)
    summary = draft.sections[0]
    assert summary.provenance.origin == Origin.ai_edited
    assert summary.provenance.ai_text == "Summary text by the scripted model."
    assert "AI-generated, edited by a person" in texts(at)
    # refine another by instruction
    at.text_input(key=f"keep.draft.refine.{draft.id}.background").set_value("make it shorter").run()
    button(at, "Refine", 1).click().run()
    no_exception(at)
    assert "Refined Background (make it shorter)." in texts(at)
    assert at.text_input(key=f"keep.draft.refine.{draft.id}.background").value == ""
    button(at, "Submit for review").click().run()
    no_exception(at)
    assert ui_service.get_draft(draft.id).status == DraftStatus.in_review
    assert "Submitted for review" in texts(at)


def test_typed_inputs_survive_a_page_switch(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    fill_briefing(at)
    at.switch_page(SETTINGS).run()
    no_exception(at)
    at.switch_page(DRAFT).run()
    assert at.text_input(key=draft_page.input_key("briefing", "subject")).value == example_inputs()["subject"]
    assert (
        at.text_area(key=draft_page.input_key("briefing", "key_points")).value
        == example_inputs()["key_points"]
    )


def test_typed_inputs_survive_choosing_another_template_and_coming_back(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    fill_briefing(at)
    other = next(t.id for t in ui_service.templates() if t.id != "briefing")
    at.selectbox(key=draft_page.TEMPLATE_KEY).set_value(other).run()
    no_exception(at)
    assert draft_page.input_key("briefing", "subject") not in [w.key for w in at.text_input]
    at.selectbox(key=draft_page.TEMPLATE_KEY).set_value("briefing").run()
    assert at.text_input(key=draft_page.input_key("briefing", "subject")).value == example_inputs()["subject"]


def test_a_failed_generation_keeps_everything_and_resumes(
    ui_service: DrafterService, scripted: ScriptedBackend
) -> None:
    scripted.fail_on_call = 3
    at = app_for(ui_service, "alice")
    fill_briefing(at)
    button(at, "Generate draft").click().run()
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "The scripted backend timed out after 2 retries." in errors and "Resume generation" in errors
    draft = ui_service.list_drafts(author="alice")[0]
    assert draft.status == DraftStatus.failed and len(draft.sections) == 2
    button(at, "Resume generation").click().run()
    no_exception(at)
    draft = ui_service.get_draft(draft.id)
    assert draft.status == DraftStatus.draft and len(draft.sections) == 5
    # and the form still holds what was typed, for the next draft
    button(at, "Start a new draft").click().run()
    assert at.text_input(key=draft_page.input_key("briefing", "subject")).value == example_inputs()["subject"]


def test_a_pasted_source_is_attached_and_a_bad_upload_is_one_sentence(ui_service: DrafterService) -> None:
    at = app_for(ui_service, "alice")
    at.text_input(key="keep.draft.paste_name").set_value("notes")
    at.text_area(key="keep.draft.paste_text").set_value("The barrier cost £48 million.").run()
    button(at, "Add pasted source").click().run()
    no_exception(at)
    assert "notes.txt" in texts(at)
    assert at.text_area(key="keep.draft.paste_text").value == ""
    at.file_uploader[0].set_value(("broken.docx", b"not a zip", "application/octet-stream")).run()
    no_exception(at)
    assert "Source broken.docx is not a valid .docx file." in [e.value for e in at.error]


# --- review ---------------------------------------------------------------------------------------


def submitted_draft(service: DrafterService, *, editor: str = "alice") -> str:
    draft = service.create_draft(briefing_request(backend="offline"), "alice")
    service.edit_section(draft.id, "summary", "A person rewrote the summary of the barrier opening.", editor)
    service.submit(draft.id, "alice")
    return draft.id


def test_reviewer_sees_badges_and_diff_and_needs_the_checklist_to_approve(ui_service: DrafterService) -> None:
    draft_id = submitted_draft(ui_service)
    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    no_exception(at)
    page = texts(at)
    assert "Opening of the Riverside Flood Barrier" in page
    assert "AI-generated, edited by a person" in page and "AI-generated" in page
    diff = next(h.proto.body for h in at.get("html") if "<del" in h.proto.body)
    assert "<ins" in diff and "rewrote" in diff
    assert "Sources (1)" in [e.label for e in at.expander]
    assert "Citations: [1] barrier-report.txt" in page
    button(at, "Approve").click().run()
    no_exception(at)
    assert any("Approval needs the review checklist confirmed" in e.value for e in at.error)
    prefix = f"keep.review.{draft_id}."
    for name in ("facts", "sensitive", "label"):
        at.checkbox(key=prefix + name).check()
    at.run()
    button(at, "Approve").click().run()
    no_exception(at)
    assert ui_service.get_draft(draft_id).status == DraftStatus.approved
    assert "Approved" in texts(at) and "Nothing is waiting for your review." in texts(at)


def test_a_reviewer_who_edited_the_draft_is_refused_with_the_reason(ui_service: DrafterService) -> None:
    draft_id = submitted_draft(ui_service, editor="bob")
    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    for name in ("facts", "sensitive", "label"):
        at.checkbox(key=f"keep.review.{draft_id}.{name}").check()
    at.run()
    button(at, "Approve").click().run()
    no_exception(at)
    assert f"bob edited draft {draft_id} and cannot approve it; another person must review it." in [
        e.value for e in at.error
    ]
    assert ui_service.get_draft(draft_id).status == DraftStatus.in_review


def test_the_author_is_told_they_cannot_review_their_own_draft(ui_service: DrafterService) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "carol")
    ui_service.submit(draft.id, "carol")
    at = app_for(ui_service, "carol").switch_page(REVIEW).run()
    no_exception(at)
    page = texts(at)
    assert "You cannot approve your own work" in page and "Nothing is waiting for your review." in page


def test_request_changes_needs_a_comment_and_the_author_sees_it(ui_service: DrafterService) -> None:
    draft_id = submitted_draft(ui_service)
    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    button(at, "Request changes").click().run()
    assert "Say what needs to change: a comment is required." in [e.value for e in at.error]
    at.text_area(key=f"keep.review.{draft_id}.comment").set_value("Add the cost figure to the summary.").run()
    button(at, "Request changes").click().run()
    no_exception(at)
    assert ui_service.get_draft(draft_id).status == DraftStatus.changes_requested
    alice = app_for(ui_service, "alice")
    alice.session_state[draft_page.CURRENT_KEY] = draft_id
    alice.run()
    assert "bob asked for changes: Add the cost figure to the summary." in [w.value for w in alice.warning]


# --- history and settings -------------------------------------------------------------------------


def test_history_exports_an_approved_draft_and_verifies_it(ui_service: DrafterService) -> None:
    draft_id = submitted_draft(ui_service)
    ui_service.approve(draft_id, "bob", FULL_CHECKLIST)
    at = app_for(ui_service, "alice").switch_page(HISTORY).run()
    no_exception(at)
    assert at.selectbox(key=history_page.SELECTED_KEY).value == draft_id
    button(at, "Export to Word (.docx)").click().run()
    no_exception(at)
    assert [b.label for b in at.get("download_button")] == ["Download the .docx", "Download review copy"]
    assert any(s.value.startswith("Verified:") for s in at.success)
    name, data, report, statement = at.session_state[history_page.EXPORT_KEY + draft_id]
    assert name == "Opening-of-the-Riverside-Flood-Barrier.docx" and data[:2] == b"PK"
    assert report.ok and "reviewed and approved by bob" in statement
    actions = [e.action for e in ui_service.audit_trail(draft_id)]
    assert actions[-1] == "exported"
    page = texts(at)
    assert "The whole audit log" in page and "verifies" in page
    # the versions tab diffs the last two versions
    assert any("Version" in c.value for c in at.caption)


def test_history_refuses_export_before_approval_and_verifies_an_upload(ui_service: DrafterService) -> None:
    draft_id = submitted_draft(ui_service)
    at = app_for(ui_service, "alice").switch_page(HISTORY).run()
    assert "It can be exported once a reviewer approves it." in " ".join(i.value for i in at.info)
    assert not [b for b in at.button if b.label.startswith("Export")]
    ui_service.approve(draft_id, "bob", FULL_CHECKLIST)
    out = Path("exported.docx")
    ui_service.export(draft_id, out, "alice")
    uploader = [u for u in at.file_uploader if u.key == "history.verify"][0]
    uploader.set_value(("exported.docx", out.read_bytes(), "application/octet-stream")).run()
    no_exception(at)
    assert any(s.value.startswith("Verified:") for s in at.success)
    uploader = [u for u in at.file_uploader if u.key == "history.verify"][0]
    uploader.set_value(("fake.docx", b"plain text", "application/octet-stream")).run()
    no_exception(at)
    assert any("is not a .docx file" in e.value for e in at.error)


def test_open_in_the_draft_page_switches_to_the_draft(ui_service: DrafterService) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    at = app_for(ui_service, "alice").switch_page(HISTORY).run()
    button(at, "Open in the Draft page").click().run()
    no_exception(at)
    assert at.session_state[draft_page.CURRENT_KEY] == draft.id
    assert "Submit for review" in [b.label for b in at.button]


def test_settings_page_is_honest_about_the_offline_backend(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    at = app_for(svc, "carol").switch_page(SETTINGS).run()
    no_exception(at)
    page = texts(at)
    assert "The offline backend is active. It uses no language model" in page
    assert str(tmp_path / "data") in page
    assert "offline assembler, which uses no language model" in page and "本文由人工智能辅助生成" in page
    assert "development sign-in" in page.lower()
    table = at.table[0].value
    assert list(table["Backend"]) == ["offline (default)"]
    assert "Always available" in table["Reachability"][0]
    svc.store.engine.dispose()


def test_review_page_module_names_its_flash_key() -> None:
    # the pages share nothing but common.py: each page's session keys stay in its own namespace
    assert review_page.FLASH_KEY.startswith("review.") and history_page.EXPORT_KEY.startswith("history.")


# --- guard preview and check findings ----------------------------------------------------------------


def test_guard_preview_lists_personal_data_and_blocks_markings(tmp_path: Path, scripted: ScriptedBackend) -> None:
    """A backend cleared only for unmarked text: the preview says what is found and that SECRET blocks."""
    settings = Settings(data_dir=tmp_path / "data", backend="scripted", backend_clearances={"scripted": "public"})
    service = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "scripted": scripted})
    at = app_for(service, "alice").switch_page(DRAFT).run()
    fill_briefing(at)
    set_field(at, "contact", "Priya Shah, priya.shah@example.gov.uk")
    at.run()
    no_exception(at)
    table = next(df.value for df in at.dataframe if "What happens" in df.value.columns)
    email = table[table["Found"] == "priya.shah@example.gov.uk"]
    assert len(email) == 1 and email.iloc[0]["Where"] == "Contact, line 1"
    set_field(at, "purpose", "SECRET\nThe barrier budget will be cut.")
    at.run()
    no_exception(at)
    blocked = next(df.value for df in at.dataframe if "What happens" in df.value.columns)
    assert "blocks sending" in set(blocked["What happens"])
    assert any("will be refused for this backend" in e.value for e in at.error)
    assert scripted.calls == 0  # previewing sends nothing
    service.store.engine.dispose()


def test_reviewer_sees_a_blocking_finding_and_waives_it_with_a_reason(ui_service: DrafterService) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    ui_service.edit_section(draft.id, "summary", "The barrier cost £99 million to build.", "alice")
    ui_service.submit(draft.id, "alice")
    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    no_exception(at)
    assert any("1 blocking finding must be corrected or waived" in e.value for e in at.error)
    marked = [h.proto.body for h in at.get("html") if "<mark" in h.proto.body]
    assert any(">£99 million</mark>" in body and "not in the inputs or the sources" in body for body in marked)
    [finding] = [f for f in ui_service.findings(draft.id) if f.severity.value == "blocking"]
    box = next(t for t in at.text_input if finding.id in t.label)
    box.set_value("Confirmed with the finance team on 2 March.")
    next(b for b in at.button if b.label == "Waive with this reason").click().run()
    no_exception(at)
    waived = next(f for f in ui_service.findings(draft.id) if f.id == finding.id)
    assert waived.status.value == "waived" and waived.waived_by == "bob"


def test_a_conflicting_edit_keeps_what_the_user_typed(ui_service: DrafterService) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    at = app_for(ui_service, "alice").switch_page(DRAFT)
    at.session_state[draft_page.CURRENT_KEY] = draft.id
    at.run()
    no_exception(at)
    areas = [t for t in at.text_area if t.label == "Text of “Summary”"]
    areas[0].set_value("Alice's careful rewording of the summary.")
    ui_service.edit_section(draft.id, "summary", "Bob changed it first.", "bob")  # meanwhile, elsewhere
    next(b for b in at.button if b.key == f"save-{draft.id}-summary").click().run()
    no_exception(at)
    assert any("changed by bob" in e.value for e in at.error)
    at.run()  # the page reloads the new version
    kept_text = [t.value for t in at.text_area if t.label == "Text of “Summary”"]
    assert kept_text == ["Alice's careful rewording of the summary."]
    assert any("Your text is kept below" in w.value for w in at.warning)


def test_a_chinese_document_is_shown_with_chinese_labels(ui_service: DrafterService) -> None:
    """The labels around a document follow the interface language, which a Chinese user sets once."""
    from drafter.models import DraftRequest

    raw = yaml.safe_load((EXAMPLES / "zh" / "tongzhi.yaml").read_text(encoding="utf-8"))
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    draft = ui_service.create_draft(DraftRequest(template_id="zh-tongzhi", inputs=inputs, backend="offline"), "alice")
    for user in ("alice", "bob"):
        ui_service.set_user_language(user, "zh_CN")
    at = app_for(ui_service, "alice").switch_page(DRAFT)
    at.session_state[draft_page.CURRENT_KEY] = draft.id
    at.run()
    no_exception(at)
    labels = [e.label for e in at.expander]
    first = draft.sections[0].heading
    assert f"修改「{first}」" in labels and f"按要求改写「{first}」" in labels
    assert "保存修改" in [b.label for b in at.button]
    ui_service.submit(draft.id, "alice")
    review = app_for(ui_service, "bob").switch_page(REVIEW).run()
    no_exception(review)
    assert "人工智能生成" in texts(review)
