"""Follow-up questions: whether a reply to one of the bot's answers needs the question it
replies to, and how the two are searched together. Pure: text and the analyzer in.

A reply such as "and her husband?" or 那她多大了？ says too little on its own: a pronoun or a
demonstrative points back, an opener ("and", "what about", 还有, a bare "…呢？") continues, or
it names fewer than MIN_OWN things. Such a follow-up is searched together with the earlier
question, whose terms count EARLIER_WEIGHT of the new ones, so the new words choose among the
passages the earlier question is about. A complete question sent as a reply is searched alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.analysis import Analyzer
from bot.core.language import HAN_CHAR

# How much the earlier question's terms count in the ranking against the follow-up's own (1):
# the smallest weight that found the most gold passages first for the conversations of
# tests/data/follow_ups.json, on the test slices and on about 900 documents
# (benchmarks/follow_ups.py: 0.25, 0.35, 0.5, 0.7, 0.85, 1.0 tried; 0.7 and above alike).
# Below 1, a new word still outweighs an old one (README, Follow-ups).
EARLIER_WEIGHT = 0.7
# A question naming fewer things than this (content words, as the analyzer cuts them) says
# too little alone: "husband?", "how old is she?", 她丈夫呢？
MIN_OWN = 2
# A question that points back or continues is still complete when it names this many
# things itself ("What did Fu Linlin do when she got the call?").
SELF_CONTAINED = 4

# Words that point back to something said before.
_REFER_EN = frozenset(
    "he him his himself she her hers herself it its itself they them their theirs themselves "
    "this that these those there then".split())
# Openers that carry on from the earlier question.
_OPENERS_EN = frozenset("and also but so or plus".split())
_OPENER_PAIRS_EN = frozenset({("what", "about"), ("how", "about"), ("what", "else")})
# Chinese as jieba cuts it (simplified): pronouns, demonstratives, carrying-on words.
_REFER_ZH = frozenset(
    "他 她 它 他们 她们 它们 其 其中 其余 其他 该 此 这 那 这么 那么 当时 对方 还有 另外 此外".split())
# Any two-character word these start is a demonstrative: 这位, 那里, 那天, 这次.
_DEMONSTRATIVES_ZH = "这那"
# Question words: with one, a trailing 呢 only softens the question; without, "X呢？" is
# "what about X?".
_WH_ZH = ("什么", "多少", "怎么", "为什么", "为何", "谁", "哪", "几", "吗", "如何", "是否")


@dataclass(frozen=True)
class Reading:
    """How a question reads as a follow-up: what it names itself, and whether it points back
    or carries on."""

    own: tuple[str, ...]  # its content words: not stop words, pronouns or single Han characters
    refers: bool  # a pronoun or demonstrative ("her", "there", 她, 那里)
    continues: bool  # an opener ("and", "what about", 还有) or a bare trailing 呢

    @property
    def vague(self) -> bool:
        """Too short or too vague to be searched alone."""
        if len(self.own) < MIN_OWN:
            return True
        return (self.refers or self.continues) and len(self.own) < SELF_CONTAINED


def _refers(word: str) -> bool:
    return (word in _REFER_EN or word in _REFER_ZH
            or (len(word) == 2 and word[0] in _DEMONSTRATIVES_ZH and bool(HAN_CHAR.match(word))))


def read(question: str, analyzer: Analyzer) -> Reading:
    """The question as a follow-up, from the analyzer's words of it (stop words kept)."""
    words = analyzer.surface(question)
    own = tuple(dict.fromkeys(
        w for w in words
        # One Han character is mostly a function word in a question (多, 大, 去, 做).
        if not analyzer.is_stop_word(w) and not _refers(w)
        and not (len(w) == 1 and HAN_CHAR.match(w))))
    han = [w for w in words if HAN_CHAR.match(w)]
    bare_ne = bool(han) and han[-1] == "呢" and not any(q in w for w in han for q in _WH_ZH)
    continues = bool(words) and (
        words[0] in _OPENERS_EN or tuple(words[:2]) in _OPENER_PAIRS_EN or bare_ne)
    return Reading(own, any(_refers(w) for w in words), continues)


def needs_context(question: str, analyzer: Analyzer) -> bool:
    """True when a reply is too short or vague to be searched without the question it
    replies to."""
    return read(question, analyzer).vague


@dataclass(frozen=True)
class Query:
    """A question as ranking and the answer decision see it: its terms, its ranking groups (a
    word and its translations), its relevance concepts, which concepts are names, and how much
    each group counts in the ranking (None: all fully, as for any question asked alone)."""

    terms: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    concepts: tuple[tuple[str, ...], ...]
    names: tuple[int, ...] = ()
    group_weights: tuple[float, ...] | None = None

    def term_weights(self) -> dict[str, float]:
        """Each ranked term's weight: the most any group holding it counts."""
        weights = self.group_weights or (1.0,) * len(self.groups)
        out: dict[str, float] = {}
        for group, weight in zip(self.groups, weights, strict=True):
            for term in group:
                out[term] = max(out.get(term, 0.0), weight)
        return out


def combine(own: Query, earlier: Query, weight: float = EARLIER_WEIGHT) -> Query:
    """The follow-up's query with the earlier question's added: its groups rank at `weight`,
    and its concepts join the follow-up's unweighted, so the answer decision judges the two
    as one question, as it was fitted (weighing them too lost more gold passages than it
    declined unrelated follow-ups: README, Follow-ups). What both ask about counts once,
    fully, as the follow-up's."""
    held = {t for g in own.groups for t in g}
    heads = {c[0] for c in own.concepts}
    groups = [g for g in earlier.groups if not held.issuperset(g)]
    kept = [i for i, c in enumerate(earlier.concepts) if c[0] not in heads]
    renumber = {old: len(own.concepts) + new for new, old in enumerate(kept)}
    return Query(
        terms=own.terms + tuple(t for t in earlier.terms if t not in held),
        groups=own.groups + tuple(groups),
        concepts=own.concepts + tuple(earlier.concepts[i] for i in kept),
        names=own.names + tuple(renumber[i] for i in earlier.names if i in renumber),
        group_weights=(own.group_weights or (1.0,) * len(own.groups)) + (weight,) * len(groups),
    )


def chained(question: str, context: str | None, limit: int = 1000) -> str:
    """What to remember of an answered question for a reply to its answer: the question, after
    the earlier one it was searched with, so a follow-up of a follow-up keeps the first topic;
    the newest lines that fit in `limit` characters."""
    if context is None:
        return question[:limit]
    lines = f"{context}\n{question}".split("\n")
    while len(lines) > 1 and len("\n".join(lines)) > limit:
        lines.pop(0)
    return "\n".join(lines)[:limit]
