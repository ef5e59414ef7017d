"""What the guard does for a given backend: block marked content above its clearance, pseudonymise
personal data it is not cleared for, and say so in a report a person can read before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from drafter.clearance import Clearance
from drafter.i18n import N_

if TYPE_CHECKING:
    from drafter.backends.base import Backend
    from drafter.settings import Settings

Action = Literal["allow", "redact", "block"]

NER_NOTE = N_(
    "No NER model is available: personal names are found only after a label such as 'Name:', 'Contact:' "
    "or '姓名：', and postal addresses are not detected. Check the text for them yourself."
)


@dataclass(frozen=True)
class BackendPolicy:
    """A backend's trust: the highest marking it may receive and what happens to personal data."""

    backend: str
    external: bool
    clearance: Clearance
    personal_data: Literal["allow", "pseudonymise"]


def policy_for(backend: Backend, settings: Settings) -> BackendPolicy:
    """Clearance from settings (DRAFTER_BACKEND_CLEARANCES for this backend), else the clearance the backend
    was configured with; else external backends get the lowest level, local ones DRAFTER_OFFLINE_CLEARANCE."""
    name = backend.name
    external = not backend.capabilities.local
    if name in settings.backend_clearances:
        clearance = settings.backend_clearances[name]
    elif backend.default_clearance is not None:
        clearance = Clearance(backend.default_clearance)
    else:
        clearance = Clearance.public if external else settings.offline_clearance
    allowed = not external or name in settings.personal_data_backends
    return BackendPolicy(name, external, Clearance(clearance), "allow" if allowed else "pseudonymise")


@dataclass(frozen=True)
class ScanFinding:
    """One thing the guard found: personal data (type EMAIL, PHONE, …) or a MARKING."""

    type: str
    start: int
    end: int
    score: float
    action: Action
    text: str
    line: int | None = None
    marking: str | None = None
    level: Clearance | None = None

    @classmethod
    def of(cls, type: str, start: int, end: int, score: float, action: Action, text: str) -> ScanFinding:
        """`ScanFinding(type, start, end, score, action, text)` (no line, marking or level: personal data), made
        without the frozen class's field-by-field `object.__setattr__` (a scan makes one per finding: a dense text makes
        thousands). The same object: `tests/guard/test_scan_overhead.py` compares the two."""
        finding = object.__new__(cls)
        finding.__dict__.update(type=type, start=start, end=end, score=score, action=action, text=text, line=None,
                                marking=None, level=None)
        return finding

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "start": self.start, "end": self.end,
                                "score": self.score, "action": self.action}
        if self.marking:
            data.update(marking=self.marking, level=self.level.value if self.level else None, line=self.line)
        return data


@dataclass
class ScanReport:
    """The guard's findings for one text and one backend (what the UI highlights before sending)."""

    backend: str
    policy: BackendPolicy
    findings: list[ScanFinding] = field(default_factory=list)
    ner_available: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> list[ScanFinding]:
        return [f for f in self.findings if f.action == "block"]

    @property
    def redacted(self) -> list[ScanFinding]:
        return [f for f in self.findings if f.action == "redact"]

    @property
    def would_block(self) -> bool:
        return bool(self.blocked)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            key = f.marking if f.marking else f.type
            out[key] = out.get(key, 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend, "clearance": self.policy.clearance.value,
            "personal_data": self.policy.personal_data, "would_block": self.would_block,
            "ner_available": self.ner_available, "notes": self.notes,
            "findings": [f.as_json() for f in self.findings],
        }


def action_for(kind: str, level: Clearance | None, policy: BackendPolicy) -> Action:
    if kind == "MARKING":
        assert level is not None
        return "allow" if policy.clearance.allows(level) else "block"
    return "redact" if policy.personal_data == "pseudonymise" else "allow"
