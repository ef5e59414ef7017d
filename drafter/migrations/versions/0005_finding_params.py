"""Findings keep their message and suggestion as gettext ids and parameters, so the UI and the CLI show each
reader a finding in their own language; `message` and `suggestion` keep the English sentences.

Revision ID: 0005_finding_params
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_finding_params"
down_revision = "0004_audit_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("message_id", sa.Text))
        batch.add_column(sa.Column("message_params_json", sa.Text))
        batch.add_column(sa.Column("suggestion_id", sa.Text))
        batch.add_column(sa.Column("suggestion_params_json", sa.Text))


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
