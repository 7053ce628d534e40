from __future__ import annotations

from bot.core.analysis import Analyzer
from bot.core.language import has_han, to_simplified


def test_traditional_and_simplified_give_the_same_terms(analyzer: Analyzer) -> None:
    assert analyzer.tokens("東原社區有多少戶居民") == analyzer.tokens("东原社区有多少户居民")
    assert to_simplified("戰疫女兵") == "战疫女兵"


def test_numbers_are_kept_apart_from_han(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("實際居住居民6126戶18000余人")
    assert "6126" in tokens and "18000" in tokens and "居民" in tokens


def test_english_is_lowercased_stemmed_and_stop_words_dropped(analyzer: Analyzer) -> None:
    assert analyzer.tokens("The Volunteers were running to the Hospitals") == [
        "volunt", "run", "hospit"
    ]


def test_chinese_stop_words_are_dropped(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("王小容是谁？她做了什么？")
    assert "谁" not in tokens and "什么" not in tokens and "了" not in tokens
    assert "小容" in tokens


def test_mixed_question(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("Fu Linlin 送谁去了医院？")
    assert tokens[:2] == ["fu", "linlin"]
    assert "医院" in tokens


def test_search_mode_adds_sub_words(analyzer: Analyzer) -> None:
    # jieba's search mode emits the parts of a long word as well as the word
    tokens = analyzer.tokens("志愿服务队副队长")
    assert "副队长" in tokens and "队长" in tokens


def test_nothing_searchable(analyzer: Analyzer) -> None:
    assert analyzer.tokens("?!… 😀🎉 ---") == []
    assert analyzer.tokens("") == []


def test_has_han() -> None:
    assert has_han("abc 王") and not has_han("abc")


def test_analyzer_signature_names_its_choices() -> None:
    assert Analyzer(stem=False).signature != Analyzer().signature


def test_passages_get_pinyin_of_rare_words_and_questions_do_not(analyzer: Analyzer) -> None:
    terms = analyzer.index_terms("王小容是东原社区的志愿者")
    assert {"wang", "xiaorong", "dongyuan"} <= set(terms)
    assert "shequ" not in terms  # 社区 is a common word: no pinyin
    assert "xiaorong" not in analyzer.tokens("王小容是东原社区的志愿者")


def test_bigrams_and_words(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("东原社区居民")
    assert "社区" in tokens and "原社" in tokens  # a jieba word and a cross-word bigram
    assert "原社" not in analyzer.words("东原社区居民")


def test_present_finds_every_term_the_full_analysis_finds(analyzer: Analyzer) -> None:
    from bot.core.splitting import sentence_spans
    from tests.conftest import EN_SEED, SEEDS, ZH_SEED

    questions = ["Fu Linlin 送谁去了医院？", "東原社區有多少戶居民？", "Who is Wang Xiaorong?",
                 "What illness did the old man have?", "王小容在哪个单位工作？"]
    wanted = {t for q in questions for t in analyzer.tokens(q)}
    checked = 0
    for name in (EN_SEED, ZH_SEED):
        text = (SEEDS / name).read_text(encoding="utf-8")
        for span in sentence_spans(text):
            sentence = text[span.start : span.end]
            exact = wanted.intersection(analyzer.index_terms(sentence))
            found = analyzer.present(sentence, wanted)
            assert exact <= found <= wanted
            checked += bool(exact)
    assert checked > 10  # the questions' terms do occur in many sentences


def test_present_takes_the_pinyin_of_names_only_when_needed(analyzer: Analyzer) -> None:
    sentence = "王小容一直堅守在特保服務工作的戰線上。"
    assert analyzer.present(sentence, {"xiaorong", "王小容"[1:]}) == {"xiaorong", "小容"}
    assert analyzer.present(sentence, {"volunt"}) == set()
    assert analyzer.present("Volunteers running.", {"volunt", "run", "小容"}) == {"volunt", "run"}


def test_irregular_verb_forms_are_indexed_as_their_lemma(analyzer: Analyzer) -> None:
    # Snowball leaves "won" and "took" alone; their lemma joins them to "win" and "take"
    assert analyzer.tokens("won wins winning") == ["win"] * 3
    assert analyzer.tokens("took taken takes") == ["take"] * 3
    # only verbs: nouns keep what Snowball makes of them ("media" is not "medium")
    assert analyzer.tokens("media medium") == ["media", "medium"]


def test_verb_lemmas_read_from_the_tables_are_what_lemminflect_gives() -> None:
    # `_verb_lemma` reads lemminflect's tables once instead of calling getAllLemmas per word:
    # for every lower-case word in them (irregular forms, overrides, words that are not verbs)
    # and for words they lack, it must give what the public call gives.
    from lemminflect import getAllLemmas
    from lemminflect.core.Lemmatizer import Lemmatizer

    from bot.core import analysis

    lemmatizer = Lemmatizer()
    words = [w for table in (lemmatizer._getLemmaDict(), lemmatizer._getOverridesDict())
             for w in table if w == w.lower()]
    assert len(words) > 50_000
    words += ["qwzx", "xiaorong", "volunteers"]
    for word in words:
        verbs = getAllLemmas(word).get("VERB")
        assert analysis._verb_lemma(word) == (verbs[0] if verbs else word), word
    assert analysis._verb_lemma("went") == "go" and analysis._verb_lemma("anyone") == "anyone"


def test_word_frequencies_come_from_jiebas_public_accessor(analyzer: Analyzer) -> None:
    import jieba

    from bot.core import analysis

    analyzer.tokens("医院")  # jieba's dictionary is loaded
    assert analysis.frequency("医院") == jieba.get_FREQ("医院") > 1000
    assert analysis.frequency("王小容") == 0  # a name jieba does not know


def test_surface_words_keep_stop_words_unstemmed(analyzer: Analyzer) -> None:
    # what tells a follow-up's pronouns and openers, which tokens() drops
    assert analyzer.surface("And her Husbands?") == ["and", "her", "husbands"]
    assert analyzer.surface("那她後來呢？") == ["那", "她", "后来", "呢"]
    assert analyzer.surface("?!") == []


SURNAMES = {"付": "fu", "王": "wang"}


def _unknown(word: str) -> bool:
    return True


def test_a_chinese_name_is_spelled_as_english_text_writes_it(analyzer: Analyzer) -> None:
    words = analyzer.words("付林林把谁送去了医院？")
    assert analyzer.name_spellings(words, _unknown, SURNAMES.get) == {"付林林": "Fu Linlin"}
    # jieba cut the surname off (王 | 小容): the name is both
    words = analyzer.words("王小容在哪个单位工作？")
    assert words[:2] == ["王", "小容"]
    assert analyzer.name_spellings(words, _unknown, SURNAMES.get) == {
        "王小容": "Wang Xiaorong"}
    assert analyzer.name_spellings(["单林林"], _unknown, {"单": "shan"}.get) == {
        "单林林": "Shan Linlin"}  # the surname's own reading, not 单's commonest (dan)


def test_only_rare_unknown_words_that_start_with_a_surname_are_names(
    analyzer: Analyzer,
) -> None:
    words = analyzer.words("付林林把谁送去了医院？")
    assert analyzer.name_spellings(words, lambda word: False, SURNAMES.get) == {}  # known
    # 医院 is unknown to this collection, but it is a common word, not a name
    assert analyzer.name_spellings(["医院"], _unknown, {"医": "yi"}.get) == {}
    # 斯拉 (in 特斯拉, "Tesla") is rare, but 斯 is no surname, and it is part of a longer word
    assert analyzer.name_spellings(["特斯拉", "斯拉"], _unknown, SURNAMES.get) == {}
    assert analyzer.name_spellings(["特斯拉", "斯拉"], _unknown, {"斯": "si"}.get) == {}
    # two characters: a transliteration (马尔, "Mal-") as often as a name, and its syllables
    # too common in English text to tell; pieces of words jieba does not tag as a person's
    assert analyzer.name_spellings(["马尔"], _unknown, {"马": "ma"}.get) == {}
    assert analyzer.name_spellings(["中有书"], _unknown, {"中": "zhong"}.get) == {}
