from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from bot.config import Settings
from bot.core.models import VoteResult
from bot.engine.service import QAService

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_questions_passages_and_votes_are_stored(service: QAService) -> None:
    answer = service.ask(QUESTION)
    qid = await service.usage.record(answer, "private", 1001, 0.25)
    assert await service.usage.vote(qid, 1001, -1) is VoteResult.STORED
    assert await service.usage.vote(qid, 1001, 1) is VoteResult.STORED  # replaces the first
    assert await service.usage.vote(qid, 2002, -1) is VoteResult.NOT_ASKER  # not theirs
    assert await service.usage.vote(qid + 100, 1001, 1) is VoteResult.NO_QUESTION
    assert await service.usage.vote(10**30, 1001, 1) is VoteResult.NO_QUESTION  # no SQLite int
    (logged,) = await service.usage.questions()
    assert (logged.id, logged.question, logged.user, logged.chat_type) == (
        qid, QUESTION, "1001", "private")
    assert logged.status == "answered" and logged.seconds == 0.25
    assert logged.votes == (1,)
    expected = [(c.hit.passage.doc_id, c.hit.passage.position, c.hit.score)
                for c in answer.passages]
    assert [(d, p, round(s, 6)) for d, p, s in logged.passages] == [
        (d, p, round(s, 6)) for d, p, s in expected]


async def test_privacy_settings(settings: Settings) -> None:
    private = settings.model_copy(update={"store_question_text": False, "hash_user_ids": True})
    service = await QAService.start(private)
    try:
        first = await service.usage.record(service.ask(QUESTION), "group", 1001, 0.1)
        await service.usage.record(service.ask("Who is Duan?"), "group", 1001, 0.1)
        await service.usage.record(service.ask("Who is Duan?"), "group", 2002, 0.1)
        assert await service.usage.vote(first, 1001, 1) is VoteResult.STORED
        assert await service.usage.vote(first, 2002, -1) is VoteResult.NOT_ASKER  # hashed too
    finally:
        await service.close()
    with sqlite3.connect(settings.database_path) as conn:
        rows = conn.execute("SELECT question, user_id FROM questions ORDER BY id").fetchall()
        voter = conn.execute("SELECT user_id FROM feedback").fetchone()[0]
    assert [q for q, _ in rows] == [None, None, None]
    users = [u for _, u in rows]
    assert "1001" not in users and all(len(u) == 16 for u in users)
    assert users[0] == users[1] != users[2]  # stable per user, different between users
    assert voter == users[0]


QUESTIONS = [f"Who is Fu Linlin? ({i})" for i in range(30)]


def _logged(settings: Settings) -> dict[int, str]:
    with sqlite3.connect(settings.database_path) as conn:
        return dict(conn.execute("SELECT id, question FROM questions").fetchall())


async def test_concurrent_questions_share_a_transaction_and_keep_their_ids(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = []
    real = service.usage.db.transaction

    def counted() -> Any:
        transactions.append(1)
        return real()

    monkeypatch.setattr(service.usage.db, "transaction", counted)
    answers = [service.ask(q) for q in QUESTIONS]
    ids = await asyncio.gather(*(service.usage.record(a, "private", 1001, 0.1) for a in answers))
    assert len(set(ids)) == len(ids)
    assert len(transactions) <= 2  # not one per question
    logged = {q.id: q for q in await service.usage.questions()}
    for question_id, answer in zip(ids, answers):  # each id is its own question's row
        assert logged[question_id].question == answer.question
        assert len(logged[question_id].passages) == len(answer.passages)
    later = await service.usage.record(answers[0], "private", 1001, 0.1)
    assert later > max(ids)
    assert await service.usage.vote(later, 1001, 1) is VoteResult.STORED


async def test_closing_writes_every_question_still_waiting(settings: Settings) -> None:
    service = await QAService.start(settings)
    answers = [service.ask(q) for q in QUESTIONS]
    tasks = [asyncio.create_task(service.usage.record(a, "private", 1001, 0.1)) for a in answers]
    await asyncio.sleep(0)  # queued, not yet written
    await service.close()
    ids = [t.result() for t in tasks]  # all done by the time close returned
    assert _logged(settings) == {i: q for i, q in zip(ids, QUESTIONS)}


async def test_a_caller_that_stops_waiting_still_gets_its_question_logged(
    settings: Settings,
) -> None:
    service = await QAService.start(settings)
    task = asyncio.create_task(service.usage.record(service.ask(QUESTION), "private", 1, 0.1))
    await asyncio.sleep(0)
    task.cancel()
    await service.close()
    assert list(_logged(settings).values()) == [QUESTION]


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_is_written(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.usage._insert
    failures = iter([sqlite3.OperationalError("database is locked")])

    async def flaky(batch: Any) -> list[int]:
        for failure in failures:
            raise failure
        return await real(batch)

    monkeypatch.setattr(service.usage, "_insert", flaky)
    answer = service.ask(QUESTION)
    failed = await asyncio.gather(service.usage.record(answer, "private", 1, 0.1),
                                  service.usage.record(answer, "private", 2, 0.1),
                                  return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in failed)
    question_id = await service.usage.record(answer, "private", 1, 0.1)
    assert [q.id for q in await service.usage.questions()] == [question_id]
