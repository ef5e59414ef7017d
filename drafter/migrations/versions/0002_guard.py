"""Guard: the pseudonymisation mapping kept with each draft (placeholder → original, never sent).

Revision ID: 0002_guard
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_guard"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guard_pseudonyms",
        sa.Column("draft_id", sa.String(40), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("placeholder", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("original", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "placeholder", name="pk_guard_pseudonyms"),
    )


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
