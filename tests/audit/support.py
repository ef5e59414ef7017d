"""What an attacker with direct database access (but not the data folder's key or anchors) does."""

from __future__ import annotations

import json

import sqlalchemy as sa

from drafter.models import AuditEvent, Draft, utcnow
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


def approved(service: DrafterService) -> Draft:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    return service.approve(draft.id, "bob", FULL_CHECKLIST)


def sql(service: DrafterService, statement: str, **params: object) -> None:
    with service.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def drop_guard(service: DrafterService) -> None:
    """Remove the append-only triggers, as someone owning the table can."""
    if service.store.dialect == "sqlite":
        sql(service, "DROP TRIGGER audit_events_no_update")
        sql(service, "DROP TRIGGER audit_events_no_delete")
    else:
        sql(service, "DROP TRIGGER audit_events_append_only ON audit_events")


def rehash_from(service: DrafterService, seq: int) -> None:
    """Recompute every hash from event `seq` on, so that the chain links and hashes are consistent again."""
    chain = service.audit_trail()
    prev = chain[seq - 2].hash if seq > 1 else "0" * 64
    for e in chain[seq - 1 :]:
        digest = AuditEvent.compute_hash(e.seq, e.at, e.actor, e.action, e.draft_id, e.details, prev)
        sql(service, "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s", p=prev, h=digest, s=e.seq)
        prev = digest


def insert_event(service: DrafterService, actor: str, action: str, draft_id: str, details: dict[str, object]) -> None:
    """Append a well-formed, correctly chained audit event with plain INSERT."""
    last = service.audit_trail()[-1]
    at = utcnow()
    digest = AuditEvent.compute_hash(last.seq + 1, at, actor, action, draft_id, details, last.hash)
    sql(service, "INSERT INTO audit_events (seq, at, actor, action, draft_id, details_json, prev_hash, hash) "
                 "VALUES (:s, :at, :actor, :action, :d, :j, :p, :h)",
        s=last.seq + 1, at=at.isoformat(), actor=actor, action=action, d=draft_id,
        j=json.dumps(details, sort_keys=True), p=last.hash, h=digest)


def forge_approval(
    service: DrafterService, draft: Draft, reviewer: str = "mallory", signed: object | None = None
) -> None:
    """An approval made with INSERTs (review row and audit event) and the draft's status set to approved."""
    at = utcnow()
    sql(service, "INSERT INTO reviews (draft_id, reviewer, decision, comment, checklist_json, content_sha256, "
                 "version, created_at) VALUES (:d, :r, 'approved', '', :c, :h, :v, :at)",
        d=draft.id, r=reviewer, c=json.dumps(FULL_CHECKLIST.model_dump()), h=draft.content_sha256,
        v=draft.version + 1, at=at.isoformat())
    details: dict[str, object] = {"content_sha256": draft.content_sha256, "checklist": FULL_CHECKLIST.model_dump(),
                                  "findings": {}}
    if signed is not None:
        details["signed"] = signed  # a genuine signed record copied from another approval
    insert_event(service, reviewer, "approved", draft.id, details)
    sql(service, "UPDATE drafts SET status = 'approved', version = :v WHERE id = :d", v=draft.version + 1, d=draft.id)
