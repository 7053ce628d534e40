from __future__ import annotations

import numpy as np

from bot.core.postings import Postings

CORPUS = [["b", "a", "b"], [], ["a", "c"], ["c", "c", "c", "a"]]


def test_each_term_lists_its_passages_ascending_with_frequencies() -> None:
    postings = Postings.build(CORPUS)
    ids, tf = postings.term("a")
    assert ids.tolist() == [0, 2, 3] and tf.tolist() == [1, 1, 1]
    ids, tf = postings.term("c")
    assert ids.tolist() == [2, 3] and tf.tolist() == [1, 3]
    assert postings.term("b")[1].tolist() == [2]


def test_terms_are_numbered_in_order_of_first_appearance() -> None:
    assert list(Postings.build(CORPUS).vocabulary) == ["b", "a", "c"]


def test_lengths_and_average_length_count_repeats() -> None:
    postings = Postings.build(CORPUS)
    assert postings.lengths.tolist() == [3, 0, 2, 4]
    assert postings.average_length == 9 / 4
    assert postings.size == 4


def test_unseen_term_and_empty_collection() -> None:
    assert Postings.build(CORPUS).term("zzz")[0].size == 0
    empty = Postings.build([])
    assert empty.size == 0 and empty.average_length == 0.0
    assert empty.document_frequencies().tolist() == []


def test_document_frequencies_by_term_id() -> None:
    postings = Postings.build(CORPUS)
    df = postings.document_frequencies()
    assert {term: int(df[t]) for term, t in postings.vocabulary.items()} == {
        "a": 3, "b": 1, "c": 2,
    }
    assert postings.passages.dtype == np.int32
