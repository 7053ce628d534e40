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


def test_counts_take_a_byte_each_until_one_passes_255() -> None:
    assert Postings.build(CORPUS).frequencies.dtype == np.uint8
    # A table that repeats one word 300 times in a passage: counts widen, none is cut short.
    wide = Postings.build([["row"] * 300 + ["total"], ["row", "total", "total"]])
    assert wide.frequencies.dtype == np.uint16
    assert wide.term("row")[1].tolist() == [300, 1]
    assert wide.term("total")[1].tolist() == [1, 2]


def test_an_update_that_brings_a_wide_count_widens_every_count() -> None:
    narrow = Postings.build(CORPUS)
    merged, _ = narrow.updated(np.zeros(0, dtype=np.int64), Postings.build([["c"] * 256]))
    assert merged.frequencies.dtype == np.uint16
    assert merged.term("c")[1].tolist() == [1, 3, 256]
    assert merged.term("a")[1].tolist() == [1, 1, 1]
