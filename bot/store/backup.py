"""Backup and restore of the database file through SQLite's online backup API: a consistent
copy even while the bot writes, and a restore that checks the copy before it replaces anything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.database import SCHEMA_VERSION, StorageError


def backup(source: str | Path, target: str | Path) -> None:
    """A consistent copy of a live database through SQLite's online backup API.

    Written next to the target and renamed into place, so a failed backup never leaves a
    half-written file where a good one is expected.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        check_file(dst)
    finally:
        dst.close()
        src.close()
    partial.replace(target)


def check_file(conn: sqlite3.Connection) -> int:
    """Raise StorageError unless the database is intact and of a known schema; its version."""
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("SELECT COUNT(*) FROM documents JOIN passages ON passages.doc_id = documents.id")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"not a usable database: {exc}") from exc
    if integrity != "ok":
        raise StorageError(f"integrity check failed: {integrity}")
    if not 1 <= version <= SCHEMA_VERSION:
        raise StorageError(f"schema version {version} is not one this program knows")
    return version


def restore(backup_file: str | Path, target: str | Path) -> None:
    """Put a checked backup in place of the database (stop the bot first)."""
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        check_file(src)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()

