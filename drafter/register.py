"""The AI-use register (one record per exported document) and the system transparency record.

Everything is derived from the store and the audit log; nothing here is typed in by hand except the
placeholders of the transparency record that only a person can write.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drafter.models import Origin
from drafter.store import Store

REGISTER_SCHEMA = "drafter-ai-use-register/1"
REGISTER_FIELDS = [
    "document_id", "title", "template", "kind", "language", "backends", "models", "author", "reviewer",
    "drafted_at", "approved_at", "exported_at", "exports", "share_ai_unedited", "share_ai_edited", "share_human",
    "characters", "checks_run", "findings_waived", "label",
]


@dataclass
class RegisterEntry:
    document_id: str
    title: str
    template: str
    kind: str
    language: str
    backends: list[str]
    models: list[str]
    author: str
    reviewer: str | None
    drafted_at: str
    approved_at: str | None
    exported_at: str
    exports: int
    share_ai_unedited: float
    share_ai_edited: float
    share_human: float
    characters: int
    checks_run: list[str] = field(default_factory=list)
    findings_waived: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""

    def as_dict(self, public: bool = False) -> dict[str, Any]:
        data = dict(self.__dict__)
        if public:
            label = self.label.replace(self.author, "the drafter")
            data["label"] = label.replace(self.reviewer, "the reviewer") if self.reviewer else label
            data["author"] = "drafter (name withheld)"
            data["reviewer"] = "reviewer (name withheld)" if self.reviewer else None
            data["findings_waived"] = [
                {k: v for k, v in w.items() if k not in ("user", "by", "waived_by")} for w in self.findings_waived
            ]
        return data


def build_register(store: Store, catalog_kinds: dict[str, str], since: datetime | None = None) -> list[RegisterEntry]:
    """One entry per exported draft, from two queries whatever the size of the store."""
    entries = []
    for record in store.exported_drafts():
        draft, evs = record.draft, record.events
        exports = [e for e in evs if e.action == "exported"]
        approvals = [e for e in evs if e.action == "approved"]
        if since is not None and datetime.fromisoformat(exports[-1].at) < since:
            continue
        counts = {o: 0 for o in Origin}
        for s in draft.sections:
            counts[s.provenance.origin] += len(s.text)
        total = sum(counts.values()) or 1
        last_export = exports[-1].details
        entries.append(
            RegisterEntry(
                document_id=draft.id,
                title=draft.title,
                template=draft.template_id,
                kind=catalog_kinds.get(draft.template_id, ""),
                language=draft.language,
                backends=sorted({s.provenance.backend for s in draft.sections if s.provenance.backend}),
                models=sorted({s.provenance.model for s in draft.sections if s.provenance.model}),
                author=draft.author,
                reviewer=approvals[-1].actor if approvals else None,
                drafted_at=draft.created_at.isoformat(),
                approved_at=approvals[-1].at if approvals else None,
                exported_at=exports[-1].at,
                exports=len(exports),
                share_ai_unedited=round(counts[Origin.ai] / total, 4),
                share_ai_edited=round(counts[Origin.ai_edited] / total, 4),
                share_human=round(counts[Origin.human] / total, 4),
                characters=sum(counts.values()),
                checks_run=list(last_export.get("checks_run", [])),
                findings_waived=[
                    {**e.details, "waived_by": e.actor} for e in evs if e.action == "finding_waived"
                ],
                label=str(last_export.get("label", "")),
            )
        )
    entries.sort(key=lambda e: e.exported_at)
    return entries


def register_json(entries: list[RegisterEntry], public: bool) -> str:
    return json.dumps(
        {"schema": REGISTER_SCHEMA, "public": public, "documents": [e.as_dict(public) for e in entries]},
        ensure_ascii=False, indent=2,
    )


def register_csv(entries: list[RegisterEntry], public: bool) -> str:
    """CSV with a header row; lists joined by '; ', waivers as JSON. A BOM lets spreadsheets detect UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for e in entries:
        row = e.as_dict(public)
        for key in ("backends", "models", "checks_run"):
            row[key] = "; ".join(row[key])
        row["findings_waived"] = json.dumps(row["findings_waived"], ensure_ascii=False) if row["findings_waived"] else ""
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


TODO = "[To be completed by the service owner: {what}]"


def transparency_record(
    *, system: str, organisation: str, backends: list[dict[str, Any]], templates: list[tuple[str, str, str]],
    database: str, counts: dict[str, int],
) -> dict[str, Any]:
    """A transparency record with the fields of the UK Algorithmic Transparency Recording Standard.

    Tier 1 (summary) and tier 2 (detail). What the system knows is filled in; the rest is a marked placeholder.
    """
    models = sorted({f"{b['name']}: {b['model']} ({'external service' if b['external'] else 'runs locally'})"
                     for b in backends})
    kinds = sorted({kind for _, kind, _ in templates})
    return {
        "standard": "UK Algorithmic Transparency Recording Standard (ATRS), tiers 1 and 2",
        "tier_1": {
            "name": system,
            "description": (
                f"{system} helps {organisation} staff draft official documents ({', '.join(kinds)}) from templates, "
                "style guides and source documents. A person reviews and approves every draft before it is used; "
                "exported documents carry a visible AI-use statement and machine-readable labels."
            ),
            "website": TODO.format(what="public page about the tool"),
            "contact_email": TODO.format(what="contact address"),
            "organisation": organisation,
            "how_the_tool_works": (
                "Staff choose a template and fill in its fields; the tool screens the inputs for personal and "
                "classified data, builds a prompt from the template, the style guide, the inputs and the sources, "
                "and asks a language model (or the offline assembler) for each section. Automatic checks flag "
                "unsupported facts and style problems. A second person reviews the draft against a checklist."
            ),
            "why_we_use_it": TODO.format(what="the problem the tool addresses and the expected benefit"),
            "phase": TODO.format(what="idea / design / development / production / retired"),
        },
        "tier_2": {
            "owner_and_responsibility": {
                "organisation": organisation,
                "team": TODO.format(what="team responsible"),
                "senior_responsible_owner": TODO.format(what="role of the senior responsible owner"),
                "supplier": "Open-source software (Drafter), operated by the organisation",
                "models_and_hosting": models,
            },
            "description_and_rationale": {
                "scope": f"Document templates in use: {', '.join(t for t, _, _ in templates)}",
                "benefit": TODO.format(what="measured or expected benefits"),
                "alternatives_considered": TODO.format(what="alternatives considered"),
            },
            "decision_making_process": {
                "process_integration": "Drafting support only; the tool makes no decision about any person.",
                "human_decision": (
                    "Every draft must be approved by a second person (not the author or an editor) who confirms "
                    "that facts were checked against the sources, that it contains no sensitive data and that "
                    "the label is accurate. Any change after approval voids it. Export is refused otherwise."
                ),
                "prohibited_uses": "Templates whose purpose is to decide on individuals' rights, benefits or "
                                   "eligibility are refused.",
                "appeals_and_review": TODO.format(what="how the public can raise concerns about a document"),
            },
            "data": {
                "data_processed": "Template inputs typed by staff and the source documents they attach.",
                "data_sharing": models,
                "storage": database,
                "retention": "Configurable with `drafter purge --older-than`; the audit log is kept.",
            },
            "risks_and_mitigations": [
                {"risk": "Invented or altered facts", "mitigation": "Unsupported-fact checks block approval "
                 "until resolved or waived with a reason; reviewer checklist."},
                {"risk": "Personal or classified data sent to an external model", "mitigation": "Guard screens "
                 "inputs; classified content is refused for backends not cleared for it; personal data is "
                 "pseudonymised and restored locally."},
                {"risk": "AI text presented as human-written", "mitigation": "Visible statement, per-passage "
                 "comments and AIGC metadata in every export; `drafter verify` checks them."},
                {"risk": "Tampering with records", "mitigation": "Append-only, hash-chained audit log; approval "
                 "bound to the content hash."},
                {"risk": "Other risks", "mitigation": TODO.format(what="risks specific to this deployment")},
            ],
            "impact_assessments": TODO.format(what="DPIA and equality impact assessment references"),
            "usage_to_date": counts,
        },
    }
