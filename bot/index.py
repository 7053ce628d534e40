"""The in-memory search index: stored passages plus their BM25 ranker, built once, then read-only.

A reload builds a new SearchIndex and swaps it in whole, so a question never sees a half-built
one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import Hit, StoredPassage
from bot.ranking import Ranker


@dataclass(frozen=True)
class SearchIndex:
    """Passages in a fixed order and the ranker over their terms."""

    passages: tuple[StoredPassage, ...]
    ranker: Ranker
    documents: int
    _by_position: dict[tuple[str, int], StoredPassage] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        passages: Sequence[StoredPassage],
        variant: str = "lucene",
        k1: float = 1.2,
        b: float = 0.75,
        ranker: Ranker | None = None,
    ) -> SearchIndex:
        """Index the given passages, or adopt a ranker already built over them (CPU-bound)."""
        if ranker is None:
            ranker = Ranker([p.tokens for p in passages], variant=variant, k1=k1, b=b)
        elif ranker.size != len(passages):
            raise ValueError(f"ranker covers {ranker.size} passages, not {len(passages)}")
        by_position = {(p.doc_id, p.position): p for p in passages}
        return cls(tuple(passages), ranker, len({p.doc_id for p in passages}), by_position)

    def passage_at(self, doc_id: str, position: int) -> StoredPassage | None:
        """A document's passage by its 1-based position, for showing context."""
        return self._by_position.get((doc_id, position))

    def search(self, terms: Sequence[str], limit: int) -> list[Hit]:
        """The best `limit` passages sharing a term with the query, best first."""
        return self._hits(self.ranker.rank(terms, limit))

    def search_groups(self, groups: Sequence[Sequence[str]], limit: int) -> list[Hit]:
        """Like search, for a structured query of alternative groups (words + translations)."""
        return self._hits(self.ranker.rank_groups(groups, limit))

    def _hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        return [
            Hit(passage=self.passages[i], score=score, rank=n + 1)
            for n, (i, score) in enumerate(ranked)
        ]
