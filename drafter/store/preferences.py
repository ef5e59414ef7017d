"""Each user's interface preferences: one row per user, written by upsert."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from drafter.models import utcnow
from drafter.store.tables import user_preferences


def language(conn: Connection, user: str) -> str | None:
    return conn.execute(
        sa.select(user_preferences.c.language).where(user_preferences.c.user_name == user)
    ).scalar_one_or_none()


def set_language(conn: Connection, user: str, lang: str | None) -> None:
    # one statement, so two sessions of the same user choosing at once cannot both insert
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    values = {"language": lang, "updated_at": utcnow().isoformat()}
    conn.execute(
        insert(user_preferences)
        .values(user_name=user, **values)
        .on_conflict_do_update(index_elements=[user_preferences.c.user_name], set_=values)
    )
