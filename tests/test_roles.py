"""Role configuration for the UI: parsing, the file form, admins, and one clear sentence on mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.errors import InputError
from drafter.roles import Role, load_roles, parse_roles
from drafter.settings import Settings


def test_roles_parse_from_the_env_form() -> None:
    roles = parse_roles("alice=drafter; bob=drafter,reviewer ;carol=admin")
    assert roles.roles("alice") == {Role.drafter}
    assert roles.has("bob", Role.reviewer) and not roles.has("alice", Role.reviewer)
    assert roles.roles("carol") == {Role.drafter, Role.reviewer, Role.admin}
    assert roles.roles("zoe") == {Role.drafter}  # anyone not listed drafts, and nothing more
    assert roles.known_users() == ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alice=drafter;bob=boss", "unknown role 'boss' for bob; roles are drafter, reviewer, admin."),
        ("alice", "'alice' is not of the form 'user=role,role'."),
        ("alice=drafter;alice=reviewer", "alice is listed twice."),
    ],
)
def test_bad_roles_are_one_sentence(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_roles(text)


def test_roles_file_with_comments_and_the_development_default(tmp_path: Path) -> None:
    path = tmp_path / "roles.txt"
    path.write_text(
        "# who reviews\nalice = drafter\nbob = drafter, reviewer  # team lead\n", encoding="utf-8"
    )
    roles = load_roles(Settings(data_dir=tmp_path, roles_file=path))
    assert roles.configured and roles.has("bob", Role.reviewer) and not roles.has("alice", Role.reviewer)
    default = load_roles(Settings(data_dir=tmp_path))
    assert not default.configured and default.known_users() == ["alice", "bob", "carol"]
    with pytest.raises(InputError, match="could not be read"):
        load_roles(Settings(data_dir=tmp_path, roles_file=tmp_path / "missing.txt"))
