from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.store import index_store
from bot.config import Settings
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage
from bot.core.ranking import Ranker
from bot.engine.service import QAService

TOKENS = [["river", "boat", "river"], ["bridge", "river"], ["library", "book"], ["book"]]
TEXTS = ["River boat on the river.", "橋和河。", "", "Book 📚"]  # an empty text too
KEY = index_store.key_for("v1", "lucene", 1.2, 0.75)


def stored(tokens: list[list[str]]) -> list[StoredPassage]:
    return [
        StoredPassage(id=i + 1, doc_id=f"d{i // 2}", position=i % 2 + 1, count=2,
                      text=TEXTS[i], title=f"Title {i // 2}", source="S", url=None,
                      date="2024-01-01")
        for i, t in enumerate(tokens)
    ]


def built(folder: Path) -> SearchIndex:
    index = SearchIndex.build(stored(TOKENS), TOKENS)
    index_store.save(folder, index, KEY)
    return index


def test_saved_index_loads_with_the_same_arrays_passages_and_answers(tmp_path: Path) -> None:
    index = built(tmp_path / "ix")
    loaded = index_store.load(tmp_path / "ix", KEY, len(TOKENS))
    assert loaded is not None
    ranker = index.ranker
    assert loaded.ranker.postings.vocabulary == ranker.postings.vocabulary
    assert np.array_equal(loaded.ranker.postings.passages, ranker.postings.passages)
    assert np.array_equal(loaded.ranker.best, ranker.best)
    for query in (["river"], ["book", "boat"], ["bridge", "river", "library"]):
        assert loaded.search(query, 10) == index.search(query, 10)
    assert [loaded.table[i] for i in range(4)] == stored(TOKENS)
    assert isinstance(loaded.table.texts, index_store.MappedTexts)  # texts are read from the file
    assert loaded.passage_at("d1", 2) == stored(TOKENS)[3]
    assert loaded.document_passages("d0") == tuple(stored(TOKENS)[:2])


@pytest.mark.parametrize(
    "other",
    [
        index_store.key_for("v2", "lucene", 1.2, 0.75),  # the passages changed
        index_store.key_for("v1", "okapi", 1.2, 0.75),
        index_store.key_for("v1", "lucene", 1.5, 0.75),
        index_store.key_for("v1", "lucene", 1.2, 0.5),
    ],
)
def test_key_changes_with_passages_and_settings(other: str, tmp_path: Path) -> None:
    assert other != KEY
    built(tmp_path / "ix")
    assert index_store.load(tmp_path / "ix", other, len(TOKENS)) is None


def test_stale_key_or_size_is_not_loaded(tmp_path: Path) -> None:
    built(tmp_path / "ix")
    assert index_store.load(tmp_path / "ix", "another", len(TOKENS)) is None
    assert index_store.load(tmp_path / "ix", KEY, len(TOKENS) + 1) is None
    assert index_store.load(tmp_path / "missing", KEY, len(TOKENS)) is None


@pytest.mark.parametrize("name", ["passages.npy", "vocabulary.txt", "best.npy", "manifest.json",
                                  "texts.bin", "documents.json", "text_offsets.npy"])
def test_damaged_files_are_never_trusted(tmp_path: Path, name: str) -> None:
    built(tmp_path / "ix")
    path = tmp_path / "ix" / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    assert index_store.load(tmp_path / "ix", KEY, len(TOKENS)) is None


def test_build_and_save_serves_from_the_saved_files(tmp_path: Path) -> None:
    rows = iter(zip(stored(TOKENS), TOKENS, strict=True))  # read once, as from a stream
    index = index_store.build_and_save(rows, tmp_path / "ix", KEY, "lucene", 1.2, 0.75)
    assert [index.table[i] for i in range(4)] == stored(TOKENS)
    assert isinstance(index.table.texts, index_store.MappedTexts)
    assert index_store.load(tmp_path / "ix", KEY, len(TOKENS)) is not None
    built = SearchIndex.build(stored(TOKENS), TOKENS, "lucene", 1.2, 0.75)
    assert index.search(["river"], 5) == built.search(["river"], 5)


def test_build_and_save_keeps_serving_when_the_disk_refuses(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    index = index_store.build_and_save(zip(stored(TOKENS), TOKENS, strict=True),
                                       blocker / "ix", KEY, "lucene", 1.2, 0.75)
    assert [index.table[i] for i in range(4)] == stored(TOKENS)


def test_in_memory_database_keeps_no_files() -> None:
    assert index_store.folder_for(":memory:") is None
    assert index_store.folder_for("data/bot.sqlite3") == Path("data/bot.sqlite3.index")


async def test_service_restart_loads_the_saved_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await QAService.start(settings)
    expected = first.ask("Who did Fu Linlin take to the hospital?")
    await first.close()
    assert index_store.folder_for(settings.database_path).is_dir()

    def no_building(self: Ranker, corpus: list[list[str]], *args: object, **kw: object) -> None:
        if corpus:  # the service starts from an empty index before loading
            raise AssertionError("rebuilt although a valid index was saved")
        original(self, corpus, *args, **kw)

    original = Ranker.__init__
    monkeypatch.setattr(Ranker, "__init__", no_building)
    second = await QAService.start(settings, sync=False)
    try:
        assert second.ask("Who did Fu Linlin take to the hospital?") == expected
    finally:
        await second.close()
