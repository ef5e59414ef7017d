"""Alembic environment: runs on the connection the store passes in (no alembic.ini needed).

`target_metadata` is the store's own tables, so `alembic check` / autogenerate see any drift between
drafter/store/tables.py and the migrations.
"""

from alembic import context

from drafter.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
