"""Collections through the service: a chat searches only what it may see, as if nothing else
were indexed, and grants made from Telegram are kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.collections import DEFAULT, EVERYTHING, Scope
from bot.core.models import Answer, Status
from bot.engine.service import QAService, UploadStatus
from tests.conftest import SEEDS, ZH_SEED

STAFF = Scope(frozenset({"staff"}))
PUBLIC = Scope(frozenset({DEFAULT}))
SECRET = ("Staff rota: the night shift door code is 4471, and the petty cash box is kept "
          "in the locked drawer behind the reception desk.\n")
QUESTIONS = ("Who did Fu Linlin take to the hospital?", "王小容在哪个单位工作？",
             "What is the night shift door code?", "where is the petty cash box kept?",
             "hello", "reception desk drawer")


def _seen(answer: Answer) -> tuple[object, ...]:
    """Everything a person is shown of an answer."""
    return (answer.status, answer.message,
            tuple((c.hit.passage.text, c.hit.passage.title, c.hit.score, c.confidence)
                  for c in answer.passages))


@pytest.fixture
def scoped(settings: Settings) -> Settings:
    """The English seed at the top (the default collection), the Chinese seed in `news/`."""
    news = settings.knowledge_dir / "news"
    news.mkdir()
    (settings.knowledge_dir / ZH_SEED).rename(news / ZH_SEED)
    return settings.model_copy(update={"collections": {"*": frozenset({DEFAULT})}})


async def test_a_question_searches_only_the_collections_it_may_see(scoped: Settings) -> None:
    (scoped.knowledge_dir / "staff").mkdir()
    (scoped.knowledge_dir / "staff" / "rota.txt").write_text(SECRET)
    service = await QAService.start(scoped)
    try:
        code = "What is the night shift door code?"
        assert "4471" in service.ask(code, scope=STAFF).passages[0].hit.passage.text
        for scope in (PUBLIC, Scope(frozenset({"news"}))):
            assert all("4471" not in c.hit.passage.text for c in service.ask(code, scope=scope)
                       .passages)
        assert "4471" in service.ask(code).passages[0].hit.passage.text  # everything
        assert {d.path for d in await service.documents(STAFF)} == {"staff/rota.txt"}
        assert len(await service.documents(PUBLIC)) == 1
        assert await service.collections() == {DEFAULT: (1, 4), "news": (1, 2), "staff": (1, 1)}
        small_talk = service.ask("hello", scope=STAFF)
        assert small_talk.status is Status.SMALL_TALK and " 1 " in small_talk.message
    finally:
        await service.close()


async def test_a_document_added_to_a_hidden_collection_changes_nothing_a_chat_gets(
    scoped: Settings,
) -> None:
    service = await QAService.start(scoped)
    try:
        before = {q: _seen(service.ask(q, scope=PUBLIC)) for q in QUESTIONS}
        news_before = {q: _seen(service.ask(q, scope=Scope(frozenset({"news"}))))
                       for q in QUESTIONS}
        (scoped.knowledge_dir / "staff").mkdir()
        (scoped.knowledge_dir / "staff" / "rota.txt").write_text(SECRET)
        # The same words in a hidden copy of the public seed: statistics must not move.
        shutil.copy(SEEDS / "000_8c4ed84407d39b0c.txt", scoped.knowledge_dir / "staff")
        report = await service.reload()
        assert len(report.added) == 2
        assert service.ask("night shift door code", scope=STAFF).status is Status.ANSWERED
        assert {q: _seen(service.ask(q, scope=PUBLIC)) for q in QUESTIONS} == before
        assert {q: _seen(service.ask(q, scope=Scope(frozenset({"news"}))))
                for q in QUESTIONS} == news_before
        assert before["What is the night shift door code?"][0] is not Status.ANSWERED
    finally:
        await service.close()


async def test_grants_made_from_telegram_are_kept_and_win(scoped: Settings) -> None:
    service = await QAService.start(scoped)
    try:
        assert service.scope(-100, True, 5, admin=False) == PUBLIC
        await service.grant("-100", frozenset({"news"}), granted_by=7)
        assert service.scope(-100, True, 5, admin=False) == Scope(frozenset({"news"}))
        await service.grant("5", None, granted_by=7)
        assert service.scope(5, False, 5, admin=False) is not EVERYTHING
        assert service.scope(5, False, 5, admin=False).everything
    finally:
        await service.close()
    again = await QAService.start(scoped, sync=False)
    try:
        assert again.grants()[1] == {"-100": frozenset({"news"}), "5": None}
        group = again.scope(-100, True, 5, admin=False)
        answer = again.ask("Where does Wang Xiaorong work?", scope=group)
        assert answer.status is Status.ANSWERED
        assert await again.ungrant("-100") and not await again.ungrant("-100")
        assert again.scope(-100, True, 5, admin=False) == PUBLIC
    finally:
        await again.close()


async def test_the_saved_index_keeps_each_documents_collection(scoped: Settings) -> None:
    first = await QAService.start(scoped)
    news = Scope(frozenset({"news"}))
    expected = _seen(first.ask("王小容在哪个单位工作？", scope=news))
    await first.close()
    second = await QAService.start(scoped, sync=False)  # served from the saved files
    try:
        assert second.index.table.collections == {DEFAULT, "news"}
        assert _seen(second.ask("王小容在哪个单位工作？", scope=news)) == expected
        # The news article is no longer what the default collection's chats are shown.
        public = second.ask("Where does Wang Xiaorong work?", scope=PUBLIC, strictness=0)
        assert public.passages and all(c.hit.passage.doc_id != f"news/{ZH_SEED}"
                                       for c in public.passages)
    finally:
        await second.close()


async def test_uploads_go_into_the_named_collection(service: QAService) -> None:
    text = b"The volunteers meet on Thursdays at 7 pm in room 12.\n"
    added = await service.add_upload("meeting.txt", text, {}, collection="volunteers")
    assert added.status is UploadStatus.ADDED and added.name == "volunteers/meeting.txt"
    assert (service.settings.knowledge_dir / "volunteers" / "meeting.txt").read_bytes() == text
    assert added.passages[0].collection == "volunteers"
    # The same text is a duplicate in its own collection, and welcome in another.
    again = await service.add_upload("meeting.txt", text, {}, collection="volunteers")
    assert again.status is UploadStatus.DUPLICATE
    elsewhere = await service.add_upload("meeting.txt", text, {}, collection="staff")
    assert elsewhere.status is UploadStatus.ADDED and elsewhere.name == "staff/meeting.txt"
    top = await service.add_upload("meeting.txt", text, {}, collection=DEFAULT)
    assert top.status is UploadStatus.ADDED and top.name == "meeting.txt"


@pytest.mark.parametrize("name", ["../outside", "a/b", ".hidden", ""])
async def test_an_upload_into_a_bad_collection_name_is_refused(service: QAService,
                                                               name: str) -> None:
    result = await service.add_upload("note.txt", b"Some text here.\n", {}, collection=name)
    assert result.status is UploadStatus.REFUSED and "collection name" in result.reason
    assert not list(Path(service.settings.knowledge_dir).rglob("note.txt"))
