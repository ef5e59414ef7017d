"""`--user` (else DRAFTER_USER) is accepted by every command that acts for or reads as a user."""

from __future__ import annotations

import json

import pytest

from drafter.cli import main
from drafter.cli.app import build_parser
from tests.conftest import EXAMPLES

# Commands that act for a user, or read drafts as one. The others describe the deployment (templates, backends,
# doctor, record, register, calls, audit, eval, scan) or a file (verify).
AS_A_USER = ["draft", "generate", "show", "list", "edit", "refine", "submit", "approve", "findings", "waive",
             "request-changes", "export", "simplify", "purge"]


@pytest.mark.parametrize("command", AS_A_USER)
def test_command_declares_user(command: str) -> None:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    assert "--user" in {option for action in sub._actions for option in action.option_strings}


def test_show_and_findings_take_user(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = str(EXAMPLES / "briefing-inputs.yaml")
    assert main(["draft", "briefing", "--inputs", inputs, "--user", "alice"]) == 0
    draft_id = capsys.readouterr().out.strip()
    assert main(["show", draft_id, "--json", "--user", "alice"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == draft_id
    assert main(["findings", draft_id, "--user", "bob"]) == 0
    assert main(["list", "--json", "--user", "bob"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("DRAFTER_USER", "alice")  # the fallback, as for every other command
    assert main(["submit", draft_id]) == 0
    assert capsys.readouterr().out.strip() == f"{draft_id} submitted for review"


def test_acting_without_a_user_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["submit", "nope"])
    assert exc.value.code == 2
    assert "say who you are with --user NAME or the DRAFTER_USER environment variable" in capsys.readouterr().err
