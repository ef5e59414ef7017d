"""Sample 公文 requests from examples/zh and a helper that takes one through review to an exported .docx."""

from __future__ import annotations

from pathlib import Path

import yaml

from drafter.models import DraftRequest
from drafter.service import DrafterService
from drafter.sources import read_source
from tests.conftest import EXAMPLES, FULL_CHECKLIST

ZH = EXAMPLES / "zh"
SAMPLES = sorted(p.stem for p in ZH.glob("*.yaml"))
FONTS_CONF = Path(__file__).resolve().parent.parent / "docs" / "gongwen" / "fonts.conf"


def zh_inputs(name: str) -> dict[str, str]:
    raw = yaml.safe_load((ZH / f"{name}.yaml").read_text(encoding="utf-8"))
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}


def zh_request(name: str, **overrides: str) -> DraftRequest:
    source = read_source(ZH / "flood-season-report.txt", 5_000_000)
    return DraftRequest(template_id=f"zh-{name}", inputs={**zh_inputs(name), **overrides}, sources=[source])


def export_zh(svc: DrafterService, name: str, out: Path, **overrides: str) -> str:
    """Draft on the offline backend, submit, approve by another person, export; returns the draft id."""
    draft = svc.create_draft(zh_request(name, **overrides), "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    svc.export(draft.id, out, "alice")
    return draft.id
