"""The usage log in SQLite: questions with their passages and time taken, and 👍 / 👎 votes.

It has its own connection to the database file: a reload keeps a transaction open on the
service's connection, and a question logged meanwhile must neither join it (and be rolled back
with a failed reload) nor start a second transaction on it. Its own writes take turns under a
lock, since answers are logged concurrently.

Questions are written in batches (group commit): every question asked while a batch is being
written joins the next one, written in one transaction. Each caller still waits for its own row
to be committed, so the id it gets back (for the 👍 / 👎 buttons) is always in the database,
and closing the log waits for the last batch; but a busy bot pays for one transaction per
batch instead of one per question.

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
from dataclasses import dataclass
from pathlib import Path

from bot.core.models import Answer, LoggedQuestion, VoteResult
from bot.store.database import Database

_KEY = "user_hash_key"
# Milliseconds a log write waits for a reload's transaction to commit before giving up.
_BUSY_TIMEOUT_MS = 30_000


@dataclass
class _Pending:
    """A question waiting for its batch, and the future its id is given through."""

    answer: Answer
    chat_type: str
    user_id: int | None
    seconds: float
    question_id: asyncio.Future[int]


class UsageLog:
    """Write and read the usage tables of one database."""

    def __init__(self, db: Database, store_text: bool = True, hash_users: bool = False) -> None:
        self.db = db
        self.store_text = store_text
        self.hash_users = hash_users
        self._write = asyncio.Lock()
        self._key: str | None = None
        self._pending: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path, store_text: bool = True,
                   hash_users: bool = False) -> UsageLog:
        """The log on its own connection to the database file."""
        db = await Database.open(path)
        await db.connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        return cls(db, store_text, hash_users)

    async def close(self) -> None:
        """Write the questions still waiting, then close the log's connection."""
        self._closed = True
        await self.flush()
        await self.db.close()

    async def flush(self) -> None:
        """Return once every question recorded so far is written (or has failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

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
        """Log one question and the passages it was given; return its id for the vote buttons
        once it is committed, with the other questions of its batch."""
        if self._closed:
            raise RuntimeError("the usage log is closed")
        pending = _Pending(answer, chat_type, user_id, seconds,
                           asyncio.get_running_loop().create_future())
        self._pending.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        # Shielded: a caller that is cancelled stops waiting, but its row is still written.
        return await asyncio.shield(pending.question_id)

    async def _write_batches(self) -> None:
        """Write what is waiting, one transaction a batch, until nothing is."""
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                ids = await self._insert(batch)
            except Exception as exc:  # each caller decides what a lost log entry means
                for p in batch:
                    if not p.question_id.done():
                        p.question_id.set_exception(exc)
                continue
            for p, question_id in zip(batch, ids):
                if not p.question_id.done():
                    p.question_id.set_result(question_id)

    async def _insert(self, batch: list[_Pending]) -> list[int]:
        """One transaction for the batch. The ids are chosen under the write lock that BEGIN
        IMMEDIATE takes, so no other writer can take them meanwhile."""
        conn = self.db.connection
        async with self._write, self.db.transaction():
            async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM questions") as cur:
                row = await cur.fetchone()
            first = int(row[0] if row else 0) + 1
            ids = list(range(first, first + len(batch)))
            await conn.executemany(
                "INSERT INTO questions (id, chat_type, language, question, user_id, status, "
                "seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(question_id, p.chat_type, p.answer.language,
                  p.answer.question if self.store_text else None, await self._user(p.user_id),
                  p.answer.status.value, p.seconds) for question_id, p in zip(ids, batch)],
            )
            await conn.executemany(
                "INSERT INTO question_passages (question_id, rank, doc_id, position, score) "
                "VALUES (?, ?, ?, ?, ?)",
                [(question_id, c.number, c.hit.passage.doc_id, c.hit.passage.position,
                  c.hit.score) for question_id, p in zip(ids, batch) for c in p.answer.passages],
            )
        return ids

    async def vote(self, question_id: int, user_id: int, value: int) -> VoteResult:
        """Store 👍 (1) or 👎 (-1) for a logged question, from the user who asked it only (its
        id as stored: plain, or the keyed hash); pressing again replaces the vote."""
        if not 0 < question_id < 2**63:  # SQLite's integers; a larger one is no row of ours
            return VoteResult.NO_QUESTION
        conn = self.db.connection
        async with self._write, self.db.transaction():
            async with conn.execute("SELECT user_id FROM questions WHERE id = ?",
                                    (question_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return VoteResult.NO_QUESTION
            voter = await self._user(user_id)
            if row[0] is None or row[0] != voter:
                return VoteResult.NOT_ASKER
            await conn.execute(
                "INSERT INTO feedback (question_id, user_id, value) VALUES (?, ?, ?) "
                "ON CONFLICT(question_id, user_id) DO UPDATE SET value = excluded.value, "
                "given_at = excluded.given_at",
                (question_id, voter, value),
            )
        return VoteResult.STORED

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
