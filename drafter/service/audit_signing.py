"""Signed approvals and exports, and checkpoints of the audit chain written after each (see store/anchors.py).

An approval's audit event carries the deployment's signature over the draft id, content hash, reviewer, time,
version and a digest of the provenance (origins, backends, models), so an approval inserted by hand, or origins
rewritten in the database after approval, are refused at export.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from drafter import signing
from drafter.errors import RefusedError, VerificationError
from drafter.models import AuditEvent, Draft, Review, sha256_text
from drafter.service.base import ServiceBase
from drafter.store.anchors import RECORD_KEY, record_problem, sign_record

log = logging.getLogger("drafter.service")


def provenance_sha256(draft: Draft) -> str:
    """SHA-256 of what the label is computed from: the draft's backend and each section's origin, backend, model."""
    payload = {
        "backend": draft.backend,
        "sections": [
            [s.id, s.provenance.origin.value, s.provenance.backend, s.provenance.model, s.provenance.language_model,
             s.provenance.prompt_sha256, s.provenance.author, s.provenance.edited_by]
            for s in draft.sections
        ],
    }
    return sha256_text(json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def approval_payload(draft: Draft, review: Review) -> dict[str, Any]:
    """What an approval signs."""
    return {"action": "approved", "draft_id": draft.id, "content_sha256": review.content_sha256,
            "reviewer": review.reviewer, "approved_at": review.created_at.isoformat(), "version": review.version,
            "provenance_sha256": provenance_sha256(draft)}


class AuditSigning(ServiceBase):
    """The deployment key as the audit log uses it: signing records, anchoring the chain, checking approvals."""

    def _deployment_key(self) -> signing.Ed25519PrivateKey:
        # parsed once per version of the key file (a rotated key is used at once: see current_private_key)
        return signing.current_private_key(self.settings.signing_key_path(), create=True)

    def _public_key(self) -> signing.Ed25519PublicKey | None:
        """The deployment's public key, or None where nothing has been signed yet (no key file)."""
        path = self.settings.signing_key_path()
        return signing.current_private_key(path).public_key() if path.is_file() else None

    def _signed(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {RECORD_KEY: sign_record(self._deployment_key(), payload)}

    def _anchor_after(self, action: str) -> None:
        """Checkpoint the chain after an approval or export; a broken chain is logged, not anchored."""
        try:
            self.store.anchor(self.settings.anchors_path(), self._deployment_key(), full=False)
        except (VerificationError, OSError) as exc:
            log.warning("audit chain not anchored after %s: %s", action, exc, extra={"action": action})

    def _check_signed_approval(self, draft: Draft, approval: Review, history: list[AuditEvent]) -> None:
        """The approval is in the signed, anchored record and covers the current content and provenance."""
        covered, problem = self.store.checkpoint_problem(self.settings.anchors_path(), self._public_key())
        if problem:
            raise RefusedError(
                "Draft {draft_id} cannot be exported: {problem}.",
                draft_id=draft.id, problem=problem,
            )
        event = [e for e in history if e.action == "approved"][-1]
        record = event.details.get(RECORD_KEY)
        if record is None:
            if event.seq <= covered:
                return  # an approval from before approvals were signed, vouched for by a checkpoint
            raise RefusedError(
                "The approval of draft {draft_id} is not signed with the deployment's key; it may have "
                "been forged. It must be approved again.",
                draft_id=draft.id,
            )
        problem = record_problem(self._public_key(), record)
        if problem:
            raise RefusedError(
                "The approval of draft {draft_id} is not valid ({problem}); it may have been forged. It "
                "must be approved again.",
                draft_id=draft.id, problem=problem,
            )
        signed = record["payload"]  # type: ignore[index]
        expected = approval_payload(draft, approval)
        if signed.get("provenance_sha256") != expected["provenance_sha256"] and all(
            signed.get(k) == v for k, v in expected.items() if k != "provenance_sha256"
        ):
            raise RefusedError(
                "The origins, backend or model of draft {draft_id} changed after it was approved; its "
                "label would not be accurate. It must be approved again.",
                draft_id=draft.id,
            )
        if signed != expected:
            raise RefusedError(
                "The approval of draft {draft_id} does not match its signed record; it may have been "
                "altered. It must be approved again.",
                draft_id=draft.id,
            )
