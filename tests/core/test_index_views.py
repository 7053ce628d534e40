"""A view of some collections ranks exactly as an index built over them alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.core.bm25_constants import VARIANTS
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage

COLLECTIONS = ("default", "faq", "staff", "web")


def _collection(seed: int = 3, size: int = 1500) -> tuple[list[StoredPassage], list[list[str]]]:
    """Passages of three per document, the documents spread over four collections, their
    terms drawn so that some are rare and some in nearly every passage."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    passages, tokens = [], []
    for i in range(size):
        terms = [rng.choice(words[: rng.randint(4, 400)]) for _ in range(rng.randint(2, 50))]
        passages.append(StoredPassage(i + 1, f"d{i // 3}", i % 3 + 1, 3, " ".join(terms), "t",
                                      None, None, None, COLLECTIONS[(i // 3) % 4]))
        tokens.append(terms)
    return passages, tokens


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("names", [{"faq"}, {"faq", "staff"}, {"default", "web", "staff"}])
def test_a_view_ranks_as_an_index_of_its_collections_alone(variant: str,
                                                           names: set[str]) -> None:
    passages, tokens = _collection()
    view = SearchIndex.build(passages, tokens, variant=variant).view(names)
    kept = [(p, t) for p, t in zip(passages, tokens, strict=True) if p.collection in names]
    alone = SearchIndex.build([p for p, _ in kept], [t for _, t in kept], variant=variant)
    assert (view.size, view.documents) == (alone.size, alone.documents)
    assert {view.table[r].collection for r in range(view.size)} == names
    rng = random.Random(5)
    for _ in range(150):
        query = [f"w{rng.randrange(420)}" for _ in range(rng.randint(1, 6))]
        groups = [query[:2], *([w] for w in query[2:])]
        for got, want in ((view.search(query, 10), alone.search(query, 10)),
                          (view.search_groups(groups, 10), alone.search_groups(groups, 10))):
            assert [view.table[r].id for r, _ in got] == [alone.table[r].id for r, _ in want]
            # Okapi's IDF floor averages every term in first-seen order, which a view keeps
            # from the whole index: the same sum in another order, so equal to rounding only.
            np.testing.assert_allclose([s for _, s in got], [s for _, s in want],
                                       rtol=1e-12 if variant == "okapi" else 0)
        assert view.ranker.idf(query[0]) == alone.ranker.idf(query[0])


def test_a_word_only_a_hidden_collection_holds_is_unknown_to_the_view() -> None:
    passages, tokens = _collection()
    tokens[1] = [*tokens[1], "secretword"]  # d0, in the default collection
    index = SearchIndex.build(passages, tokens)
    view = index.view({"faq"})
    assert index.ranker.document_frequency("secretword") == 1
    assert view.ranker.document_frequency("secretword") == 0
    assert view.search(["secretword"], 10) == []
    assert "secretword" not in view.ranker.postings.vocabulary
    assert view.document_passages("d0") == () and view.passage_at("d0", 1) is None


def test_a_view_of_every_collection_is_the_index_and_of_none_is_empty() -> None:
    passages, tokens = _collection(size=60)
    index = SearchIndex.build(passages, tokens)
    assert index.view(set(COLLECTIONS) | {"other"}) is index
    empty = index.view({"nowhere"})
    assert (empty.size, empty.documents) == (0, 0)
    assert empty.search(["w1"], 10) == [] and empty.search_groups([["w1", "w2"]], 10) == []
