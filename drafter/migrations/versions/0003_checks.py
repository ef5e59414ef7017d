"""Findings of the automatic checks (unsupported facts, style lint, readability) per draft.

Revision ID: 0003_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_checks"
down_revision = "0002_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("draft_id", sa.String(40), sa.ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
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
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("waiver_reason", sa.Text),
        sa.Column("waived_by", sa.String(200)),
        sa.Column("waived_at", sa.String(40)),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("checked_at", sa.String(40)),
    )
    op.create_index("ix_findings_draft_status", "findings", ["draft_id", "status", "severity"])


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
