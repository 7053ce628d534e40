from __future__ import annotations

import numpy as np
import pytest

from bot.core.bm25 import length_norm, make_bm25, term_weight, variant_idf
from bot.core.bm25_constants import VARIANTS
from bot.core.postings import Postings

CORPUS = [["a", "b", "a"], ["a"], ["a", "c"], ["a", "d", "d", "d"], ["e", "b"]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_idf_is_rank_bm25s_bit_for_bit(variant: str) -> None:
    postings = Postings.build(CORPUS)
    idf = variant_idf(variant, postings.size, postings.document_frequencies())
    reference = make_bm25(CORPUS, variant, 1.2, 0.75).idf
    assert {term: float(idf[t]) for term, t in postings.vocabulary.items()} == reference


@pytest.mark.parametrize("variant", VARIANTS)
def test_term_weight_is_rank_bm25s_bit_for_bit(variant: str) -> None:
    postings = Postings.build(CORPUS)
    model = make_bm25(CORPUS, variant, 1.2, 0.75)
    idf = variant_idf(variant, postings.size, postings.document_frequencies())
    norm = length_norm(postings.lengths, 0.75, postings.average_length)
    for term, t in postings.vocabulary.items():
        tf = np.array([doc.count(term) for doc in CORPUS], dtype=np.int64)
        ours = term_weight(variant, float(idf[t]), tf, norm, 1.2)
        assert ours.tolist() == model.get_scores([term]).tolist()


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown BM25 variant"):
        variant_idf("nope", 3, np.array([1]))
    with pytest.raises(ValueError, match="unknown BM25 variant"):
        make_bm25(CORPUS, "nope", 1.2, 0.75)
