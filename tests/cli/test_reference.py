"""The committed command reference (README.md, docs/cli.md) is what the parser generates."""

from __future__ import annotations

from drafter.cli import reference


def test_committed_reference_matches_the_parser() -> None:
    for relative, (name, generate) in reference.TARGETS.items():
        current, wanted = reference.expected(reference.ROOT / relative, name, generate())
        assert current == wanted, f"{relative} is out of date: run `make cli-reference`"


def test_reference_lists_every_command_and_option() -> None:
    text = reference.full_reference()
    for name in reference.COMMANDS:
        assert f"## drafter {name}\n" in text
    assert "### drafter audit verify" in text and "--confirm-checklist" in text
