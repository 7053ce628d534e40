"""One analyzer for passages and questions: text in, index terms out.

A chain of small steps, each a function: normalise (NFKC, case-fold), map traditional to
simplified Chinese (OpenCC), split into Han and non-Han runs, cut Han runs into words (jieba),
stem other words (Snowball via PyStemmer, after taking an irregular verb form to its lemma with
lemminflect), drop stop words of both languages.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

import jieba
import Stemmer
from lemminflect.core.Lemmatizer import Lemmatizer
from pypinyin import Style, lazy_pinyin

from bot.core import stopwords
from bot.core.language import HAN, HAN_RUN, has_han, to_simplified

# Bump when the token stream changes for the same text: stored tokens are then rebuilt.
ANALYZER_VERSION = "2"

# Letters and digits that are not Han: English words, numbers, pinyin, other scripts.
_RUNS = re.compile(f"[{HAN}]+|[^\\W_{HAN}]+")
# The second kind of run alone: what `_RUNS` finds between Han runs.
_OTHER_RUN = re.compile(f"[^\\W_{HAN}]+")
_ASCII_WORD = re.compile(r"[a-z]+")
# Lone surrogates cannot be encoded (OpenCC and jieba would fail on them); they carry no text.
_SURROGATES = re.compile("[\ud800-\udfff]")

# How Han runs become terms: jieba's search-mode words, overlapping character bigrams (as
# Lucene's CJK analyzer does), or both.
HAN_MODES = ("words", "bigrams", "both")

_jieba_lock = threading.Lock()
_jieba_ready = False


def warm_up() -> None:
    """Load jieba's dictionary now (it takes about a second) instead of on the first question.

    jieba keeps its parsed dictionary in a cache file and trusts whatever file it finds there;
    left to itself it uses a predictable name in the shared temporary folder, which any local
    user could plant. So the folder must have been chosen first (`bot.sources.cache`, which
    points jieba at the bot's own cache folder); without one this refuses to load.
    """
    global _jieba_ready
    with _jieba_lock:
        if _jieba_ready:
            return
        if jieba.dt.tmp_dir is None:
            raise RuntimeError("jieba's cache folder is not set: start through the engine, "
                               "or call bot.sources.cache.prepare_jieba first")
        jieba.setLogLevel(60)
        jieba.initialize()
        _jieba_ready = True


def jieba_folder() -> str | None:
    """The folder jieba keeps its cache in, once set (for workers that load it too)."""
    return jieba.dt.tmp_dir


def frequency(word: str) -> int:
    """How often jieba's dictionary counts the word (0 when unknown): the public accessor of
    its frequency table, so the dictionary is the same one jieba cuts with."""
    return jieba.get_FREQ(word) or 0


@functools.lru_cache(maxsize=100_000)
def toneless_pinyin(word: str) -> str:
    """The syllables of a Han word without tones, run together: 王小容 -> wangxiaorong."""
    return "".join(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


# A run of toneless pinyin syllables (initial, then final; "v" for ü), for telling a possible
# name's pinyin from an English word. Loose on purpose: a false yes only costs a lookup.
_PINYIN = re.compile(
    "(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|ia|ie|"
    "iu|in|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v))+"
)

# Sentences whose normalised text and Latin terms are kept (a few KB each: about 30 MB), and
# Han sentences whose pinyin runs are kept (up to 70 KB each for a long one: at most 70 MB).
SENTENCE_CACHE = 10_000
PINYIN_CACHE = 1_000
# Words whose stems an analyzer keeps (then it stems new ones each time).
STEMS_KEPT = 200_000

# Words at most this frequent in jieba's dictionary count as rare (names, small places).
RARE_WORD = 20


def _rare(word: str) -> bool:
    return frequency(word) <= RARE_WORD


def _person(name: str) -> bool:
    """Whether jieba's part-of-speech tagger takes the word for a person's name, or for one
    that starts with a surname it tags so (王 | 小容). Loaded only when a question has a word
    that could be a name (its first use reads jieba's dictionary's tags: about 0.3 s)."""
    import jieba.posseg

    pieces = jieba.posseg.lcut(name)
    return bool(pieces) and pieces[0].flag == "nr"


def warm_lemmas() -> None:
    """Load lemminflect's lemma tables now (about 0.3 s) rather than in the first question's
    answer, which stems the words of the passages it ranks, in either language."""
    _verb_lemmas()


@functools.cache
def _verb_lemmas() -> dict[str, str]:
    """Each lower-case English verb form lemminflect knows, with its first verb lemma: what
    `getAllLemmas(word)["VERB"][0]` gives, read once out of its tables (its overrides over its
    lookup table, as it merges them). Its public call deep-copies both entries each time,
    about 15 us a word: most of the stemming of a passage's words never seen before, and a
    whole answer's largest cost the first time its passages are met. Case-folded words only,
    which is all `_stem` sees (getAllLemmas lower-cases its word before looking it up)."""
    lemmatizer = Lemmatizer()
    table: dict[str, str] = {}
    for entries in (lemmatizer._getLemmaDict(), lemmatizer._getOverridesDict()):
        for word, lemmas in entries.items():
            if word == word.lower() and (verb := lemmas.get("VERB")):
                table[word] = verb[0]
    return table


def _verb_lemma(word: str) -> str:
    """The lemma of an English verb form ("won" -> "win", "took" -> "take"), which no stemmer
    finds, or the word itself. Only verbs: a noun's lemma can merge words a reader keeps apart
    ("media" -> "medium"), while Snowball already joins regular plurals."""
    return _verb_lemmas().get(word, word)


def _normalise(text: str) -> str:
    """NFKC, no lone surrogates, case-folded, traditional Han as simplified."""
    text = _SURROGATES.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return to_simplified(text) if has_han(text) else text


class Analyzer:
    """Turns text into index terms; the same instance serves passages and questions."""

    def __init__(self, stem: bool = True, stop_words: bool = True, han: str = "both",
                 title_weight: int = 3, pinyin: bool = True) -> None:
        if han not in HAN_MODES:
            raise ValueError(f"han must be one of {', '.join(HAN_MODES)}")
        self._han = han
        self.title_weight = title_weight
        self.pinyin = pinyin
        self._stemmer = Stemmer.Stemmer("english") if stem else None
        self._stop = stopwords.ENGLISH | stopwords.CHINESE if stop_words else frozenset()
        self._stems: dict[str, str] = {}
        # Per instance, since they depend on its stemmer and stop words. Popular passages are
        # shown again and again; their sentences are then not re-read for every question.
        self._sentence = functools.lru_cache(maxsize=SENTENCE_CACHE)(self._sentence_uncached)
        self._pinyin_spans = functools.lru_cache(maxsize=PINYIN_CACHE)(
            self._pinyin_spans_uncached)
        # Enough to build the same analyzer in a tokenising worker process.
        self.options = (stem, stop_words, han, title_weight, pinyin)
        self.signature = (
            f"v{ANALYZER_VERSION};stem={stem};stop={stop_words};han={han};title={title_weight};"
            f"pinyin={pinyin}"
        )

    def is_stop_word(self, word: str) -> bool:
        """True for a stop word of either language (Chinese in simplified form)."""
        return word in self._stop

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(_verb_lemma(word)) if self._stemmer else word
            if len(self._stems) < STEMS_KEPT:
                self._stems[word] = stem
        return stem

    def _han_words(self, run: str, han: str, pinyin: bool) -> Iterator[str]:
        if han in ("words", "both"):
            if not _jieba_ready:
                warm_up()
            previous = ""
            for word in jieba.cut_for_search(run):
                # jieba often cuts a name after its one-character surname (王 | 小容): the
                # surname gets its pinyin too when a rare word follows it.
                if (pinyin and len(previous) == 1 and previous not in self._stop
                        and len(word) <= 2 and _rare(word)):
                    yield toneless_pinyin(previous)
                previous = word
                if word not in self._stop:
                    yield word
                    # Passages' names and places are findable by their toneless pinyin too
                    # ("Xiaorong", "Dongyuan"). Only rare words of two to four characters get
                    # it: names are rare in jieba's dictionary, and the pinyin of common words
                    # or single syllables would match far too much. Questions get none, so a
                    # Chinese question does not count its words twice.
                    if pinyin and 2 <= len(word) <= 4 and _rare(word):
                        yield self._stem(toneless_pinyin(word))
        if han in ("bigrams", "both"):
            if len(run) == 1:
                if han == "bigrams" and run not in self._stop:
                    yield run
                return
            for i in range(len(run) - 1):
                if run[i : i + 2] not in self._stop:
                    yield run[i : i + 2]

    def _other_words(self, run: str) -> Iterator[str]:
        if run in self._stop:
            return
        yield self._stem(run) if _ASCII_WORD.fullmatch(run) else run

    def tokens(self, text: str) -> list[str]:
        """Index terms of text, in order, repeats kept (BM25 counts them)."""
        return self._analyse(text, self._han)

    def name_spellings(
        self, words: Sequence[str], unknown: Callable[[str], bool],
        surname: Callable[[str], str | None],
    ) -> dict[str, str]:
        """How English text would write the Chinese names among a question's `words`: the
        surname as `surname` romanises it, then the given name's syllables run together
        (付林林 -> "Fu Linlin"). A name is a rare word of up to four Han characters, not part
        of a longer word of the question, that `unknown` says neither the collection nor the
        dictionary knows, and that starts with a surname; or, after a one-character surname
        that jieba cut off (王 | 小容), such a word of one or two characters (王小容 -> "Wang
        Xiaorong"). Only names of three characters or more that jieba's tagger takes for a
        person's (`_person`): of two (马尔, 安迪: transliterations; 中有: pieces of words) the
        syllables alone, "Ma", "Er", are too common in English text to tell anything."""
        out: dict[str, str] = {}
        previous = ""
        for word in words:
            if (HAN_RUN.fullmatch(word) and len(word) <= 4 and _rare(word) and unknown(word)
                    and not any(word in other and word != other for other in words)):
                parts = None
                if len(previous) == 1 and len(word) <= 2 and (family := surname(previous)):
                    parts = (previous + word, family, word)
                else:
                    for n in (2, 1):
                        if len(word) > n and (family := surname(word[:n])):
                            parts = (word, family, word[n:])
                            break
                if parts and len(parts[0]) >= 3 and _person(parts[0]):
                    name, family, given = parts
                    out[name] = f"{family.capitalize()} {toneless_pinyin(given).capitalize()}"
            previous = word
        return out

    def title_terms(self, title: str) -> list[str]:
        """The title's terms, repeated title_weight times, added to each of its passages so
        the title acts as a field of every passage."""
        return self.index_terms(title) * self.title_weight if self.title_weight else []

    def index_terms(self, text: str) -> list[str]:
        """Terms of document text: like `tokens`, plus the pinyin of names."""
        return self._analyse(text, self._han, self.pinyin)

    def words(self, text: str) -> list[str]:
        """The question's words without character bigrams: what relevance is judged on, since
        most bigrams of a question ("有多", "少户") are noise that no passage contains."""
        return self._analyse(text, "bigrams" if self._han == "bigrams" else "words")

    def surface(self, text: str) -> list[str]:
        """The words of text as written, stop words kept and nothing stemmed: Latin words
        case-folded, Han runs (as simplified) cut by jieba's plain mode. What tells a question's
        pronouns and openers ("her", "and", 那, 还有), which `tokens` drops as stop words."""
        if not _jieba_ready and has_han(text):
            warm_up()
        out: list[str] = []
        for match in _RUNS.finditer(_normalise(text)):
            run = match.group()
            out.extend(jieba.lcut(run) if HAN_RUN.fullmatch(run) else [run])
        return out

    def present(self, text: str, wanted: Collection[str]) -> set[str]:
        """Which of the wanted terms `index_terms(text)` holds, or could: Han terms are looked
        for as substrings of the normalised text (jieba, the slow step, is skipped), other
        terms among its Latin words, and a wanted term that could be pinyin ("xiaorong", not
        "community") among the pinyin of the text's runs of one to four Han characters, where
        the pinyin of a name (`index_terms` gives rare words theirs) would be."""
        return self.present_each([text], wanted)[0]

    def present_each(self, texts: Iterable[str], wanted: Collection[str]) -> list[set[str]]:
        """`present` of each text (a passage's sentences), the wanted terms sorted by script
        once for all of them."""
        han: list[str] = []
        latin: set[str] = set()
        for t in wanted:
            if has_han(t):
                han.append(t)
            else:
                latin.add(t)
        spelled = {t for t in latin if _PINYIN.fullmatch(t)} if self.pinyin else set()
        out = []
        for text in texts:
            norm, latin_words = self._sentence(text)
            found = {t for t in han if t in norm}
            if latin:
                found.update(latin.intersection(latin_words))
                missing = spelled - found
                if missing and has_han(norm):
                    found.update(missing.intersection(self._pinyin_spans(norm)))
            out.append(found)
        return out

    def _sentence_uncached(self, text: str) -> tuple[str, frozenset[str]]:
        """The normalised text and the terms of its Latin words: what `present` needs of a
        sentence whatever the question, kept for the sentences of passages shown lately."""
        norm = _normalise(text)
        return norm, frozenset(self._run_terms(set(_OTHER_RUN.findall(norm))))

    def _run_terms(self, runs: set[str]) -> set[str]:
        """`_other_words` of each run, the words stemmed by `_stem_each`."""
        runs -= self._stop
        words = [run for run in runs if _ASCII_WORD.fullmatch(run)]
        out = runs.difference(words)
        out.update(self._stem_each(words))
        return out

    def _stem_each(self, words: Sequence[str]) -> list[str]:
        """`_stem` of each word, those never stemmed before in one call of the stemmer: a
        passage's sentences are read the first time it is ranked, most of an answer's cost."""
        stems = self._stems
        new = [w for w in dict.fromkeys(words) if w not in stems]
        if not new:
            return [stems[w] for w in words]
        found = dict(zip(new, self._stemmer.stemWords([_verb_lemma(w) for w in new])
                         if self._stemmer else new, strict=True))
        if len(stems) < STEMS_KEPT:
            stems.update(found)
        return [stems[w] if w in stems else found[w] for w in words]

    def _pinyin_spans_uncached(self, norm: str) -> frozenset[str]:
        spans: list[str] = []
        for match in HAN_RUN.finditer(norm):
            syllables = [toneless_pinyin(c) for c in match.group()]
            for i in range(len(syllables)):
                joined = ""
                for syllable in syllables[i : i + 4]:
                    joined += syllable
                    spans.append(joined)
        return frozenset((*spans, *self._stem_each(spans)))

    def _analyse(self, text: str, han: str, pinyin: bool = False) -> list[str]:
        text = _normalise(text)
        out: list[str] = []
        for match in _RUNS.finditer(text):
            run = match.group()
            words: Iterable[str] = (
                self._han_words(run, han, pinyin) if HAN_RUN.fullmatch(run)
                else self._other_words(run)
            )
            out.extend(words)
        return out
