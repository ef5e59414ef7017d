"""Initial schema: drafts, versions, reviews, LLM calls, append-only audit log.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("style_guide_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sections_json", sa.Text, nullable=False),
        sa.Column("request_json", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_drafts_status", "drafts", ["status", "created_at"])
    op.create_index("ix_drafts_author", "drafts", ["author"])
    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(40), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("sections_json", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_version"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(40), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("checklist_json", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_reviews_draft", "reviews", ["draft_id", "id"])
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("draft_id", sa.String(40), index=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("template_id", sa.String(64)),
        sa.Column("style_guide_id", sa.String(64)),
        sa.Column("system", sa.Text, nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("prompt_sha256", sa.String(64), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("options_json", sa.Text, nullable=False),
        sa.Column("input_tokens", sa.Integer),
        sa.Column("output_tokens", sa.Integer),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("datetime_utc", sa.String(40), nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("draft_id", sa.String(40), index=True),
        sa.Column("details_json", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    # The audit log is append-only in the database itself, not only by convention in the code.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
