"""A reload that changes a few documents updates the served index in place: the same answers
as a full rebuild, saved for the next start, and never half-applied to a question."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.collections import DEFAULT, Scope
from bot.core.index import SearchIndex
from bot.engine.service import QAService
from bot.store import index_store
from tests.conftest import EN_SEED

NOTE = "---\ntitle: Pool hours\n---\nThe swimming pool opens at seven and closes at nine.\n"
QUESTIONS = ("When does the swimming pool open?", "What closes at nine?", "王小容是谁",
             "Who wrote the note about lanterns?")


def _fresh(corpus: tuple[list, list]) -> SearchIndex:
    return SearchIndex.build(*corpus)


async def _same_as_rebuilt(service: QAService) -> None:
    """The served index ranks every question as one built from the database now."""
    fresh = _fresh(await service.db.corpus())
    served = service.index
    assert served.table.ids.tolist() == fresh.table.ids.tolist()
    for question in QUESTIONS:
        terms = service.analyzer.tokens(question)
        for got, want in ((served.search(terms, 10), fresh.search(terms, 10)),
                          (served.search_groups([[t] for t in terms], 10),
                           fresh.search_groups([[t] for t in terms], 10))):
            assert [(served.table[r].id, s) for r, s in got] == [
                (fresh.table[r].id, s) for r, s in want]


@pytest.fixture
def full_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the reloads that rebuilt or loaded the whole index."""
    calls: list[int] = []
    original = QAService.load_index

    async def counted(self: QAService) -> None:
        calls.append(1)
        await original(self)

    monkeypatch.setattr(QAService, "load_index", counted)
    return calls


async def test_changes_update_the_index_in_place_and_a_restart_serves_them(
    settings: Settings, knowledge: Path, full_loads: list[int],
) -> None:
    service = await QAService.start(settings)
    try:
        assert len(full_loads) == 1
        (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")
        report = await service.reload()
        assert report.added == ["pool.md"]
        await _same_as_rebuilt(service)
        first = service.ask("When does the swimming pool open?").passages[0]
        assert "seven" in first.hit.passage.text
        # The same file changed twice in a row, then a seed changed and the note removed.
        for hours in ("eight", "ten"):
            (knowledge / "pool.md").write_text(NOTE.replace("seven", hours), encoding="utf-8")
            assert (await service.reload()).changed == ["pool.md"]
            await _same_as_rebuilt(service)
        en = knowledge / EN_SEED
        en.write_text(en.read_text(encoding="utf-8") + "\nLanterns were hung by the gate.\n",
                      encoding="utf-8")
        (knowledge / "pool.md").unlink()
        report = await service.reload()
        assert (report.changed, report.removed) == ([EN_SEED], ["pool.md"])
        await _same_as_rebuilt(service)
        assert len(full_loads) == 1  # every change above was made in place
        await service._saved()
        assert isinstance(service.index.table.texts, index_store.MappedTexts)
        served = [(c.hit.passage.id, c.hit.score) for q in QUESTIONS
                  for c in service.ask(q, strictness=0).passages]
        assert served
    finally:
        await service.close()
    # A restart loads the set the last update saved, and answers as before.
    folder = index_store.folder_for(settings.database_path)
    assert folder is not None
    again = await QAService.start(settings, sync=False)
    try:
        key = index_store.key_for(await again.db.passages_version(), settings.bm25_variant,
                                  settings.bm25_k1, settings.bm25_b)
        assert index_store.load(folder, key, again.index.size) is not None
        assert [(c.hit.passage.id, c.hit.score) for q in QUESTIONS
                for c in again.ask(q, strictness=0).passages] == served
    finally:
        await again.close()


async def test_a_question_during_an_update_is_answered_from_the_old_index(
    settings: Settings, knowledge: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = await QAService.start(settings)
    seen: list[int] = []
    original = SearchIndex.updated

    def updated(index: SearchIndex, *args: object) -> SearchIndex:
        new = original(index, *args)  # type: ignore[arg-type]
        # The update is done but not swapped in: questions still get the old index whole.
        seen.append(len(service.ask("When does the swimming pool open?").passages))
        assert service.index is index
        return new

    monkeypatch.setattr(SearchIndex, "updated", updated)
    try:
        old = service.index
        (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")
        await service.reload()
        assert service.index is not old and seen
        answer = service.ask("When does the swimming pool open?")
        assert "seven" in answer.passages[0].hit.passage.text
        assert all("seven" not in old.text(r) for r in range(old.size))
    finally:
        await service.close()


async def test_a_database_changed_elsewhere_is_read_whole(
    settings: Settings, knowledge: Path, full_loads: list[int],
) -> None:
    service = await QAService.start(settings)
    try:
        other = await QAService.start(settings)  # `bot reload` in another process
        (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")
        await other.reload()
        await other.close()
        loads = len(full_loads)
        (knowledge / "pool.md").write_text(NOTE.replace("seven", "six"), encoding="utf-8")
        await service.reload()
        assert len(full_loads) == loads + 1  # not an update of an index that missed one
        await _same_as_rebuilt(service)
    finally:
        await service.close()


async def test_the_views_grants_need_are_updated_with_the_index(
    settings: Settings, knowledge: Path, full_loads: list[int],
) -> None:
    staff = frozenset({"staff"})
    scoped = settings.model_copy(update={"collections": {"*": frozenset({DEFAULT}),
                                                         "7": staff | {DEFAULT}}})
    (knowledge / "staff").mkdir()
    (knowledge / "staff" / "rota.md").write_text(NOTE, encoding="utf-8")
    service = await QAService.start(scoped)
    try:
        for step, path in enumerate(("staff/rota.md", "pool.md", "staff/more.md")):
            (knowledge / path).write_text(NOTE.replace("seven", f"{step} past"),
                                          encoding="utf-8")
            await service.reload()
            for names in (frozenset({DEFAULT}), staff | {DEFAULT}):
                served = service._views.of(Scope(names))
                fresh = _fresh(await service.db.corpus()).view(names)
                assert served.table.ids.tolist() == fresh.table.ids.tolist()
                for question in QUESTIONS:
                    terms = service.analyzer.tokens(question)
                    assert [(served.table[r].id, s) for r, s in served.search(terms, 10)] == [
                        (fresh.table[r].id, s) for r, s in fresh.search(terms, 10)]
        assert len(full_loads) == 1
    finally:
        await service.close()


async def test_an_update_that_cannot_be_saved_is_served_and_the_next_change_rebuilds(
    settings: Settings, knowledge: Path, full_loads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = await QAService.start(settings)
    try:
        def refuse(*args: object) -> None:
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr(index_store, "save", refuse)
        (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")
        await service.reload()
        await service._saved()
        await _same_as_rebuilt(service)
        assert len(full_loads) == 1
        (knowledge / "pool.md").write_text(NOTE.replace("seven", "six"), encoding="utf-8")
        await service.reload()
        assert len(full_loads) == 2
        await _same_as_rebuilt(service)
    finally:
        await service.close()


async def _noted_while_stopped(settings: Settings, knowledge: Path) -> None:
    """A start and a stop, then the note written into the folder while the bot is stopped."""
    service = await QAService.start(settings)
    await service.close()
    (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")


async def test_a_start_after_a_change_updates_the_saved_index(
    settings: Settings, knowledge: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _noted_while_stopped(settings, knowledge)

    def no_rebuild(*args: object) -> None:
        raise AssertionError("the whole index was built again")

    monkeypatch.setattr(index_store, "build_and_save", no_rebuild)
    again = await QAService.start(settings)
    try:
        await _same_as_rebuilt(again)
        first = again.ask("When does the swimming pool open?").passages[0]
        assert "seven" in first.hit.passage.text
    finally:
        await again.close()


async def test_a_restart_can_serve_the_saved_index_first_and_sync_the_folder_after(
    settings: Settings, knowledge: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _noted_while_stopped(settings, knowledge)
    returned, began, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    original = QAService._sync

    async def held(self: QAService, progress: object = None) -> object:
        if not returned.is_set():
            raise AssertionError("the folder was synced before the start returned")
        began.set()
        await release.wait()
        return await original(self, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(QAService, "_sync", held)
    again = await QAService.start(settings, serve_first=True)
    returned.set()
    try:
        # answering before the folder is read: what was saved, not yet the new file
        assert again.ask("Who did Fu Linlin take to the hospital?").passages
        pool = again.ask("When does the swimming pool open?")
        assert not any("seven" in c.hit.passage.text for c in pool.passages)
        await began.wait()  # the folder's sync runs meanwhile, in the background
        release.set()
        await again.caught_up()
        first = again.ask("When does the swimming pool open?").passages[0]
        assert "seven" in first.hit.passage.text
        await _same_as_rebuilt(again)
    finally:
        release.set()
        await again.close()


async def test_a_first_start_syncs_before_it_serves_even_when_asked_to_serve_first(
    settings: Settings, knowledge: Path,
) -> None:
    (knowledge / "pool.md").write_text(NOTE, encoding="utf-8")
    service = await QAService.start(settings, serve_first=True)  # nothing saved to serve
    try:
        first = service.ask("When does the swimming pool open?").passages[0]
        assert "seven" in first.hit.passage.text
    finally:
        await service.close()
