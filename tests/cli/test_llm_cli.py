"""The CLI's LLM commands: `draft --stream`, `backends --check`, `calls --json`, citations in `show`."""

from __future__ import annotations

import json

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI, error, text

INPUTS = str(EXAMPLES / "briefing-inputs.yaml")
SOURCE = str(EXAMPLES / "barrier-report.txt")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI) -> FakeOpenAI:
    monkeypatch.setenv("DRAFTER_BACKEND", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DRAFTER_MODEL", "fake-model")
    monkeypatch.setenv("DRAFTER_MAX_RETRIES", "0")
    monkeypatch.setenv("DRAFTER_TEMPERATURE", "0.7")
    fake_openai.fallback = lambda req: text("Streamed words arrive here [1].")
    return fake_openai


def test_draft_stream_prints_text_and_calls_json_has_tokens(
    capsys: pytest.CaptureFixture[str], openai_env: FakeOpenAI
) -> None:
    code, out, err = run(capsys, "draft", "briefing", "--inputs", INPUTS, "--source", SOURCE, "--user", "alice",
                         "--stream")
    assert code == 0, err
    lines = out.strip().splitlines()
    draft_id = lines[-1]
    assert "## Summary" in out and "## Background" in out and out.count("Streamed words arrive here [1].") == 5
    assert all(r.body["temperature"] == 0.7 for r in openai_env.chat_requests())

    code, out, _ = run(capsys, "calls", "--draft", draft_id, "--json")
    calls = json.loads(out)
    assert code == 0 and len(calls) == 5
    assert all(c["backend"] == "openai" and c["model"] == "fake-model" and c["input_tokens"] > 0
               and c["output_tokens"] > 0 and c["error"] is None for c in calls)
    assert calls[0]["options"]["temperature"] == 0.7

    code, out, _ = run(capsys, "show", draft_id)
    assert "[1] barrier-report.txt, paragraph" in out


def test_backend_failure_exits_4_and_generate_resumes(
    capsys: pytest.CaptureFixture[str], openai_env: FakeOpenAI
) -> None:
    openai_env.script(text("Summary."), error(500, "boom"))
    code, _, err = run(capsys, "draft", "briefing", "--inputs", INPUTS, "--user", "alice", "--stream")
    assert code == 4 and "Backend openai" in err and "HTTP 500" in err and "drafter generate" in err
    code, out, _ = run(capsys, "list", "--json")
    (item,) = json.loads(out)
    assert item["status"] == "failed"
    code, out, err = run(capsys, "generate", item["id"], "--user", "alice")
    assert code == 0, err
    assert out.strip() == item["id"]
    code, out, _ = run(capsys, "calls", "--draft", item["id"], "--json")
    assert [c["error"] is not None for c in json.loads(out)] == [False, True, False, False, False, False]


def test_backends_json_and_check(capsys: pytest.CaptureFixture[str], openai_env: FakeOpenAI) -> None:
    code, out, _ = run(capsys, "backends", "--json", "--check")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and rows["openai"]["reachable"] and rows["openai"]["endpoint"] == openai_env.base_url
    assert rows["openai"]["default"] and rows["openai"]["external"] is True

    code, out, _ = run(capsys, "backends")
    assert code == 0 and "openai (default): fake-model · external" in out


def test_backends_check_exits_4_when_unreachable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI() as gone:
        url = gone.base_url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    code, out, _ = run(capsys, "backends", "--check")
    assert code == 4 and "UNREACHABLE" in out


def test_offline_only_lists_offline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backends", "--json")
    assert code == 0 and [r["name"] for r in json.loads(out)] == ["offline"]
