"""The CLI speaks the user's language (DRAFTER_LANGUAGE, then LC_ALL / LC_MESSAGES / LANG), while --json stays
the same under every locale: English messages beside stable ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drafter import i18n
from drafter.cli import main
from tests.conftest import EXAMPLES, ROOT


def drafter(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, with only the locale variables given (and a private data folder)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("DRAFTER_") and k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    clean.update({"PYTHONPATH": str(ROOT), "DRAFTER_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run([sys.executable, "-m", "drafter.cli", *args], cwd=tmp_path, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_errors_are_said_in_the_locale_language_with_the_same_exit_code(tmp_path: Path) -> None:
    zh = drafter(tmp_path, "show", "nosuchdraft", LANG="zh_CN.UTF-8")
    en = drafter(tmp_path, "show", "nosuchdraft", LANG="C.UTF-8")
    assert (zh.returncode, en.returncode) == (3, 3)
    assert zh.stderr == "drafter: 草稿 nosuchdraft 不存在。\n"
    assert en.stderr == "drafter: Draft nosuchdraft does not exist.\n"
    assert "Traceback" not in zh.stderr + en.stderr


def test_drafter_language_wins_over_the_locale_and_lc_all_over_lang(tmp_path: Path) -> None:
    assert "does not exist" in drafter(tmp_path, "show", "x", LANG="zh_CN.UTF-8", DRAFTER_LANGUAGE="en").stderr
    assert "不存在" in drafter(tmp_path, "show", "x", LANG="en_GB.UTF-8", LC_ALL="zh_CN.UTF-8").stderr
    # a language without a catalog (Traditional Chinese) falls back to English, not to the wrong script
    assert "does not exist" in drafter(tmp_path, "show", "x", LANG="zh_TW.UTF-8").stderr


def test_json_errors_are_identical_under_every_locale(tmp_path: Path) -> None:
    runs = [drafter(tmp_path, "show", "nosuchdraft", "--json", LANG=lang)
            for lang in ("zh_CN.UTF-8", "C.UTF-8", "en_GB.UTF-8")]
    assert {r.returncode for r in runs} == {3}
    assert runs[0].stderr == runs[1].stderr == runs[2].stderr
    assert runs[0].stdout == ""
    error = json.loads(runs[0].stderr)["error"]
    assert error == {
        "code": "NotFoundError", "exit_code": 3, "message_id": "Draft {draft_id} does not exist.",
        "params": {"draft_id": "nosuchdraft"}, "message": "Draft nosuchdraft does not exist.",
    }


def test_a_refusal_with_nested_parts_is_translated_whole(tmp_path: Path) -> None:
    """The guard names where a marking is ("source 'memo.txt'"): that fragment is translated too."""
    memo = tmp_path / "memo.txt"
    memo.write_text("SECRET\nThe plan for the barrier.\n", encoding="utf-8")
    args = ("draft", "briefing", "--inputs", str(EXAMPLES / "briefing-inputs.yaml"), "--source", str(memo),
            "--user", "alice")
    env = {"DRAFTER_OFFLINE_CLEARANCE": "public"}
    zh = drafter(tmp_path, *args, LANG="zh_CN.UTF-8", **env)
    en = drafter(tmp_path, *args, LANG="C.UTF-8", **env)
    assert zh.returncode == en.returncode == 3
    assert "来源文件“memo.txt”标有密级标志" in zh.stderr and "未发送任何内容" in zh.stderr
    assert "source 'memo.txt' is marked" in en.stderr


def test_a_nested_fragment_stays_an_id_in_json() -> None:
    from drafter.clearance import Clearance
    from drafter.cli.output import error_json
    from drafter.errors import RefusedError
    from drafter.guard.engine import Guard
    from drafter.guard.policy import BackendPolicy

    policy = BackendPolicy("cloud", True, Clearance.public, "pseudonymise")
    with pytest.raises(RefusedError) as refused:
        Guard().check_parts([(i18n.lazy("source '{name}'", name="memo.txt"), "SECRET\nplan")], policy)
    with i18n.use("zh_CN"):
        zh = json.dumps(error_json(refused.value), sort_keys=True)
        assert "来源文件“memo.txt”" in str(refused.value)
    assert json.dumps(error_json(refused.value), sort_keys=True) == zh
    error = json.loads(zh)["error"]
    assert error["params"]["where"] == {"$message": "source '{name}'", "params": {"name": "memo.txt"}}
    assert error["message"].startswith("Refused: source 'memo.txt' is marked SECRET")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_are_shown_in_the_readers_language_and_stored_neutral(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inputs = str(EXAMPLES / "briefing-inputs.yaml")
    code, out, err = _run(capsys, "draft", "briefing", "--inputs", inputs, "--user", "alice")
    assert code == 0, err
    draft_id = out.strip()

    _, en_text, _ = _run(capsys, "findings", draft_id)
    _, en_json, _ = _run(capsys, "findings", draft_id, "--json")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    _, zh_text, _ = _run(capsys, "findings", draft_id)
    _, zh_json, _ = _run(capsys, "findings", draft_id, "--json")
    _, zh_show, _ = _run(capsys, "show", draft_id)

    assert zh_json == en_json  # language-neutral
    findings = json.loads(en_json)
    assert findings and all(f["message_id"] for f in findings)
    assert zh_text != en_text
    for f in findings:
        with i18n.use("zh_CN"):
            chinese = i18n.gettext(f["message_id"], **i18n.from_data(f["message_params"]))
        with i18n.use("en"):
            english = i18n.gettext(f["message_id"], **i18n.from_data(f["message_params"]))
        assert english == f["message"]  # the stored English is the id filled with its parameters
        assert chinese in zh_text and f["message"] in en_text
        assert chinese != english
    assert "状态 草稿" in zh_show and "起草人 alice" in zh_show
    assert i18n.current() == "en"  # the CLI's language did not leak out of its run


def test_a_busy_database_and_other_faults_are_said_in_the_locale_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from drafter.cli.faults import fault_sentence

    full = OSError(28, "No space left on device", "/data/drafter.db")
    assert fault_sentence(full).startswith("the disk is full (/data/drafter.db)")
    with i18n.use("zh_CN"):
        assert fault_sentence(full).startswith("磁盘已满 (/data/drafter.db)")
