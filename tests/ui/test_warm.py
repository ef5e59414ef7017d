"""The service is built once per settings and warmed up once, in the background or by the launcher before the
server listens; warming up reads and writes nothing, and a failure in it never reaches a person."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import common, warm


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[DrafterService]:
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    yield service
    service.store.engine.dispose()


def test_warming_up_builds_the_lazy_parts_once_and_writes_nothing(svc: DrafterService) -> None:
    events = len(svc.audit_trail())
    assert svc._backends is None and svc.guard._detector is None  # built on first use, so not yet
    thread = warm.warm_in_background(svc)
    assert thread is not None
    assert warm.warm_in_background(svc) is None  # once per service, however many sessions ask
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert svc._backends is not None and svc.guard._detector is not None
    assert len(svc.audit_trail()) == events and svc.list_drafts() == []


def test_a_failed_warm_up_is_logged_not_raised(svc: DrafterService, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("no client library")

    monkeypatch.setattr(svc, "warm_up", broken)
    with caplog.at_level(logging.WARNING, logger="drafter.ui"):
        thread = warm.warm_in_background(svc)
        assert thread is not None
        thread.join(timeout=60)
    assert "warm-up failed" in caplog.text


def test_the_settings_are_read_again_when_the_environment_changes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "one"))
    first = Settings.model_validate_json(common._settings_json(common._environment()))
    assert common._settings_json(common._environment()) is common._settings_json(common._environment())
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "two"))
    second = Settings.model_validate_json(common._settings_json(common._environment()))
    assert (first.data_dir, second.data_dir) == (tmp_path / "one", tmp_path / "two")
    (tmp_path / ".env").write_text("DRAFTER_TEMPERATURE=0.7\n")  # a .env written later is read too
    assert Settings.model_validate_json(common._settings_json(common._environment())).temperature == 0.7


def test_the_launcher_builds_and_warms_the_service_the_first_page_uses(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from drafter.ui import serve

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "data"))
    serve.prepare()
    service = common.shared_service()
    assert service.settings.data_dir == tmp_path / "data"
    assert service._backends is not None and service.guard._detector is not None  # warm before any request
    assert common.shared_service() is service and warm.warm_in_background(service) is None
    service.store.engine.dispose()


def _in_a_launcher_process(tmp_path: Path, code: str) -> dict[str, object]:
    """Run `code` after the launcher's preparation in a fresh interpreter, as `drafter.ui.serve` runs before the
    server (a fresh one, so nothing this test process imported earlier counts); return what it printed as JSON."""
    script = (
        "import json, sys, gc, inspect, weakref, logging\n"
        "logging.disable(logging.WARNING)\n"
        "from drafter.ui import serve\n"
        + code
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTER_")}
    env["DRAFTER_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_launcher_does_what_streamlit_would_do_on_the_first_page(tmp_path: Path) -> None:
    """The emoji catalog (page icon) and the Material icon names are imported, and the map of every imported
    module to its file that `inspect.stack()` builds (Streamlit's first element calls it) is already made."""
    found = _in_a_launcher_process(tmp_path, """
before = {m: m in sys.modules for m in serve.STREAMLIT_LAZY}
serve.prepare()
import posixpath
calls = 0
real = posixpath.realpath
def counting(*args, **kwargs):
    global calls
    calls += 1
    return real(*args, **kwargs)
posixpath.realpath = counting
inspect.stack()
print(json.dumps({"before": before, "after": {m: m in sys.modules for m in serve.STREAMLIT_LAZY},
                  "realpaths": calls, "modules": len(sys.modules)}))
""")
    assert found["before"] == {"streamlit.emojis": False, "streamlit.material_icon_names": False}
    assert found["after"] == {"streamlit.emojis": True, "streamlit.material_icon_names": True}
    # without the warm-up this walk resolves every module's file again (one realpath per module, ~3,000)
    assert int(found["modules"]) > 1000  # type: ignore[call-overload]
    assert int(found["realpaths"]) < 50, found  # type: ignore[call-overload]


def test_the_launcher_freezes_the_start_up_heap_and_later_garbage_is_still_collected(tmp_path: Path) -> None:
    """After the freeze, a full collection walks only what was made since; the start-up's own garbage was collected
    first, and garbage made later (a run's) is collected as before."""
    found = _in_a_launcher_process(tmp_path, """
class Cycle:
    pass
def cycle():
    a, b = Cycle(), Cycle()
    a.other, b.other = b, a
    return weakref.ref(a)
serve.prepare()
gc.disable()  # no automatic collection from here to the freeze: only freeze_heap's own one may free `before`
before = cycle()  # garbage of the start-up, in a reference cycle: only a collection frees it
serve.freeze_heap()
gc.enable()
start_up_garbage_freed = before() is None
frozen, walked = gc.get_freeze_count(), len(gc.get_objects())
later = cycle()
gc.collect()
print(json.dumps({"start_up_garbage_freed": start_up_garbage_freed, "frozen": frozen, "walked": walked,
                  "later_garbage_freed": later() is None}))
""")
    assert found["start_up_garbage_freed"] is True
    assert found["later_garbage_freed"] is True
    assert int(found["frozen"]) > 20 * int(found["walked"]), found  # type: ignore[call-overload]
