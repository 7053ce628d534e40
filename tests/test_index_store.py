from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import index_store
from bot.config import Settings
from bot.models import StoredPassage
from bot.ranking import Ranker
from bot.service import QAService

TOKENS = [["river", "boat", "river"], ["bridge", "river"], ["library", "book"], ["book"]]


def stored(tokens: list[list[str]]) -> list[StoredPassage]:
    return [
        StoredPassage(id=i + 1, doc_id="d", position=i + 1, count=len(tokens), text=" ".join(t),
                      tokens=tuple(t), title="t", source=None, url=None, date=None)
        for i, t in enumerate(tokens)
    ]


def built(folder: Path) -> tuple[Ranker, str]:
    passages = stored(TOKENS)
    key = index_store.fingerprint(passages, "lucene", 1.2, 0.75)
    ranker = Ranker(TOKENS)
    index_store.save(folder, ranker, key)
    return ranker, key


def test_saved_ranker_loads_with_the_same_arrays_and_answers(tmp_path: Path) -> None:
    ranker, key = built(tmp_path / "ix")
    loaded = index_store.load(tmp_path / "ix", key, len(TOKENS))
    assert loaded is not None
    assert loaded.postings.vocabulary == ranker.postings.vocabulary
    assert np.array_equal(loaded.postings.passages, ranker.postings.passages)
    assert np.array_equal(loaded.best, ranker.best)
    for query in (["river"], ["book", "boat"], ["bridge", "river", "library"]):
        assert loaded.rank(query, 10) == ranker.rank(query, 10)


@pytest.mark.parametrize(
    ("tokens", "settings"),
    [
        (TOKENS[:3] + [["books"]], ("lucene", 1.2, 0.75)),  # a passage's terms changed
        (TOKENS, ("okapi", 1.2, 0.75)),
        (TOKENS, ("lucene", 1.5, 0.75)),
        (TOKENS, ("lucene", 1.2, 0.5)),
    ],
)
def test_fingerprint_changes_with_terms_and_settings(
    tokens: list[list[str]], settings: tuple[str, float, float]
) -> None:
    base = index_store.fingerprint(stored(TOKENS), "lucene", 1.2, 0.75)
    assert index_store.fingerprint(stored(tokens), *settings) != base


def test_fingerprint_changes_with_passage_ids() -> None:
    moved = [StoredPassage(**{**p.__dict__, "id": p.id + 10}) for p in stored(TOKENS)]
    assert index_store.fingerprint(moved, "lucene", 1.2, 0.75) != index_store.fingerprint(
        stored(TOKENS), "lucene", 1.2, 0.75
    )


def test_stale_key_or_size_is_not_loaded(tmp_path: Path) -> None:
    _, key = built(tmp_path / "ix")
    assert index_store.load(tmp_path / "ix", "another", len(TOKENS)) is None
    assert index_store.load(tmp_path / "ix", key, len(TOKENS) + 1) is None
    assert index_store.load(tmp_path / "missing", key, len(TOKENS)) is None


@pytest.mark.parametrize("name", ["passages.npy", "vocabulary.txt", "best.npy", "manifest.json"])
def test_damaged_files_are_never_trusted(tmp_path: Path, name: str) -> None:
    _, key = built(tmp_path / "ix")
    path = tmp_path / "ix" / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    assert index_store.load(tmp_path / "ix", key, len(TOKENS)) is None


def test_load_or_build_saves_then_reuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passages = stored(TOKENS)
    first = index_store.load_or_build(passages, tmp_path / "ix", "lucene", 1.2, 0.75)
    assert (tmp_path / "ix" / index_store.MANIFEST).is_file()

    def no_building(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt although a valid index was saved")

    monkeypatch.setattr(Ranker, "__init__", no_building)
    again = index_store.load_or_build(passages, tmp_path / "ix", "lucene", 1.2, 0.75)
    assert again.rank(["river"], 5) == first.rank(["river"], 5)


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
