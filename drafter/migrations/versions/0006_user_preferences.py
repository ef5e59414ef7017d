"""Each user's interface preferences (for now the interface language), kept across sessions.

Revision ID: 0006_user_preferences
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_user_preferences"
down_revision = "0005_finding_params"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("user_name", sa.String(200), primary_key=True),
        sa.Column("language", sa.String(16)),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
