"""The service is built once per settings and warmed up once, in the background or by the launcher before the
server listens; warming up reads and writes nothing, and a failure in it never reaches a person."""

from __future__ import annotations

import logging
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
