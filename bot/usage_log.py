"""The usage log in SQLite: questions with their passages and time taken, and 👍 / 👎 votes.

It has its own connection to the database file: a reload keeps a transaction open on the
service's connection, and a question logged meanwhile must neither join it (and be rolled back
with a failed reload) nor start a second transaction on it. Its own writes take turns under a
lock, since answers are logged concurrently.

Privacy settings apply here, at the only place that writes the log: STORE_QUESTION_TEXT off
keeps the question out, HASH_USER_IDS on stores a keyed hash (HMAC-SHA256 with a random key
kept in the database) instead of the Telegram user id, so ids cannot be recovered by hashing
every possible id.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections import defaultdict
from pathlib import Path

from bot.models import Answer
from bot.storage import Database
from bot.usage import LoggedQuestion

_KEY = "user_hash_key"
# Milliseconds a log write waits for a reload's transaction to commit before giving up.
_BUSY_TIMEOUT_MS = 30_000


class UsageLog:
    """Write and read the usage tables of one database."""

    def __init__(self, db: Database, store_text: bool = True, hash_users: bool = False) -> None:
        self.db = db
        self.store_text = store_text
        self.hash_users = hash_users
        self._write = asyncio.Lock()
        self._key: str | None = None

    @classmethod
    async def open(cls, path: str | Path, store_text: bool = True,
                   hash_users: bool = False) -> UsageLog:
        """The log on its own connection to the database file."""
        db = await Database.open(path)
        await db.connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        return cls(db, store_text, hash_users)

    async def close(self) -> None:
        """Close the log's connection."""
        await self.db.close()

    async def _user(self, user_id: int | None) -> str | None:
        """The id as stored: itself, or its keyed hash. The caller holds the write lock."""
        if user_id is None or not self.hash_users:
            return None if user_id is None else str(user_id)
        if self._key is None:
            self._key = await self.db.get_meta(_KEY)
        if self._key is None:
            self._key = secrets.token_hex(16)
            await self.db.set_meta(_KEY, self._key)
        return hmac.new(self._key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:16]

    async def record(self, answer: Answer, chat_type: str, user_id: int | None,
                     seconds: float) -> int:
        """Log one question and the passages it was given; return its id for the vote buttons."""
        conn = self.db.connection
        async with self._write, self.db.transaction():
            user = await self._user(user_id)
            cur = await conn.execute(
                "INSERT INTO questions (chat_type, language, question, user_id, status, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (chat_type, answer.language, answer.question if self.store_text else None, user,
                 answer.status.value, seconds),
            )
            question_id = int(cur.lastrowid or 0)
            await conn.executemany(
                "INSERT INTO question_passages (question_id, rank, doc_id, position, score) "
                "VALUES (?, ?, ?, ?, ?)",
                [(question_id, c.number, c.hit.passage.doc_id, c.hit.passage.position,
                  c.hit.score) for c in answer.passages],
            )
        return question_id

    async def vote(self, question_id: int, user_id: int, value: int) -> bool:
        """Store 👍 (1) or 👎 (-1) for a logged question; False if there is no such question."""
        conn = self.db.connection
        async with self._write, self.db.transaction():
            async with conn.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)) as cur:
                if await cur.fetchone() is None:
                    return False
            await conn.execute(
                "INSERT INTO feedback (question_id, user_id, value) VALUES (?, ?, ?) "
                "ON CONFLICT(question_id, user_id) DO UPDATE SET value = excluded.value, "
                "given_at = excluded.given_at",
                (question_id, await self._user(user_id), value),
            )
        return True

    async def questions(self) -> list[LoggedQuestion]:
        """The whole log, oldest first."""
        conn = self.db.connection
        passages: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
        async with conn.execute("SELECT question_id, doc_id, position, score "
                                "FROM question_passages ORDER BY question_id, rank") as cur:
            async for qid, doc_id, position, score in cur:
                passages[qid].append((doc_id, position, score))
        votes: dict[int, list[int]] = defaultdict(list)
        async with conn.execute("SELECT question_id, value FROM feedback") as cur:
            async for qid, value in cur:
                votes[qid].append(value)
        async with conn.execute("SELECT id, asked_at, chat_type, language, question, user_id, "
                                "status, seconds FROM questions ORDER BY id") as cur:
            rows = await cur.fetchall()
        return [
            LoggedQuestion(id=qid, asked_at=asked_at, chat_type=chat_type, language=language,
                           question=question, user=user, status=status, seconds=seconds,
                           passages=tuple(passages[qid]), votes=tuple(votes[qid]))
            for qid, asked_at, chat_type, language, question, user, status, seconds in rows
        ]
