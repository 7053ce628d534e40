"""The usage log in SQLite: questions with their passages and time taken, and 👍 / 👎 votes.

Privacy settings apply here, at the only place that writes the log: STORE_QUESTION_TEXT off
keeps the question out, HASH_USER_IDS on stores a keyed hash (HMAC-SHA256 with a random key
kept in the database) instead of the Telegram user id, so ids cannot be recovered by hashing
every possible id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict

from bot.models import Answer
from bot.storage import Database
from bot.usage import LoggedQuestion

_KEY = "user_hash_key"


class UsageLog:
    """Write and read the usage tables of one database."""

    def __init__(self, db: Database, store_text: bool = True, hash_users: bool = False) -> None:
        self.db = db
        self.store_text = store_text
        self.hash_users = hash_users

    async def _user(self, user_id: int | None) -> str | None:
        if user_id is None or not self.hash_users:
            return None if user_id is None else str(user_id)
        key = await self.db.get_meta(_KEY)
        if key is None:
            key = secrets.token_hex(16)
            await self.db.set_meta(_KEY, key)
        return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:16]

    async def record(self, answer: Answer, chat_type: str, user_id: int | None,
                     seconds: float) -> int:
        """Log one question and the passages it was given; return its id for the vote buttons."""
        user = await self._user(user_id)
        conn = self.db.connection
        async with self.db.transaction():
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
        user = await self._user(user_id)
        conn = self.db.connection
        async with conn.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)) as cur:
            if await cur.fetchone() is None:
                return False
        await conn.execute(
            "INSERT INTO feedback (question_id, user_id, value) VALUES (?, ?, ?) "
            "ON CONFLICT(question_id, user_id) DO UPDATE SET value = excluded.value, "
            "given_at = excluded.given_at",
            (question_id, user, value),
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
        return [LoggedQuestion(*row, passages=tuple(passages[row[0]]),
                               votes=tuple(votes[row[0]])) for row in rows]
