from __future__ import annotations

import random

import pytest

from bot.core import ranking
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage

TOKENS = [["river", "boat", "river"], ["bridge", "river"], ["library", "book"], ["book"]]


def _index() -> SearchIndex:
    passages = [
        StoredPassage(id=10 + i, doc_id=f"d{i // 2}", position=2 - i % 2, count=2,
                      text=" ".join(t), title=f"T{i // 2}", source=None, url=None, date=None)
        for i, t in enumerate(TOKENS)
    ]
    return SearchIndex.build(passages, TOKENS)


@pytest.mark.parametrize("compiled", [True, False])  # one compiled call; a search a term
def test_terms_in_rows_matches_each_passages_terms(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "COMPILED", compiled and ranking.COMPILED)
    index = _index()
    wanted = ["river", "book", "unseen", "boat"]
    rows = [3, 0, 2, 1]
    assert index.terms_in_rows(rows, wanted) == [set(TOKENS[r]) & set(wanted) for r in rows]
    assert index.terms_in_rows([1], wanted) == [{"river"}]
    assert index.terms_in_rows([], wanted) == []
    assert index.terms_in_rows(rows, []) == [set(), set(), set(), set()]
    # A larger collection, rows in any order and repeated, words in some passages, in none.
    rng = random.Random(6)
    words = [f"w{i}" for i in range(50)]
    tokens = [rng.sample(words, rng.randint(1, 12)) for _ in range(400)]
    passages = [StoredPassage(id=i, doc_id=f"d{i}", position=1, count=1, text=" ".join(t),
                              title="T", source=None, url=None, date=None)
                for i, t in enumerate(tokens)]
    big = SearchIndex.build(passages, tokens)
    rows = [rng.randrange(400) for _ in range(30)]
    asked = [*rng.sample(words, 20), "absent"]
    assert big.terms_in_rows(rows, asked) == [set(tokens[r]) & set(asked) for r in rows]


def test_passages_come_back_whole_and_by_position() -> None:
    index = _index()
    assert index.size == 4 and index.documents == 2
    assert index.table[2].id == 12 and index.table[2].title == "T1"
    # d0 holds rows 0 (position 2) and 1 (position 1): position order, not row order.
    assert [p.id for p in index.document_passages("d0")] == [11, 10]
    assert index.passage_at("d0", 2) == index.table[0]
    assert index.passage_at("d0", 3) is None and index.passage_at("nope", 1) is None


def test_building_needs_one_token_list_a_passage() -> None:
    with pytest.raises(ValueError):
        SearchIndex.build([_index().table[0]], [])
