"""The schema, defined once: the store queries these tables and Alembic compares them with the migrations.

Timestamps are ISO 8601 strings (String(40)) as migration 0001 created them, so that SQLite and PostgreSQL
store and sort them the same way. A change here needs a migration; `tests/store/test_schema.py` fails
until the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ID = sa.String(40)  # draft ids
USER = sa.String(200)  # user names
SHA256 = sa.String(64)
TIMESTAMP = sa.String(40)  # ISO 8601 text


def _draft_fk() -> sa.ForeignKey:
    return sa.ForeignKey("drafts.id", ondelete="CASCADE")


drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("template_id", sa.String(64), nullable=False),
    sa.Column("style_guide_id", sa.String(64), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("author", USER, nullable=False),
    sa.Column("backend", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("sections_json", sa.Text, nullable=False),
    sa.Column("request_json", sa.Text, nullable=False),
    sa.Column("content_sha256", SHA256, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("updated_by", USER),
    sa.Column("error", sa.Text),
    sa.Index("ix_drafts_status", "status", "created_at"),
    sa.Index("ix_drafts_author", "author"),
)

draft_versions = sa.Table(
    "draft_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("draft_id", ID, _draft_fk(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("sections_json", sa.Text, nullable=False),
    sa.Column("content_sha256", SHA256, nullable=False),
    sa.Column("actor", USER, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_version"),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("draft_id", ID, _draft_fk(), nullable=False),
    sa.Column("reviewer", USER, nullable=False),
    sa.Column("decision", sa.String(32), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("checklist_json", sa.Text, nullable=False),
    sa.Column("content_sha256", SHA256, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Index("ix_reviews_draft", "draft_id", "id"),
)

llm_calls = sa.Table(
    "llm_calls",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("draft_id", ID, index=True),
    sa.Column("model", USER, nullable=False),
    sa.Column("backend", sa.String(64), nullable=False),
    sa.Column("template_id", sa.String(64)),
    sa.Column("style_guide_id", sa.String(64)),
    sa.Column("system", sa.Text, nullable=False),
    sa.Column("prompt", sa.Text, nullable=False),
    sa.Column("prompt_sha256", SHA256, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("options_json", sa.Text, nullable=False),
    sa.Column("input_tokens", sa.Integer),
    sa.Column("output_tokens", sa.Integer),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("datetime_utc", TIMESTAMP, nullable=False),
    sa.Column("error", sa.Text),
)

# Append-only: triggers created by migration 0001 refuse UPDATE and DELETE (autogenerate does not see them).
audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", TIMESTAMP, nullable=False),
    sa.Column("actor", USER, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("draft_id", ID, index=True),
    sa.Column("details_json", sa.Text, nullable=False),
    sa.Column("prev_hash", SHA256, nullable=False, unique=True),
    sa.Column("hash", SHA256, nullable=False, unique=True),
)

guard_pseudonyms = sa.Table(
    "guard_pseudonyms",
    metadata,
    sa.Column("draft_id", ID, _draft_fk(), nullable=False),
    sa.Column("placeholder", sa.String(64), nullable=False),
    sa.Column("entity_type", sa.String(40), nullable=False),
    sa.Column("original", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint("draft_id", "placeholder", name="pk_guard_pseudonyms"),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("draft_id", ID, _draft_fk(), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("section_id", sa.String(64)),
    sa.Column("span_start", sa.Integer),
    sa.Column("span_end", sa.Integer),
    sa.Column("excerpt", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("suggestion", sa.Text),
    # the message and suggestion as gettext ids and parameters (JSON), so each reader sees them in their language;
    # `message` and `suggestion` keep the English sentences (NULL ids: findings stored before 0005)
    sa.Column("message_id", sa.Text),
    sa.Column("message_params_json", sa.Text),
    sa.Column("suggestion_id", sa.Text),
    sa.Column("suggestion_params_json", sa.Text),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("waiver_reason", sa.Text),
    sa.Column("waived_by", USER),
    sa.Column("waived_at", TIMESTAMP),
    sa.Column("content_sha256", SHA256, nullable=False),
    sa.Column("checked_at", TIMESTAMP),
    sa.Index("ix_findings_draft_status", "draft_id", "status", "severity"),
)

user_preferences = sa.Table(
    "user_preferences",
    metadata,
    sa.Column("user_name", USER, primary_key=True),
    sa.Column("language", sa.String(16)),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)
