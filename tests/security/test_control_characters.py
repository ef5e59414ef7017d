"""Intake rejects control characters other than tab and newline; the CLI never prints them raw.

Before: NUL and ESC passed intake and review, then export failed with "unexpected error: ValueError", and
`drafter show` printed raw escape sequences (a title could recolour the terminal or rewrite lines).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drafter.cli import main
from drafter.cli.terminal import escape
from drafter.errors import InputError
from drafter.models import DraftRequest, SourceDoc, control_characters
from drafter.service import DrafterService
from tests.conftest import EXAMPLES, briefing_request

BAD = ["\x00", "\x1b[2J", "\x07", "\x08", "\x7f", "\x9b", "\r"]


def _with_input(field: str, value: str) -> DraftRequest:
    request = briefing_request()
    return request.model_copy(update={"inputs": {**request.inputs, field: value}})


@pytest.mark.parametrize("bad", BAD)
def test_inputs_titles_and_sources_with_control_characters_are_refused(service: DrafterService, bad: str) -> None:
    title_field = service.template("briefing").title_field or "title"
    attempts = [
        _with_input(title_field, f"Budget{bad}"),
        _with_input("background", f"Line one{bad}line two"),
        briefing_request().model_copy(update={"sources": [SourceDoc(name=f"notes{bad}.txt", text="Fine.")]}),
        briefing_request().model_copy(update={"sources": [SourceDoc(name="notes.txt", text=f"Bad{bad}text")]}),
    ]
    for request in attempts:
        with pytest.raises(InputError, match=r"contains control characters \(U\+00") as caught:
            service.create_draft(request, "alice")
        assert str(caught.value).endswith(".") and ". " not in str(caught.value)  # one sentence
    assert service.list_drafts() == []


@pytest.mark.parametrize("bad", BAD)
def test_edits_refinements_comments_and_simplifications_are_refused(service: DrafterService, bad: str) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    with pytest.raises(InputError, match="The edited text contains control characters"):
        service.edit_section(draft.id, "summary", f"New{bad}text", "alice")
    with pytest.raises(InputError, match="The instruction contains control characters"):
        service.refine_section(draft.id, "summary", f"shorter{bad}", "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(InputError, match="The comment contains control characters"):
        service.request_changes(draft.id, "bob", f"Fix{bad} this")
    with pytest.raises(InputError, match="contains control characters"):
        service.start_simplification(f"Article 1. Rule{bad}.", title="Rules", audience="plain", user="alice")
    assert service.get_draft(draft.id).version == draft.version + 1  # only the submission happened


def test_tab_newline_and_crlf_are_text() -> None:
    assert control_characters("a\tb\nc\r\nd") == []
    assert control_characters("a\rb") == ["U+000D"]


def test_cli_refuses_in_one_sentence_with_the_input_error_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = yaml.safe_load((EXAMPLES / "briefing-inputs.yaml").read_text())
    inputs["title"] = "Budget \x1b]0;pwned\x07 \x00"
    path = tmp_path / "inputs.yaml"
    path.write_text(yaml.safe_dump(inputs))
    code = main(["draft", "briefing", "--inputs", str(path), "--user", "alice"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "contains control characters (U+001B, U+0007, U+0000)" in err
    assert "\x1b" not in err and "Traceback" not in err


def test_show_escapes_what_is_already_stored(sqlite_service: DrafterService, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Text stored before intake checks existed (or written to the database directly) is shown escaped.

    (SQLite only: the CLI's own engine is not disposed, and escaping does not depend on the database.)
    """
    service = sqlite_service
    draft = service.create_draft(briefing_request(), "alice")
    with service.store.engine.begin() as conn:
        import sqlalchemy as sa

        conn.execute(sa.text("UPDATE drafts SET title = :t WHERE id = :id"),
                     {"t": "Evil \x1b[2J\x1b]0;owned\x07 title \u202eRLO", "id": draft.id})
    monkeypatch.setenv("DRAFTER_DATABASE_URL", service.settings.sqlalchemy_url())
    for argv in (["show", draft.id], ["list"], ["show", draft.id, "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in "\x1b\x07\u202e"), argv
        assert "\\x1b[2J" in out or "\\u001b[2J" in out


def test_escape() -> None:
    assert escape("a\x1b[31mb\tc\nd\x00\u202e") == "a\\x1b[31mb\tc\nd\\x00\\u202e"
