"""The in-memory search index: a table of passages plus their BM25 ranker, read-only once
built.

A reload builds a new SearchIndex and swaps it in whole, so a question never sees a half-built
one; when it changed a few documents the new one is the old one updated (`SearchIndex.updated`:
the kept passages' postings are cut, not counted again), exactly the index a full build gives.
Passages are held as columns (numpy arrays and one citation record per document), not one
object each, and their texts may be any sequence of strings, such as the memory-mapped file
of the saved index (`bot.store.index_store.MappedTexts`): at a million passages that is the
difference between about 2.5 GB and well under 1.5 GB of serving memory. A passage becomes a
StoredPassage only when it is shown.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from bot.core.bm25_constants import K1, VARIANT, B
from bot.core.collections import DEFAULT
from bot.core.models import Hit, StoredPassage
from bot.core.ranking import Ranker


class Citation(NamedTuple):
    """A document's citation data, shared by all its passages. A named tuple, not a frozen
    dataclass: a saved index makes one a document at every start, three times as fast."""

    doc_id: str
    title: str
    source: str | None
    url: str | None
    date: str | None
    collection: str = DEFAULT


class RowTexts(Sequence[str]):
    """Some rows of another sequence of texts, read through to it (a view shares the texts
    of the index it was cut from)."""

    def __init__(self, texts: Sequence[str], rows: np.ndarray) -> None:
        self._texts, self._rows = texts, rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return [self._texts[int(r)] for r in self._rows[i]]
        return self._texts[int(self._rows[i])]


class JoinedTexts(Sequence[str]):
    """Two sequences of texts read as one, the second after the first (an updated index's
    kept texts, then its new ones)."""

    def __init__(self, first: Sequence[str], second: Sequence[str]) -> None:
        self._first, self._second = first, second

    def __len__(self) -> int:
        return len(self._first) + len(self._second)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        n = len(self._first)
        return self._first[i] if i < n else self._second[i - n]


@dataclass(frozen=True)
class PassageTable:
    """Every passage's row id, document and position as columns, in ranker order."""

    ids: np.ndarray  # int64: the passage's row id in the database
    doc: np.ndarray  # int32: index into docs
    position: np.ndarray  # int32, 1-based
    count: np.ndarray  # int32: passages in the document
    docs: tuple[Citation, ...]
    texts: Sequence[str]
    numbers: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.numbers.update((d.doc_id, n) for n, d in enumerate(self.docs))

    @classmethod
    def of(cls, passages: Sequence[StoredPassage]) -> PassageTable:
        """The table of the given passages, texts kept in memory."""
        numbers: dict[str, int] = {}
        docs: list[Citation] = []
        for p in passages:
            if p.doc_id not in numbers:
                numbers[p.doc_id] = len(docs)
                docs.append(Citation(p.doc_id, p.title, p.source, p.url, p.date, p.collection))
        return cls(
            ids=np.fromiter((p.id for p in passages), np.int64, len(passages)),
            doc=np.fromiter((numbers[p.doc_id] for p in passages), np.int32, len(passages)),
            position=np.fromiter((p.position for p in passages), np.int32, len(passages)),
            count=np.fromiter((p.count for p in passages), np.int32, len(passages)),
            docs=tuple(docs),
            texts=[p.text for p in passages],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> StoredPassage:
        d = self.docs[int(self.doc[i])]
        return StoredPassage(
            id=int(self.ids[i]), doc_id=d.doc_id, position=int(self.position[i]),
            count=int(self.count[i]), text=self.texts[i], title=d.title, source=d.source,
            url=d.url, date=d.date, collection=d.collection,
        )

    def rows_in(self, collections: Collection[str]) -> np.ndarray:
        """The rows of documents in the given collections, ascending."""
        wanted = np.fromiter((d.collection in collections for d in self.docs), bool,
                             len(self.docs))
        return np.flatnonzero(wanted[self.doc]) if len(self.docs) else np.zeros(0, np.int64)

    def subset(self, rows: np.ndarray) -> PassageTable:
        """The table of the given ascending rows only, documents renumbered."""
        kept = np.unique(self.doc[rows])
        return PassageTable(
            ids=self.ids[rows], doc=np.searchsorted(kept, self.doc[rows]).astype(np.int32),
            position=self.position[rows], count=self.count[rows],
            docs=tuple(self.docs[int(d)] for d in kept), texts=RowTexts(self.texts, rows),
        )

    def extended(self, passages: Sequence[StoredPassage]) -> PassageTable:
        """This table's rows, then the given passages' (their texts kept in memory); a
        document of theirs is a new one, even if one of the same id is here."""
        added = PassageTable.of(passages)
        return PassageTable(
            ids=np.concatenate((self.ids, added.ids)),
            doc=np.concatenate((self.doc, added.doc + len(self.docs))).astype(np.int32),
            position=np.concatenate((self.position, added.position)),
            count=np.concatenate((self.count, added.count)),
            docs=self.docs + added.docs,
            texts=JoinedTexts(self.texts, added.texts) if len(added) else self.texts,
        )

    @functools.cached_property
    def collections(self) -> frozenset[str]:
        """The collections that have a passage here (once: every scoped question asks)."""
        return frozenset(d.collection for d in self.docs)

    def rows_of(self, doc_id: str) -> list[int]:
        """A document's rows in position order (a scan: used for buttons, not questions)."""
        number = self.numbers.get(doc_id)
        if number is None:
            return []
        rows = np.flatnonzero(self.doc == number)
        return rows[np.argsort(self.position[rows], kind="stable")].tolist()


@dataclass(frozen=True)
class SearchIndex:
    """Passages in a fixed order and the ranker over their terms."""

    table: PassageTable
    ranker: Ranker

    @classmethod
    def build(
        cls,
        passages: Sequence[StoredPassage],
        tokens: Sequence[Sequence[str]] = (),
        variant: str = VARIANT,
        k1: float = K1,
        b: float = B,
        ranker: Ranker | None = None,
    ) -> SearchIndex:
        """Index the given passages and their terms, or adopt a ranker already built over
        them (CPU-bound)."""
        if ranker is None:
            if len(tokens) != len(passages):
                raise ValueError(f"{len(tokens)} token lists for {len(passages)} passages")
            ranker = Ranker(tokens, variant=variant, k1=k1, b=b)
        return cls.of(PassageTable.of(passages), ranker)

    @classmethod
    def of(cls, table: PassageTable, ranker: Ranker) -> SearchIndex:
        """An index over a table and a ranker built for exactly its rows."""
        if ranker.size != len(table):
            raise ValueError(f"ranker covers {ranker.size} passages, not {len(table)}")
        return cls(table, ranker)

    @property
    def size(self) -> int:
        """The number of passages."""
        return len(self.table)

    def updated(
        self, replaced: Collection[str], passages: Sequence[StoredPassage],
        tokens: Sequence[Sequence[str]],
    ) -> SearchIndex:
        """This index without the documents named in `replaced` (removed or changed; a name
        it does not hold is ignored), with the given passages added after the rest: exactly
        the index `build` gives over those passages in that order, without re-reading or
        re-counting the others (CPU-bound: a few numpy passes over the postings). The added
        passages' ids must follow every kept one's, as the database numbers new rows, so the
        order is the one a full build reads them in; ValueError otherwise."""
        if len(tokens) != len(passages):
            raise ValueError(f"{len(tokens)} token lists for {len(passages)} passages")
        table = self.table
        numbers = [table.numbers[d] for d in set(replaced) if d in table.numbers]
        gone = np.isin(table.doc, np.asarray(numbers, dtype=np.int32))
        removed = np.flatnonzero(gone)
        kept = table.subset(np.flatnonzero(~gone)) if len(removed) else table
        if passages and len(kept) and min(p.id for p in passages) <= int(kept.ids.max()):
            raise ValueError("added passages must come after every kept one")
        if any(p.doc_id in kept.numbers for p in passages):
            raise ValueError("an added passage's document is already indexed")
        ranker = self.ranker.updated(removed, tokens)
        return SearchIndex.of(kept.extended(passages), ranker)

    @property
    def documents(self) -> int:
        """The number of documents with at least one passage."""
        return len(self.table.docs)

    def view(self, collections: Collection[str]) -> SearchIndex:
        """The index of the given collections' passages alone, as if nothing else were
        indexed: its own document frequencies, lengths and term weights (a chat must get
        exactly what it would if the hidden collections did not exist). Itself when that is
        every collection it has. CPU-bound: one pass over the postings."""
        if self.table.collections <= set(collections):
            return self
        rows = self.table.rows_in(collections)
        r = self.ranker
        ranker = Ranker.from_postings(r.postings.subset(rows), r.variant, r.k1, r.b)
        return SearchIndex.of(self.table.subset(rows), ranker)

    def text(self, row: int) -> str:
        """A row's text, without building the whole passage."""
        return self.table.texts[row]

    def passage_at(self, doc_id: str, position: int) -> StoredPassage | None:
        """A document's passage by its 1-based position, for showing context."""
        rows = [r for r in self.table.rows_of(doc_id) if self.table.position[r] == position]
        return self.table[rows[0]] if rows else None

    def document_passages(self, doc_id: str) -> tuple[StoredPassage, ...]:
        """A document's passages in order."""
        return tuple(self.table[r] for r in self.table.rows_of(doc_id))

    def terms_in_rows(self, rows: Sequence[int], terms: Iterable[str]) -> list[set[str]]:
        """For each row, which of the terms occur in it (`Ranker.held`)."""
        out: list[set[str]] = [set() for _ in rows]
        asked = list(set(terms))
        for j, i in self.ranker.held(asked, rows):
            out[i].add(asked[j])
        return out

    def search(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """(row, score) of the best `limit` passages sharing a term with the query."""
        return self.ranker.rank(terms, limit)

    def search_groups(
        self, groups: Sequence[Sequence[str]], limit: int,
        weights: Sequence[float] | None = None,
    ) -> list[tuple[int, float]]:
        """Like search, for a structured query of alternative groups (words + translations),
        each group's weight scaled by `weights` when given (`Ranker.rank_groups`)."""
        return self.ranker.rank_groups(groups, limit, weights)

    def hit(self, row: int, score: float, rank: int) -> Hit:
        """A ranked row as a Hit to show."""
        return Hit(passage=self.table[row], score=score, rank=rank, row=row)
