"""User names are normalised (NFKC, trimmed, case-folded) and validated at every service entry point.

Before: `--user "alice "`, "ALICE" or another Unicode form of alice was a different person, so it approved
alice's own draft.
"""

from __future__ import annotations

import unicodedata

import pytest

from drafter.errors import InputError, RefusedError
from drafter.models import user_name
from drafter.roles import Role, parse_roles
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request

ALICE_FORMS = ["alice ", " alice", "ALICE", "Alice", "\talice\n", "ａｌｉｃｅ", "alice\u3000"]


@pytest.mark.parametrize("form", ALICE_FORMS)
def test_another_form_of_the_author_cannot_approve(service: DrafterService, form: str) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, form, FULL_CHECKLIST)


def test_decomposed_and_composed_forms_are_one_person(service: DrafterService) -> None:
    composed = "zoë"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    draft = service.create_draft(briefing_request(), decomposed)
    assert draft.author == composed
    service.submit(draft.id, "ZOË ")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, composed, FULL_CHECKLIST)


def test_another_form_of_an_editor_cannot_approve(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "Bob's words.", " Bob ")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, "BOB", FULL_CHECKLIST)


@pytest.mark.parametrize("bad", ["", "   ", "al\x00ice", "al\x1bice", "ali\u200bce", "\u202eecila", "a" * 65])
def test_bad_names_are_refused_in_one_sentence(service: DrafterService, bad: str) -> None:
    with pytest.raises(InputError) as caught:
        service.create_draft(briefing_request(), bad)
    message = str(caught.value)
    assert message.startswith("A user name") and message.count(". ") == 0
    assert service.list_drafts() == []


def test_names_are_stored_in_one_form(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "  Alice  Smith ")
    assert draft.author == "alice smith"
    assert {e.actor for e in service.audit_trail(draft.id)} == {"alice smith"}
    assert user_name("ＡＬＩＣＥ") == "alice"


def test_role_lookups_use_the_same_form() -> None:
    roles = parse_roles("Bob = reviewer; ＣＡＲＯＬ=admin")
    assert roles.has("bob ", Role.reviewer) and roles.has("BOB", Role.reviewer)
    assert roles.has("carol", Role.reviewer)
    assert not roles.has("alice", Role.reviewer)
    with pytest.raises(InputError, match="listed twice"):
        parse_roles("bob=reviewer;BOB=drafter")
