"""The guard the service runs before every backend call (and the scan the CLI and UI show)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path

from drafter.backends.base import ChatRequest, map_strings
from drafter.clearance import Clearance
from drafter.errors import RefusedError
from drafter.guard import risk
from drafter.guard.detectors import Detection, PiiDetector
from drafter.guard.markings import Marking, find_markings, without_marking_words
from drafter.guard.normalise import normalise
from drafter.guard.policy import NER_NOTE, Action, BackendPolicy, ScanFinding, ScanReport, action_for
from drafter.guard.pseudonymise import Pseudonymiser
from drafter.guard.scanning import Hit, WindowCache, read_text_pieces, scan_pieces_at, split_text
from drafter.i18n import Lazy, lazy
from drafter.memo import text_cache
from drafter.models import DraftRequest, RiskTier, Template

_new_tuple = tuple.__new__
_NO_MARKING = (None, None, None)  # a Hit's marking, level and line, for personal data

Part = tuple[str | Lazy, str]  # (where, text), e.g. (lazy("source '{name}'", name="report.txt"), "…")


class Guard:
    """Detection plus policy. Build one per service; the detector is created on first use."""

    def __init__(self) -> None:
        self._detector: PiiDetector | None = None
        self._scan_window = WindowCache(self._window_hits)
        self.ner_available = False

    @property
    def detector(self) -> PiiDetector:
        if self._detector is None:
            self._detector = PiiDetector()
        return self._detector

    # --- scanning -------------------------------------------------------------------------------

    def _window_hits(self, window: str, line_base: int) -> list[Hit]:
        norm = normalise(window)  # once for both: markings and personal data are found in the normalised text
        hits = [
            Hit("MARKING", m.start, m.end, 1.0, window[m.start : m.end], m.label, m.level.value, m.line)
            for m in find_markings(norm, line_offset=line_base)
        ]
        # each row (type, start, end, score, text) made a Hit by `tuple.__new__`, without the named tuple's own
        # `__new__` (a Python function: several times slower, for thousands of rows in a dense text)
        hits += [_new_tuple(Hit, row + _NO_MARKING) for row in self.detector.detect_rows(norm)]
        return hits

    def iter_findings(self, pieces: Iterable[str], policy: BackendPolicy) -> Iterator[ScanFinding]:
        actions: dict[str, Action] = {}  # what is done with each type of personal data, asked once per scan
        for h, by in scan_pieces_at(pieces, self._scan_window):
            if h.level:
                level = Clearance(h.level)
                yield ScanFinding(h.type, h.start + by, h.end + by, h.score, action_for(h.type, level, policy), h.text,
                                  h.line, h.marking, level)
                continue
            action = actions.get(h.type)
            if action is None:
                action = actions[h.type] = action_for(h.type, None, policy)
            yield ScanFinding.of(h.type, h.start + by, h.end + by, h.score, action, h.text)

    def read_ahead(self, text: str) -> None:
        """Scan `text` now (a source as it is added), so that the request and prompts quoting it find its windows'
        hits remembered. Nothing is decided here: every request is still checked against its backend's policy."""
        for _ in scan_pieces_at(split_text(text), self._scan_window):
            pass
        _markings(text)  # as each prompt's parts are checked for markings

    def scan(self, text: str, policy: BackendPolicy) -> ScanReport:
        findings = list(self.iter_findings(split_text(text), policy))
        return self._report(policy, findings)

    def scan_file(self, path: Path, policy: BackendPolicy) -> Iterator[ScanFinding]:
        """Findings of a UTF-8 text file of any size, in bounded memory. The whole file is decoded once
        first, so a binary or non-UTF-8 file is refused before any finding is reported."""
        for _ in read_text_pieces(path):
            pass
        return self.iter_findings(read_text_pieces(path), policy)

    def _report(self, policy: BackendPolicy, findings: list[ScanFinding]) -> ScanReport:
        notes: list[str] = [] if self.ner_available else [lazy(NER_NOTE)]
        return ScanReport(policy.backend, policy, findings, self.ner_available, notes)

    # --- request-level rules (before a draft is created) ----------------------------------------

    def check_request(self, template: Template, request: DraftRequest, policy: BackendPolicy) -> ScanReport:
        """Refuse by risk tier, decision purpose or markings; return the combined scan of the request."""
        if template.risk_tier == RiskTier.prohibited:
            raise RefusedError(
                "Template {template_id} is in the prohibited risk tier: it may not be drafted with AI.",
                template_id=template.id,
            )
        if template.risk_tier == RiskTier.high and policy.external:
            raise RefusedError(
                "Template {template_id} is high risk: use a backend that keeps data on this machine or "
                "network, not {backend}.",
                template_id=template.id, backend=policy.backend,
            )
        self.check_decision_purpose(template, request)
        return self.check_parts(request_parts(template, request), policy)

    def check_decision_purpose(self, template: Template, request: DraftRequest) -> None:
        places = [(f"template {template.id}", f"{template.kind}. {template.purpose}. {template.description}")]
        for f in template.fields:
            if risk.is_purpose_field(f.name, f.label) and request.inputs.get(f.name):
                places.append((f"input '{f.label}'", request.inputs[f.name]))
        for where, text in places:
            sentence = risk.decision_sentence(text)
            if sentence:
                raise RefusedError(
                    "Refused: {where} asks for a decision on an individual's rights, benefits or "
                    "eligibility (\"{sentence}\"). Drafter does not draft automated decisions about "
                    "people; a person must make and write that decision.",
                    where=where, sentence=sentence[:120],
                )

    def check_parts(self, parts: list[Part], policy: BackendPolicy) -> ScanReport:
        """Scan each part; refuse, naming the marking and where it is, if any is above the clearance."""
        findings: list[ScanFinding] = []
        blocked: list[tuple[str | Lazy, ScanFinding]] = []
        for where, text in parts:
            for f in self.iter_findings(split_text(text), policy):
                findings.append(f)
                if f.action == "block":
                    blocked.append((where, f))
        if blocked:
            raise refusal(blocked, policy)
        return self._report(policy, findings)

    def check_markings(self, parts: list[Part], policy: BackendPolicy) -> None:
        blocked = [
            (where, ScanFinding("MARKING", m.start, m.end, 1.0, "block", text[m.start : m.end], m.line, m.label, m.level))
            for where, text in parts
            for m in _markings(text)
            if not policy.clearance.allows(m.level)
        ]
        if blocked:
            raise refusal(blocked, policy)

    # --- prompt-level rules (before every backend call) -----------------------------------------

    def prepare_prompt(
        self, request: ChatRequest, policy: BackendPolicy, pseudonymiser: Pseudonymiser
    ) -> tuple[ChatRequest, ScanReport]:
        """Refuse marked content above the backend's clearance; pseudonymise what it may not receive.

        Everything that is sent (every message, and the plain-data context) is scanned, not only the user's fields.
        For a backend allowed personal data, the report holds the markings only.
        """
        self.check_markings(prompt_parts(request), policy)  # names where a marking is, in the user's terms
        if policy.personal_data == "allow":
            # Personal data is sent as it is, so only a marking can change what happens to this prompt: only
            # markings are looked for (the personal-data scan would change nothing that is sent).
            marked = [
                ScanFinding("MARKING", m.start, m.end, 1.0, action_for("MARKING", m.level, policy),
                            message.content[m.start : m.end], m.line, m.label, m.level)
                for message in request.messages
                for m in _markings(message.content)
            ]
            blocked_markings: list[tuple[str | Lazy, ScanFinding]] = [
                (lazy("the prompt"), f) for f in marked if f.action == "block"
            ]
            if blocked_markings:
                raise refusal(blocked_markings, policy)
            return request, self._report(policy, marked)
        per_message: list[list[ScanFinding]] = []
        blocked: list[tuple[str | Lazy, ScanFinding]] = []
        for message in request.messages:
            found = list(self.iter_findings(split_text(message.content), policy))
            blocked += [(lazy("the prompt"), f) for f in found if f.action == "block"]
            per_message.append(found)
        if blocked:
            raise refusal(blocked, policy)
        findings = [f for found in per_message for f in found]
        if policy.personal_data == "allow":
            return request, self._report(policy, findings)
        messages = []
        for message, found in zip(request.messages, per_message, strict=True):
            dets = [Detection(f.type, f.start, f.end, f.score, f.text) for f in found if f.action == "redact"]
            # known originals too: text written earlier (restored for the user) may carry a value the detectors
            # found only in its labelled input, such as a name
            content = pseudonymiser.replace_known(pseudonymiser.apply(message.content, dets))
            messages.append(dataclasses.replace(message, content=content))
        safe = dataclasses.replace(
            request, messages=tuple(messages), context=map_strings(request.context, pseudonymiser.replace_known)
        )
        return safe, self._report(policy, findings)


@text_cache(max_chars=4_000_000, max_items=32)
def _markings(text: str) -> tuple[Marking, ...]:
    """The markings of one whole text. A draft's sources are checked with its request and then again in
    every prompt that quotes them: the same text, so it is read once. A prompt is new text made of the same
    lines: when none of its lines holds a marking word (each line's answer remembered), it holds no marking."""
    if without_marking_words(text):
        return ()
    return tuple(find_markings(text))


def request_parts(template: Template, request: DraftRequest) -> list[Part]:
    labels = {f.name: f.label for f in template.fields}
    parts: list[Part] = [(lazy("input '{label}'", label=labels.get(k, k)), v) for k, v in request.inputs.items() if v]
    parts += [(lazy("source '{name}'", name=s.name), s.text) for s in request.sources]
    return parts


def prompt_parts(request: ChatRequest) -> list[Part]:
    """The parts of a request in the user's terms (input 'Subject', source 'memo.txt', …)."""
    ctx = request.context
    labels: dict[str, str] = ctx.get("field_labels", {})
    parts: list[Part] = [
        (lazy("input '{label}'", label=labels.get(k, k)), v) for k, v in ctx.get("inputs", {}).items() if v
    ]
    parts += [(lazy("source '{name}'", name=s["name"]), s["text"]) for s in ctx.get("sources", [])]
    if ctx.get("current_text"):
        parts.append((lazy("the current section text"), ctx["current_text"]))
    if ctx.get("instruction"):
        parts.append((lazy("the instruction"), ctx["instruction"]))
    return parts


def refusal(blocked: list[tuple[str | Lazy, ScanFinding]], policy: BackendPolicy) -> RefusedError:
    """The refusal naming the first marking above the backend's clearance and where it is."""
    where, first = blocked[0]
    params: dict[str, object] = {
        "where": where, "marking": first.marking, "line": first.line, "clearance": policy.clearance.value,
        "backend": policy.backend, "level": first.level.value if first.level else "?",
    }
    if len(blocked) > 1:
        return RefusedError(
            "Refused: {where} is marked {marking} (line {line}) (and {more} more), above the {clearance} clearance "
            "of backend {backend} ({level} needed). Nothing was sent; remove the marked material or use a backend "
            "cleared for it.",
            more=len(blocked) - 1, **params,
        )
    return RefusedError(
        "Refused: {where} is marked {marking} (line {line}), above the {clearance} clearance of backend "
        "{backend} ({level} needed). Nothing was sent; remove the marked material or use a backend cleared for it.",
        **params,
    )
