"""The collection grants admins make from Telegram (/use), in the database.

I/O edge. A grant maps a chat or user id (or `*`) to collection names, or to every
collection; `bot.core.collections` decides what they mean together with the settings.
"""

from __future__ import annotations

from bot.core.collections import ALL, parse_names
from bot.store.database import Database


async def stored(db: Database) -> dict[str, frozenset[str] | None]:
    """Every stored grant by key; None names every collection."""
    rows = await db.connection.execute_fetchall(
        "SELECT key, collections FROM collection_grants ORDER BY key")
    return {key: parse_names(names) for key, names in rows}


async def put(db: Database, key: str, names: frozenset[str] | None,
              granted_by: int | None) -> None:
    """Store (or replace) the grant of one key."""
    value = ALL if names is None else ",".join(sorted(names))
    async with db.transaction():
        await db.connection.execute(
            "INSERT INTO collection_grants (key, collections, granted_by) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET collections = excluded.collections, "
            "granted_by = excluded.granted_by, granted_at = excluded.granted_at",
            (key, value, granted_by))


async def remove(db: Database, key: str) -> bool:
    """Drop the stored grant of one key (the settings apply to it again); False if none."""
    async with db.transaction():
        cursor = await db.connection.execute("DELETE FROM collection_grants WHERE key = ?",
                                             (key,))
        return cursor.rowcount > 0
