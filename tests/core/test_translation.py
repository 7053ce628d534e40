from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.analysis import Analyzer
from bot.core.ranking import Ranker
from bot.core.translation import Dictionary, Entry
from bot.sources.cedict import load_dictionary


@pytest.fixture(scope="module")
def dictionary(cache_dir: Path) -> Dictionary:
    return load_dictionary(Analyzer(), cache_dir)


def test_english_words_find_chinese_words(dictionary: Dictionary) -> None:
    hospital = dictionary.to_chinese("hospital")
    assert hospital[0] == "医院"
    # an exact gloss ranks before one that only shares the stem ("hospitable")
    assert hospital.index("医院") < hospital.index("好客")
    assert dictionary.to_chinese("community")[0] == "社区"
    assert dictionary.to_chinese("volunteers")[0] == "志愿者"  # by stem when no exact gloss
    assert dictionary.to_chinese("Denver") == ("丹佛",)  # "Denver, Colorado"


def test_irregular_forms_find_their_lemma(dictionary: Dictionary) -> None:
    won = dictionary.to_chinese("won")
    assert "赢" in won and "获胜" in won  # "won" is a form of "win" (lemminflect)
    assert won[0] == "韩元"  # a gloss that is the word itself ranks first
    assert "取" in dictionary.to_chinese("took")


def test_chinese_words_find_english_stems(dictionary: Dictionary) -> None:
    assert dictionary.to_english("医院") == ("hospit",)
    assert "resid" in dictionary.to_english("居民")
    # only the part of a gloss before its comma: not "city", "quebec", "canada"
    assert dictionary.to_english("蒙特利尔") == ("montreal",)


def test_translations_are_chosen_for_the_collection(dictionary: Dictionary) -> None:
    def df(term: str) -> int:
        return {"赢": 3, "碗": 9, "超级碗": 2}.get(term, 0)

    # "won" is indexed as its lemma, "win"
    unfiltered = dict((g[0], g[1:]) for g in dictionary.expand("Who won Super Bowl 50?"))
    assert unfiltered["win"][0] == "韩元" and "赢" not in unfiltered["win"]  # beyond the first 6
    groups = dict((g[0], g[1:]) for g in dictionary.expand("Who won Super Bowl 50?", df))
    assert groups["win"] == ("赢",)  # the one translation this collection uses
    # the phrase is translated whole, not as "super" and "bowl" (碗)
    assert groups["super"] == groups["bowl"] == ("超级碗",)
    assert groups["50"] == ()


def test_a_phrase_the_collection_lacks_falls_back_to_its_words(dictionary: Dictionary) -> None:
    groups = dict((g[0], g[1:]) for g in dictionary.expand(
        "Who won Super Bowl 50?", {"碗": 9}.get))
    assert groups["bowl"] == ("碗",) and groups["super"] == ()


def test_words_whose_glosses_use_the_word_come_after_its_own(dictionary: Dictionary) -> None:
    # CC-CEDICT glosses 费 "fee", but a collection writes 学费 ("tuition fee") or 年费
    def df(term: str) -> int:
        return {"学费": 3, "年费": 1}.get(term, 0)

    assert dictionary.expand("What was the fee?", df) == [("fee", "学费", "年费")]
    assert dictionary.expand("What was the fee?", {"费": 2, "学费": 3}.get) == [
        ("fee", "费", "学费")]  # a word glossed by "fee" itself still comes first


def test_small_dictionary_words_glossed_with_a_word() -> None:
    d = Dictionary([Entry("收费", ("toll", "to charge a fee")), Entry("学费", ("tuition fee",)),
                    Entry("费", ("fee",)),
                    Entry("规费", ("fee paid to the government for a license",))], Analyzer())
    present = {"费": 1, "学费": 1, "收费": 1, "规费": 1}.get
    # glossed by "fee" itself first; then by where "fee" comes in the word's English: 学费
    # ("tuition", "fee") before 收费 ("toll", "charg", "fee"); a 7-word description is no gloss
    assert d.expand("fee", present) == [("fee", "费", "学费", "收费")]
    assert d.expand("fee", {"规费": 1}.get) == [("fee",)]


def test_latin_words_are_looked_up_whole(dictionary: Dictionary) -> None:
    # a digit or an accent does not cut a word into pieces that are then translated
    heads = [g[0] for g in dictionary.expand("What is Internet2 in Ergänzungsschulen?")]
    assert heads == ["internet2", "ergänzungsschulen"]


def test_a_word_jieba_cut_in_the_passages_stands_in_as_its_rarest_bigram(
        dictionary: Dictionary) -> None:
    df = {"安纳": 2, "纳托": 1, "托利": 3, "利亚": 20}
    assert dictionary.expand("Where is Anatolia?", lambda t: df.get(t, 0)) == [
        ("anatolia", "纳托")]
    # not when one of its bigrams is missing: then the passages do not hold the word
    del df["托利"]
    assert dictionary.expand("Where is Anatolia?", lambda t: df.get(t, 0)) == [("anatolia",)]


def test_chinese_question_words_find_the_stems_the_collection_uses(
        dictionary: Dictionary) -> None:
    groups = dictionary.expand("蒙特利尔什么时候被占领的？", {"montreal": 4, "terri": 1}.get)
    heads = dict((g[0], g[1:]) for g in groups)
    assert heads["蒙特利尔"] == ("montreal",)
    assert "特利" in heads  # the question's own words are searched too


def test_question_groups_keep_numbers_and_names(dictionary: Dictionary) -> None:
    groups = dictionary.expand("How many households live in Dongyuan community in 2022?")
    heads = [g[0] for g in groups]
    assert "dongyuan" in heads and "2022" in heads
    assert next(g for g in groups if g[0] == "2022") == ("2022",)
    assert "社区" in next(g for g in groups if g[0] == "communiti")


def test_small_dictionary_from_entries() -> None:
    analyzer = Analyzer()
    d = Dictionary([Entry("医院", ("hospital", "CL:所[suo3]")), Entry("好客", ("hospitable",)),
                    Entry("的", ("of",))], analyzer, {"医院": 10, "好客": 5}.__getitem__)
    assert d.to_chinese("hospital") == ("医院", "好客")  # exact gloss first, then by stem
    assert d.to_chinese("hospitable") == ("好客", "医院")
    assert d.to_chinese("of") == ()  # stop words are never translations
    assert d.expand("hospital", {"医院": 1}.get) == [("hospit", "医院")]


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


def test_later_alternatives_count_less() -> None:
    # the n-th alternative counts 1/n: the word and its first translation fully
    ranker = Ranker([["x"], ["y"], ["z"], ["w"], ["v"], ["u"]])
    scores = dict(ranker.rank_groups([("x", "y", "z")], 10))
    assert scores[0] == pytest.approx(scores[1])
    assert scores[2] < scores[1]


def test_summed_frequencies_within_a_group() -> None:
    ranker = Ranker([["x", "y"], ["x", "z"], ["w"]])
    scores = dict(ranker.rank_groups([("x", "y")], 10))
    assert scores[0] > scores[1]  # two members present count as a higher frequency


def test_surnames_are_romanised_as_cc_cedict_glosses_them(analyzer: Analyzer) -> None:
    d = Dictionary([Entry("付", ("to pay",)), Entry("付", ("surname Fu",)),
                    Entry("单", ("bill", "single")), Entry("单", ("surname Shan",)),
                    Entry("欧阳", ("surname Ouyang",)), Entry("医院", ("hospital",))], analyzer)
    assert (d.surname("付"), d.surname("单"), d.surname("欧阳")) == ("fu", "shan", "ouyang")
    assert d.surname("医院") is None
    assert Dictionary.from_tables(analyzer, d.tables).surname("单") == "shan"
