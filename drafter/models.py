"""Domain types shared by the service, the CLI and the UI."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from drafter.errors import InputError
from drafter.i18n import N_, Lazy, lazy, stored_text

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]


def utcnow() -> datetime:
    return datetime.now(UTC)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Validators for text that people type or upload -----------------------------------------------

USER_NAME_MAX = 64
_SPACES = re.compile(r"\s+")
_ALLOWED_CONTROLS = frozenset("\t\n")
# category Cc is exactly U+0000-U+001F and U+007F-U+009F: one search finds whether any needs reporting
_REPORTED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def control_characters(text: str) -> list[str]:
    """The control characters in `text` other than tab and newline (a CR only as part of CRLF), as U+XXXX."""
    found: list[str] = []
    if _REPORTED_CONTROL.search(text) is None:
        return found
    for i, ch in enumerate(text):
        if ch in _ALLOWED_CONTROLS or unicodedata.category(ch) != "Cc":
            continue
        if ch == "\r" and text[i + 1 : i + 2] == "\n":
            continue
        code = f"U+{ord(ch):04X}"
        if code not in found:
            found.append(code)
    return found


def check_text(text: str, what: str | Lazy) -> str:
    """`text` unchanged, or one InputError naming the control characters it holds (NUL, ESC and the like)."""
    found = control_characters(text)
    if found:
        raise InputError(
            "{what} contains control characters ({characters}); remove them and try again (only tabs and "
            "new lines are allowed).",
            what=what, characters=', '.join(found[:5]),
        )
    return text


def user_name(raw: str) -> str:
    """The one form of a user name that is stored and compared: NFKC, trimmed, inner spaces collapsed, case-folded.

    So "alice ", "ALICE", "ａｌｉｃｅ" and a decomposed "é" all name the same person. A name holding control
    or format characters (NUL, ESC, a zero-width space, a direction override) or longer than USER_NAME_MAX
    characters is refused with one InputError.
    """
    if not isinstance(raw, str):
        raise InputError("A user name must be text.")
    name = unicodedata.normalize("NFKC", raw).strip()
    bad = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn")})
    if bad:
        raise InputError(
            "A user name cannot contain control or invisible characters ({characters}).",
            characters=', '.join(bad[:5]),
        )
    name = unicodedata.normalize("NFKC", _SPACES.sub(" ", name).strip().casefold())
    if not name:
        raise InputError("A user name cannot be empty.")
    if len(name) > USER_NAME_MAX:
        raise InputError(
            "A user name is at most {limit} characters; this one has {length}.",
            limit=USER_NAME_MAX, length=len(name),
        )
    return name


def same_user(a: str | None, b: str | None) -> bool:
    """Whether two stored names are the same person (names stored before normalisation compare too)."""
    if a is None or b is None:
        return False
    return user_key(a) == user_key(b)


def user_key(name: str) -> str:
    """The form a name is compared in: user_name's normalisation without its validation (never raises)."""
    return unicodedata.normalize("NFKC", _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold())


class Strict(BaseModel):
    """Data files are strict: unknown keys are rejected, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Catalog: templates and style guides (data files) -------------------------------------------


FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

# Which element of a 公文's 版头 / 版记 (GB/T 9704-2012) a field fills; the gbt9704 layout places it.
FieldRole = Literal[
    "copy_number",  # 份号
    "classification",  # 密级和保密期限
    "urgency",  # 紧急程度
    "issuer_mark",  # 发文机关标志 (简报: 简报名称)
    "doc_number",  # 发文字号
    "issue_number",  # 简报期号
    "editor_unit",  # 简报编印单位
    "signer",  # 签发人
    "recipients",  # 主送机关
    "attachments",  # 附件说明
    "issuer_signature",  # 发文机关署名
    "date",  # 成文日期
    "note",  # 附注
    "cc",  # 抄送机关
    "printer",  # 印发机关
    "print_date",  # 印发日期
    "report_to",  # 简报报尾: 报
    "send_to",  # 简报报尾: 送
    "distribute_to",  # 简报报尾: 发
]


class FieldSpec(Strict):
    name: FieldName
    label: str
    type: Literal["text", "textarea", "date", "list"] = "text"
    required: bool = False
    help: str = ""
    default: str | None = None
    role: FieldRole | None = Field(default=None, description="The 公文 layout element this field fills, if any.")


class SectionSpec(Strict):
    id: Identifier
    heading: str
    instruction: str
    length: Literal["short", "medium", "long"] = "medium"
    inputs: tuple[str, ...] = ()
    offline_text: str = Field(
        default="",
        description="Text the offline backend writes for this section; {field} is replaced by that input.",
    )
    use_sources: bool = True
    heading_visible: bool = Field(
        default=True, description="False for a 公文 passage printed without a heading (opening, closing phrase)."
    )


class RequiredElement(Strict):
    """Something a document of this kind must contain, checked after generation (e.g. a contact)."""

    id: Identifier
    description: str
    pattern: str = Field(description="Regular expression (case-insensitive) that the text must match.")
    sections: tuple[str, ...] = Field(default=(), description="Sections to search; empty means the whole draft.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        if value != "__date__":  # "__date__" means: any date the fact extractor recognises
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from exc
        return value


class RiskTier(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    prohibited = "prohibited"


class Template(Strict):
    id: Identifier
    title: str
    language: Literal["en", "zh"]
    kind: str
    description: str
    risk_tier: RiskTier = RiskTier.low
    audience: str
    purpose: str
    default_style_guide: str
    layout: Literal["memo", "press", "letter", "report", "gbt9704"] = "memo"
    workflow: Literal["draft", "simplify"] = Field(
        default="draft", description="simplify: used by the simplification workflow, not offered for drafting."
    )
    title_field: str | None = Field(default=None, description="Input field used as the document title.")
    generation: Literal["per_section", "whole_document"] = Field(
        default="per_section",
        description="per_section: one call to a language model per section, each shown the plan and the text "
        "already written. whole_document: one call for every section at once, as structured output with "
        "per-sentence evidence (a backend without a language model still drafts section by section).",
    )
    fields: tuple[FieldSpec, ...]
    sections: tuple[SectionSpec, ...] = Field(min_length=1)
    required_elements: tuple[RequiredElement, ...] = Field(
        default=(), description="Checked in addition to the built-in requirements of the document kind."
    )
    guidance: str = Field(
        default="", description="Genre guidance for a language model: how a good document of this kind is written."
    )
    example: str = Field(
        default="",
        description="A short worked example of the genre (invented), shown to the model as a model of form, "
        "never of facts.",
    )
    house_style: Identifier | None = Field(
        default=None, description="Reference .docx the export starts from (house_styles/<name>.docx); default: the "
        "style guide's, else gbt9704 for 公文 and uk-gov (us-letter for American spelling) otherwise.",
    )
    numbered_paragraphs: bool = Field(
        default=False, description="Number the body paragraphs 1, 2, 3… (submissions), with the house style's "
        "'Numbered Paragraph' style.",
    )
    spelling: Literal["british", "american"] | None = Field(
        default=None, description="The document's spelling (en-GB or en-US) for the checks; overrides the style "
        "guide's.",
    )


class ReadabilityTarget(Strict):
    max_grade: float | None = None
    max_sentence_words: int | None = None
    max_avg_sentence_chars: int | None = None
    min_reading_ease: float | None = Field(default=None, description="Lowest Flesch Reading Ease (English).")
    max_sentence_chars: int | None = Field(default=None, description="Longest sentence in characters (Chinese).")
    max_uncommon_char_share: float | None = Field(
        default=None, description="Highest share of characters outside the common set (Chinese), 0-1."
    )


class StyleGuide(Strict):
    id: Identifier
    title: str
    language: Literal["en", "zh"]
    audience: str
    description: str = ""
    readability: ReadabilityTarget = ReadabilityTarget()
    spelling: Literal["british", "american"] | None = None
    rules: tuple[str, ...] = ()
    plain_words: dict[str, str] = Field(default_factory=dict)
    banned_phrases: tuple[str, ...] = ()
    glossary: dict[str, str] = Field(
        default_factory=dict, description="Unavoidable terms and their plain explanations (child-friendly versions)."
    )
    max_passive_share: float | None = Field(
        default=None, description="Highest share of sentences in the passive voice (English), 0-1."
    )
    house_style: Identifier | None = Field(
        default=None, description="Reference .docx for documents written to this guide, unless the template names one."
    )


# --- Requests and drafts ------------------------------------------------------------------------


class SourceDoc(BaseModel):
    name: str
    text: str
    purged_chars: int = Field(default=0, description="Characters removed by retention (drafter purge).")


class DraftRequest(BaseModel):
    template_id: str
    inputs: dict[str, str]
    sources: list[SourceDoc] = Field(default_factory=list)
    style_guide_id: str | None = None
    backend: str | None = None


class Origin(StrEnum):
    ai = "ai"
    ai_edited = "ai_edited"
    human = "human"


class Provenance(BaseModel):
    origin: Origin
    backend: str | None = None
    model: str | None = None
    prompt_sha256: str | None = None
    generated_at: datetime | None = None
    author: str
    edited_by: str | None = None
    edited_at: datetime | None = None
    ai_text: str | None = Field(default=None, description="The AI's original text, kept for diffing.")
    instruction: str | None = Field(default=None, description="Refinement instruction, if any.")
    language_model: bool | None = Field(
        default=None, description="Whether a language model wrote the text (False: assembled by rule offline)."
    )


class Citation(BaseModel):
    """A source passage supporting a section: the `[n]` marker resolved to a source and paragraph."""

    marker: int = Field(description="The n of the [n] marker: the source's 1-based position in the request.")
    source: str = Field(description="The source document's name.")
    paragraph: int | None = Field(
        default=None, description="1-based paragraph of the source the passage is in; None if not located."
    )
    quote: str = Field(default="", description="The supporting passage (the paragraph, shortened).")
    sentence: str = Field(
        default="", description="The sentence of the section this evidence is for (per-sentence evidence), else empty."
    )
    evidence: str = Field(default="", description="The passage the model gave as this sentence's evidence, as given.")
    verified: bool | None = Field(
        default=None,
        description="Per-sentence evidence: whether the passage occurs in the cited source; None for a [n] marker.",
    )


class SpanOrigin(StrEnum):
    """Who wrote a stretch of a section's text."""

    input = "input"  # the author's own words, carried over from the request's inputs
    quote = "quote"  # copied verbatim from a source (with source and paragraph)
    assembled = "assembled"  # connective text written by a rule (the offline backend)
    model = "model"  # written by a language model
    edited = "edited"  # changed by a person in a section a machine wrote


MACHINE_SPANS = frozenset({SpanOrigin.quote, SpanOrigin.assembled, SpanOrigin.model})


class Span(BaseModel):
    """`text[start:end]` of a section has this origin; text outside every span is layout only (white space,
    punctuation, list marks, `[n]` citation markers)."""

    start: int
    end: int
    origin: SpanOrigin
    source: str | None = Field(default=None, description="The source document's name (quotes).")
    paragraph: int | None = Field(default=None, description="1-based paragraph of the source (quotes).")


class Section(BaseModel):
    id: str
    heading: str
    text: str
    provenance: Provenance
    original: str | None = Field(default=None, description="The source text this section rewrites (simplification).")
    metrics: dict[str, Any] = Field(default_factory=dict, description="Readability before/after and similar.")
    citations: list[Citation] = Field(default_factory=list)
    spans: list[Span] = Field(
        default_factory=list, description="Who wrote which part of `text`; empty in drafts saved before 0.4."
    )


class DraftStatus(StrEnum):
    draft = "draft"
    generating = "generating"
    failed = "failed"
    in_review = "in_review"
    approved = "approved"
    changes_requested = "changes_requested"

    def text(self) -> Lazy:
        """The status for a sentence, in the reader's language (English keeps the stored value)."""
        return lazy(_STATUS_TEXT[self])


_STATUS_TEXT = {
    DraftStatus.draft: N_("draft"),
    DraftStatus.generating: N_("generating"),
    DraftStatus.failed: N_("failed"),
    DraftStatus.in_review: N_("in_review"),
    DraftStatus.approved: N_("approved"),
    DraftStatus.changes_requested: N_("changes_requested"),
}


def content_sha256(title: str, sections: list[Section]) -> str:
    """SHA-256 of the document's content: title plus each section's heading and text, canonical JSON."""
    payload = {
        "title": title.strip(),
        "sections": [[s.id, s.heading.strip(), s.text.strip()] for s in sections],
    }
    return sha256_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


class Draft(BaseModel):
    id: str
    template_id: str
    style_guide_id: str
    language: str
    title: str
    status: DraftStatus
    author: str
    backend: str
    version: int
    sections: list[Section]
    request: DraftRequest
    created_at: datetime
    updated_at: datetime
    updated_by: str | None = None
    error: str | None = None

    @property
    def content_sha256(self) -> str:
        return content_sha256(self.title, self.sections)

    @property
    def written(self) -> bool:
        """Generated and not failed: there is text to review, copy or export."""
        return self.status not in (DraftStatus.generating, DraftStatus.failed) and bool(self.sections)


class Checklist(BaseModel):
    """What a reviewer confirms before approving."""

    facts_checked: bool = False
    no_sensitive_data: bool = False
    label_accurate: bool = False

    def complete(self) -> bool:
        return self.facts_checked and self.no_sensitive_data and self.label_accurate


class Review(BaseModel):
    id: int | None = None
    draft_id: str
    reviewer: str
    decision: Literal["approved", "changes_requested"]
    comment: str = ""
    checklist: Checklist = Checklist()
    content_sha256: str
    version: int
    created_at: datetime


class Label(BaseModel):
    """The document label, in its visible and machine-readable forms."""

    language: str
    system: str
    backends: list[str]
    models: list[str]
    author: str
    reviewer: str
    approved_at: datetime
    facts_checked: bool
    statement: str
    aigc: dict[str, dict[str, str]]
    provenance: dict[str, object]


class AuditEvent(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    draft_id: str | None
    details: dict[str, object]
    prev_hash: str
    hash: str

    @staticmethod
    def compute_hash(
        seq: int, at: datetime, actor: str, action: str, draft_id: str | None, details: dict[str, object],
        prev_hash: str,
    ) -> str:
        payload = json.dumps(
            [seq, at.isoformat(), actor, action, draft_id, details, prev_hash],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return sha256_text(payload)


class LLMCall(BaseModel):
    """One call to a backend, in the shape of simonw/llm's `responses` table."""

    id: str
    draft_id: str | None
    model: str
    backend: str
    template_id: str | None
    style_guide_id: str | None
    system: str
    prompt: str
    prompt_sha256: str
    response: str
    options: dict[str, object] = Field(default_factory=dict)
    input_tokens: int | None = None
    output_tokens: int | None = None
    duration_ms: int
    datetime_utc: datetime
    error: str | None = None


# --- Checks: findings on a draft -----------------------------------------------------------------


class FindingSeverity(StrEnum):
    info = "info"
    warning = "warning"
    blocking = "blocking"


class FindingStatus(StrEnum):
    open = "open"
    resolved = "resolved"
    waived = "waived"


class Finding(BaseModel):
    """One result of the automatic checks, pointing at a span of one section.

    `id` is derived from `fingerprint` (rule, section, normalised subject, occurrence), so the same
    problem keeps its id, and its waiver, when the draft is checked again after an unrelated change.
    """

    id: str
    draft_id: str
    fingerprint: str
    severity: FindingSeverity
    rule_id: str
    section_id: str | None
    start: int | None = None
    end: int | None = None
    excerpt: str = ""
    message: str  # in English, for records, exports and JSON; `text()` says it in the reader's language
    suggestion: str | None = None
    message_id: str | None = None  # the gettext id of `message` and its parameters (None: stored before 0005)
    message_params: dict[str, Any] = Field(default_factory=dict)
    suggestion_id: str | None = None
    suggestion_params: dict[str, Any] = Field(default_factory=dict)
    status: FindingStatus = FindingStatus.open
    waiver_reason: str | None = None
    waived_by: str | None = None
    waived_at: datetime | None = None
    content_sha256: str = ""
    checked_at: datetime | None = None

    def text(self) -> str:
        """The message in the current language (`drafter.i18n.use` / `set_language`); English if untranslated."""
        return stored_text(self.message_id, self.message_params, self.message)

    def suggestion_text(self) -> str | None:
        """The suggestion in the current language, or None."""
        if self.suggestion_id:
            return stored_text(self.suggestion_id, self.suggestion_params, self.suggestion or "")
        return self.suggestion
