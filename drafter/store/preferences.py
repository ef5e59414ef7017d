"""Each user's interface preferences: one row per user, written by upsert."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from drafter.models import utcnow
from drafter.store.tables import user_preferences


def language(conn: Connection, user: str) -> str | None:
    return conn.execute(
        sa.select(user_preferences.c.language).where(user_preferences.c.user_name == user)
    ).scalar_one_or_none()


def set_language(conn: Connection, user: str, lang: str | None) -> None:
    now = utcnow().isoformat()
    updated = conn.execute(
        user_preferences.update().where(user_preferences.c.user_name == user).values(language=lang, updated_at=now)
    )
    if not updated.rowcount:
        conn.execute(user_preferences.insert().values(user_name=user, language=lang, updated_at=now))
