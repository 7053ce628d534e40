"""An index updated in place ranks exactly as one built afresh over the same passages.

Random sequences of additions, changes and removals of documents made of real English and
Chinese sentences (the SQuAD and CMRC slices, through the bot's analyzer), some documents
repeating another's passages so that scores tie; after every step the plain and grouped
(cross-lingual) rankings, and the views of some collections, are compared with a fresh build.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from bot.core import postings, ranking
from bot.core.analysis import Analyzer
from bot.core.bm25_constants import VARIANTS
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage
from bot.core.ranking import Ranker

DATA = Path(__file__).resolve().parents[1] / "data"
COLLECTIONS = ("default", "faq", "staff")


@dataclass
class Pool:
    """Tokenised sentences of each language and questions' terms."""

    sentences: dict[str, list[tuple[str, tuple[str, ...]]]]
    questions: list[tuple[str, ...]]


@pytest.fixture(scope="module")
def pool(analyzer: Analyzer) -> Pool:
    sentences: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    questions: list[tuple[str, ...]] = []
    for lang, name in (("en", "squad_v1.1_dev_slice.json"), ("zh", "cmrc2018_dev_slice.json")):
        data = json.loads((DATA / name).read_text(encoding="utf-8"))["data"]
        paragraphs = [p for a in data for p in a["paragraphs"]][:25]
        texts = [s.strip() + "." for p in paragraphs for s in p["context"].split(".")
                 if s.strip()] if lang == "en" else [
            s.strip() + "。" for p in paragraphs for s in p["context"].split("。") if s.strip()]
        sentences[lang] = [(t, tuple(analyzer.tokens(t))) for t in texts[:150]]
        questions += [tuple(analyzer.tokens(qa["question"]))
                      for p in paragraphs[:10] for qa in p["qas"][:2]]
    return Pool(sentences, [q for q in questions if q])


@dataclass
class Collection:
    """The documents as the database holds them: passages numbered as SQLite numbers rows
    (each new one after every other), documents in order of their passages."""

    pool: Pool
    rng: random.Random
    docs: dict[str, list[tuple[StoredPassage, tuple[str, ...]]]] = field(default_factory=dict)
    next_id: int = 1

    def write(self, doc_id: str, copy_of: str | None = None) -> None:
        """Add or replace a document: new passages, or those of another document again."""
        self.docs.pop(doc_id, None)
        lang = self.rng.choice(("en", "zh"))
        if copy_of in self.docs:
            texts = [(p.text, t) for p, t in self.docs[copy_of]]
        else:
            texts = []
            for _ in range(self.rng.randint(1, 4)):
                picked = self.rng.sample(self.pool.sentences[lang], self.rng.randint(1, 4))
                texts.append((" ".join(s for s, _ in picked),
                              tuple(t for _, terms in picked for t in terms)))
        collection = COLLECTIONS[self.rng.randrange(len(COLLECTIONS))]
        rows = []
        for n, (text, terms) in enumerate(texts, 1):
            rows.append((StoredPassage(self.next_id, doc_id, n, len(texts), text, doc_id,
                                       None, None, None, collection), terms))
            self.next_id += 1
        self.docs[doc_id] = rows

    def rows(self) -> list[tuple[StoredPassage, tuple[str, ...]]]:
        """Every passage in the order a full build reads them (by id)."""
        return sorted((r for rows in self.docs.values() for r in rows), key=lambda r: r[0].id)

    def of(self, doc_ids: set[str]) -> tuple[list[StoredPassage], list[tuple[str, ...]]]:
        """The stored passages of these documents, by id (`Database.corpus_of`)."""
        rows = [r for r in self.rows() if r[0].doc_id in doc_ids]
        return [p for p, _ in rows], [t for _, t in rows]


def _build(collection: Collection, variant: str) -> SearchIndex:
    rows = collection.rows()
    return SearchIndex.build([p for p, _ in rows], [t for _, t in rows], variant=variant)


def _changes(collection: Collection, rng: random.Random) -> Iterator[set[str]]:
    """Random steps; each yields the ids of the documents it wrote or removed."""
    for step in range(30):
        ids = sorted(collection.docs)
        kind = rng.choice(("add", "add", "change", "remove", "missing", "copy", "many"))
        if kind == "change" and ids:  # twice in a row, sometimes
            doc = rng.choice(ids)
            collection.write(doc)
            yield {doc}
            if rng.random() < 0.5:
                collection.write(doc)
                yield {doc}
        elif kind == "remove" and ids:
            doc = rng.choice(ids)
            del collection.docs[doc]
            yield {doc}
        elif kind == "missing":  # a removal of a document that is not there
            yield {f"gone{step}"}
        elif kind == "copy" and ids:  # the same passages again: tied scores
            collection.write(f"s{step}", copy_of=rng.choice(ids))
            yield {f"s{step}"}
        elif kind == "many":
            touched = set(rng.sample(ids, min(3, len(ids))))
            for doc in touched:
                if rng.random() < 0.5:
                    del collection.docs[doc]
                else:
                    collection.write(doc)
            collection.write(f"s{step}")
            yield touched | {f"s{step}"}
        else:
            collection.write(f"s{step}")
            yield {f"s{step}"}


def _same(got: SearchIndex, want: SearchIndex, queries: list[tuple[str, ...]],
          groups: list[list[list[str]]], rtol: float) -> None:
    """The same top 10, passage for passage and score for score, plain and grouped."""
    assert (got.size, got.documents) == (want.size, want.documents)
    assert got.table.ids.tolist() == want.table.ids.tolist()
    for query, grouped in zip(queries, groups, strict=True):
        for a, b in ((got.search(query, 10), want.search(query, 10)),
                     (got.search_groups(grouped, 10), want.search_groups(grouped, 10))):
            assert [got.table[r].id for r, _ in a] == [want.table[r].id for r, _ in b]
            np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=rtol)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("maxscore", [False, True])
def test_updates_rank_as_a_fresh_build(pool: Pool, variant: str, maxscore: bool,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if variant == "l":  # the postings spliced by numpy's masks and inserts, not piece by piece
        monkeypatch.setattr(postings, "_PIECES", 0)
    if maxscore:  # MaxScore and its pruning, not the one-pass path, on this small collection
        monkeypatch.setattr(ranking, "_ONE_PASS", 0)
        monkeypatch.setattr(ranking, "_RARE", 64)
        monkeypatch.setattr(ranking, "_PRUNE_FROM", 5)
    rng = random.Random(hash((variant, maxscore)) % 1000)
    collection = Collection(pool, random.Random(rng.random()))
    for n in range(40):
        collection.write(f"d{n}")
    index = _build(collection, variant)
    # Okapi's IDF floor averages every term in first-seen order, which an update numbers
    # otherwise: the same sum in another order, so equal to rounding only.
    rtol = 1e-12 if variant == "okapi" else 0
    other = [t for s in pool.sentences["zh"][:40] for t in s[1]]
    for touched in _changes(collection, rng):
        index = index.updated(touched, *collection.of(touched))
        fresh = _build(collection, variant)
        queries = rng.sample(pool.questions, 8)
        # Each word joined by a couple of the other language's terms, as translations are.
        groups = [[[w, *rng.sample(other, 2)] for w in q] for q in queries]
        _same(index, fresh, queries, groups, rtol)
        names = set(rng.sample(COLLECTIONS, 2))
        _same(index.view(names), fresh.view(names), queries, groups, rtol)
    # Bounds scaled across every update still bound every term's weights.
    assert set(index.ranker.postings.vocabulary) == set(fresh.ranker.postings.vocabulary)
    for term, t in fresh.ranker.postings.vocabulary.items():
        assert index.ranker.best[index.ranker.postings.vocabulary[term]] >= fresh.ranker.best[t]


def test_an_update_of_nothing_and_of_everything() -> None:
    passages = [StoredPassage(i + 1, f"d{i}", 1, 1, f"text {i}", "t", None, None, None)
                for i in range(3)]
    tokens = [["alpha", f"w{i}"] for i in range(3)]
    index = SearchIndex.build(passages, tokens)
    assert index.updated(set(), [], []).search(["alpha"], 10) == index.search(["alpha"], 10)
    empty = index.updated({"d0", "d1", "d2"}, [], [])
    assert (empty.size, empty.search(["alpha"], 10)) == (0, [])
    again = empty.updated(set(), passages, tokens)
    assert again.search(["alpha", "w1"], 10) == index.search(["alpha", "w1"], 10)


def test_passages_numbered_before_the_kept_ones_are_refused() -> None:
    passages = [StoredPassage(i + 1, f"d{i}", 1, 1, "x", "t", None, None, None)
                for i in range(3)]
    index = SearchIndex.build(passages, [["a"]] * 3)
    early = StoredPassage(2, "new", 1, 1, "x", "t", None, None, None)
    with pytest.raises(ValueError, match="after every kept"):
        index.updated(set(), [early], [["a"]])
    with pytest.raises(ValueError, match="already indexed"):
        index.updated(set(), [StoredPassage(9, "d1", 1, 1, "x", "t", None, None, None)],
                      [["a"]])


@pytest.mark.parametrize("pieces", [100_000, 0])  # copied piece by piece, or by numpy masks
def test_a_ranker_updated_holds_the_same_postings_as_one_built(
    pieces: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postings, "_PIECES", pieces)
    rng = random.Random(7)
    corpus = [[f"w{rng.randrange(60)}" for _ in range(rng.randint(0, 12))] for _ in range(80)]
    removed = np.array([0, 5, 6, 79], dtype=np.int64)
    added = [["w1", "new", "new"], [], ["w2"]]
    updated = Ranker(corpus).updated(removed, added)
    rest = [c for i, c in enumerate(corpus) if i not in set(removed.tolist())] + added
    built = Ranker(rest)
    assert updated.postings.lengths.tolist() == built.postings.lengths.tolist()
    for term in built.postings.vocabulary:
        a, b = updated.postings.term(term), built.postings.term(term)
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
    assert set(updated.postings.vocabulary) == set(built.postings.vocabulary)
