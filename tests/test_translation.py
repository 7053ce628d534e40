from __future__ import annotations

import pytest

from bot.analysis import Analyzer
from bot.ranking import Ranker
from bot.translation import Dictionary, Entry, load_dictionary


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return load_dictionary(Analyzer())


def test_english_words_find_chinese_words(dictionary: Dictionary) -> None:
    assert dictionary.to_chinese("hospital") == ("医院",)  # exact gloss, not "hospitable"
    assert "社区" in dictionary.to_chinese("community")
    assert "志愿者" in dictionary.to_chinese("volunteers")  # by stem when no exact gloss


def test_chinese_words_find_english_stems(dictionary: Dictionary) -> None:
    assert dictionary.to_english("医院") == ("hospit",)
    assert "resid" in dictionary.to_english("居民")


def test_question_groups_keep_numbers_and_names(dictionary: Dictionary) -> None:
    groups = dictionary.expand("How many households live in Dongyuan community in 2022?")
    heads = [g[0] for g in groups]
    assert "dongyuan" in heads and "2022" in heads
    assert next(g for g in groups if g[0] == "2022") == ("2022",)
    assert "社区" in next(g for g in groups if g[0] == "communiti")


def test_small_dictionary_from_entries() -> None:
    analyzer = Analyzer()
    d = Dictionary([Entry("医院", ("hospital", "CL:所[suo3]")), Entry("好客", ("hospitable",)),
                    Entry("的", ("of",))], analyzer, {"医院": 10, "好客": 5})
    assert d.to_chinese("hospital") == ("医院",)
    assert d.to_chinese("hospitable") == ("好客",)
    assert d.to_chinese("of") == ()  # stop words are never translations
    assert d.expand("hospital") == [("hospit", "医院")]


def test_a_word_with_many_translations_counts_once() -> None:
    corpus = [["a", "x1"], ["a", "x2"], ["b", "y"], ["c"], ["d"], ["e"]]
    ranker = Ranker(corpus)
    # "a" matched through one of many alternatives scores like "b" matched through its only one
    many = dict(ranker.rank_groups([("q", "x1", "x2", "x3", "x4")], 10))
    one = dict(ranker.rank_groups([("r", "y")], 10))
    assert set(many) == {0, 1} and set(one) == {2}
    assert many[0] < one[2]  # two passages share the group, so it is less rare
    assert ranker.group_idf(("x1", "x2")) == pytest.approx(ranker.idf("a"))


def test_single_groups_score_like_the_plain_ranking() -> None:
    corpus = [["a", "b", "a"], ["b", "c"], ["c", "d", "e"], ["a"]]
    ranker = Ranker(corpus)
    grouped, plain = ranker.rank_groups([("a",), ("c",)], 10), ranker.rank(["a", "c"], 10)
    assert [i for i, _ in grouped] == [i for i, _ in plain]
    assert [s for _, s in grouped] == pytest.approx([s for _, s in plain])


def test_summed_frequencies_within_a_group() -> None:
    ranker = Ranker([["x", "y"], ["x", "z"], ["w"]])
    scores = dict(ranker.rank_groups([("x", "y")], 10))
    assert scores[0] > scores[1]  # two members present count as a higher frequency
