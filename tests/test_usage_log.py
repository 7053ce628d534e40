from __future__ import annotations

import sqlite3

from bot.config import Settings
from bot.service import QAService

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_questions_passages_and_votes_are_stored(service: QAService) -> None:
    answer = service.ask(QUESTION)
    qid = await service.usage.record(answer, "private", 1001, 0.25)
    assert await service.usage.vote(qid, 1001, -1)
    assert await service.usage.vote(qid, 1001, 1)  # a second press replaces the first
    assert await service.usage.vote(qid, 2002, -1)
    assert not await service.usage.vote(qid + 100, 1001, 1)  # no such question
    (logged,) = await service.usage.questions()
    assert (logged.id, logged.question, logged.user, logged.chat_type) == (
        qid, QUESTION, "1001", "private")
    assert logged.status == "answered" and logged.seconds == 0.25
    assert sorted(logged.votes) == [-1, 1]
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
        await service.usage.vote(first, 1001, 1)
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
