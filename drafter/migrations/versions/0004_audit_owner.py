"""PostgreSQL: the audit table belongs to its own role; the application may only INSERT and SELECT on it.

Skipped with a warning when the connecting role may not create roles (`drafter doctor` then says so).

Revision ID: 0004_audit_owner
"""

from alembic import op

from drafter.store.schema import protect_audit_table

revision = "0004_audit_owner"
down_revision = "0003_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    protect_audit_table(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
