"""No connection is left open behind a batch: streams cut mid-way and retried, in several threads at once, then the
service dropped. A socket the client still holds when it is collected is a leaked file descriptor in a server
(pytest turns its ResourceWarning into an error in whichever test happens to be running)."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.fake_openai import FakeOpenAI, Reply, Request, cut
from tests.simplify.test_batch_wire import RULES, _echo, _part


def test_cut_and_retried_streams_leave_no_socket_open(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    seen: set[str] = set()

    def first_try_cut(req: Request) -> Reply:
        part = _part(req)
        if part not in seen:  # each section's first stream is cut part-way; its retry goes through
            seen.add(part)
            return cut(part, max(1, len(part) // 2))
        return _echo(req)

    fake_openai.fallback = first_try_cut
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=1, timeout_s=10,
                        simplify_retries=1)
    service = DrafterService.from_settings(settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        draft = service.simplify(RULES, title="Rules", audience="plain", user="alice", concurrency=4)
        assert draft.status == DraftStatus.draft and len(draft.sections) == 12
        assert len(fake_openai.chat_requests()) >= 24  # every section was cut once, then sent again
        service.store.engine.dispose()
        del service
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == []
