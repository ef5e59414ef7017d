"""Register export time for 10,000 exported documents in the store (SQLite)."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

from bench.goals import figure
from drafter.models import Draft, DraftRequest, DraftStatus, Origin, Provenance, Section, utcnow
from drafter.register import register_csv, register_json
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store.rows import draft_row
from drafter.store.tables import audit_events, drafts

DOCUMENTS = 10_000


def _seed(service: DrafterService) -> None:
    """Insert drafts and their audit events in bulk (the same rows the service writes, minus the waiting)."""
    now = utcnow()
    section = Section(id="summary", heading="Summary", text="A summary of the matter in two sentences. " * 5,
                      provenance=Provenance(origin=Origin.ai, backend="offline", model="m", author="alice"))
    draft_rows, events = [], []
    store = service.store
    with store.transaction() as conn:
        for i in range(DOCUMENTS):
            draft = Draft(id=uuid.uuid4().hex[:12], template_id="briefing", style_guide_id="house-style",
                          language="en", title=f"Document {i}", status=DraftStatus.approved, author=f"user{i % 50}",
                          backend="offline", version=3, sections=[section],
                          request=DraftRequest(template_id="briefing", inputs={}), created_at=now, updated_at=now)
            draft_rows.append(draft_row(draft))
            for action, actor in (("approved", f"user{(i + 1) % 50}"), ("exported", draft.author)):
                events.append((draft.id, action, actor))
        conn.execute(drafts.insert(), draft_rows)
        prev = "0" * 64
        rows = []
        for seq, (draft_id, action, actor) in enumerate(events, start=1):
            digest = uuid.uuid4().hex * 2  # the chain is not walked by the register; hashes only need be unique
            rows.append({"seq": seq, "at": now.isoformat(), "actor": actor, "action": action, "draft_id": draft_id,
                         "details_json": json.dumps({"label": "This document was drafted…"}), "prev_hash": prev,
                         "hash": digest})
            prev = digest
        conn.execute(audit_events.insert(), rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = DrafterService.from_settings(Settings(data_dir=Path(tmp)))
        _seed(service)
        start = time.perf_counter()
        entries = service.register()
        built = time.perf_counter() - start
        start = time.perf_counter()
        csv_text = register_csv(entries, public=True)
        json_text = register_json(entries, public=False)
        written = time.perf_counter() - start
        print(f"register of {len(entries)} exported documents (SQLite): built in {built * 1000:.0f} ms, "
              f"CSV ({len(csv_text) / 1e6:.1f} MB) and JSON ({len(json_text) / 1e6:.1f} MB) written in "
              f"{written * 1000:.0f} ms")
        figure(f"register of {len(entries)} exported documents", f"built {built * 1000:.0f} ms, written "
               f"{written * 1000:.0f} ms ({built * 1e6 / len(entries):.0f} us per document)")
        service.store.engine.dispose()


if __name__ == "__main__":
    main()
