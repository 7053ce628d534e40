"""What a reply holds and in what order, whatever face draws it: the answering sentence
first, its citation under it, then the evidence folded away. Pure.

Telegram draws this as HTML with `<blockquote expandable>` blocks (bot/faces/telegram/render.py),
the console and `ask` as plain text (bot/faces/text.py), so both show the same reply. A phone
shows the first screen; everything after the lead and its citation is evidence a person opens
with one tap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core import messages
from bot.core.models import Answer, CitedPassage, Span
from bot.core.splitting import fitting, sentence_spans, width

# The lead is one sentence, but scraped text can run on for a whole passage without a full
# stop: past these many columns it is cut, "…" marking the cut.
LEAD = 320
# A sentence narrower than this (in columns: three short words, eight Han characters) is too
# thin to read alone: "Yes, she did." "他说。"
_THIN = 16
# A sentence opening with one of these points back at the one before it ("She took him to
# hospital"): shown alone it answers nothing, so the sentence before it comes first.
_POINTS_BACK_EN = frozenset(
    "he she it they him her his hers its their theirs them this that these those there "
    "then such both also which who".split()
)
_POINTS_BACK_ZH = tuple("他她它这這那其此该該但而并並也")
_FIRST_WORD = re.compile(r"[A-Za-z']+")

# How Telegram shows a folded `<blockquote expandable>` on a phone: its first FOLDED_LINES
# lines of about LINE_COLUMNS columns (a Han character is two), then "…".
FOLDED_LINES = 3
LINE_COLUMNS = 38


@dataclass(frozen=True)
class Lead:
    """The answering sentence, and the sentence before it when it cannot stand alone."""

    before: str
    sentence: str


def points_back(sentence: str) -> bool:
    """The sentence leans on the one before it: it opens with a pronoun or a linking word,
    or is too short to say anything alone."""
    text = sentence.strip().lstrip("“\"'‘「『（(")
    if width(text) < _THIN:
        return True
    if text.startswith(_POINTS_BACK_ZH):
        return True
    first = _FIRST_WORD.match(text)
    return first is not None and first.group().casefold() in _POINTS_BACK_EN


def clip_columns(text: str, columns: int) -> str:
    """The start of `text` within `columns` display columns, "…" where cut."""
    if width(text) <= columns:
        return text
    return text[: fitting(text, columns - 1)].rstrip() + "…"


def lead_of(cited: CitedPassage) -> Lead:
    """The lead of a reply: the top passage's answering sentence (its first sentence when no
    sentence holds a question word), whole up to LEAD columns, with the sentence before it only
    when it cannot stand alone."""
    text = cited.hit.passage.text
    spans = sentence_spans(text)
    if not spans:
        return Lead("", clip_columns(" ".join(text.split()), LEAD))
    span: Span = cited.highlight or spans[0]
    at = next((i for i, s in enumerate(spans) if s.start == span.start), 0)
    sentence = " ".join(text[span.start : span.end].split())
    before = ""
    if at > 0 and points_back(sentence):
        prev = spans[at - 1]
        before = " ".join(text[prev.start : prev.end].split())
        if width(before) + width(sentence) > LEAD:
            before = ""
    return Lead(before, clip_columns(sentence, LEAD))


# The earlier question a follow-up was searched with, as the reply names it: its last line
# (the newest question of a chain), cut to these many columns.
CONTEXT_NOTE = 80


def context_note(answer: Answer) -> str | None:
    """"Searched together with your earlier question: …" for a follow-up read in the context
    of the answer it replies to, else None."""
    if not answer.context:
        return None
    earlier = " ".join(answer.context.strip().split("\n")[-1].split())
    return messages.text("follow_up_context", answer.language, answer.traditional,
                         question=clip_columns(earlier, CONTEXT_NOTE))


@dataclass(frozen=True)
class Layout:
    """One page of a reply: on the first, the lead and its passage's citation; then folded
    blocks of evidence. Inside a block every passage but the lead's opens with its citation."""

    lead: Lead | None
    lead_passage: CitedPassage | None
    blocks: tuple[tuple[CitedPassage, ...], ...]
    first: int = 1  # the numbers of the passages on a later page, for its heading
    last: int = 1
    total: int = 1


def _plain(text: str) -> str:
    return " ".join(text.split())


def layout(passages: Sequence[CitedPassage], total: int, first_page: bool,
           excerpt_of: Callable[[CitedPassage], str]) -> Layout:
    """The page showing `passages` (of `total` passed): the first page leads with the top
    passage's answering sentence and folds its supporting text (unless the passage is that
    sentence and nothing more) and the other passages into two blocks; a later page folds each
    passage into a block of its own, so each opens alone."""
    if not passages:
        return Layout(None, None, ())
    numbers = (passages[0].number, passages[-1].number, total)
    if not first_page:
        return Layout(None, None, tuple((c,) for c in passages), *numbers)
    top = passages[0]
    lead = lead_of(top)
    blocks: list[tuple[CitedPassage, ...]] = []
    if _plain(excerpt_of(top)) not in {_plain(lead.sentence), _plain(f"{lead.before} {lead.sentence}")}:
        blocks.append((top,))
    if len(passages) > 1:
        blocks.append(tuple(passages[1:]))
    return Layout(lead, top, tuple(blocks), *numbers)


def fold(text: str, lines: int = FOLDED_LINES, columns: int = LINE_COLUMNS) -> str:
    """What a folded block shows before it is tapped: its first `lines` lines of `columns`
    display columns (words wrapped at a space where one is near), "…" when there is more."""
    shown: list[str] = []
    rest = text.strip("\n")
    while rest and len(shown) < lines:
        line, newline, after = rest.partition("\n")
        cut = fitting(line, columns)
        if cut < len(line):
            space = line.rfind(" ", 0, cut + 1)
            if space > cut // 2:
                cut = space
        shown.append(line[:cut].rstrip())
        rest = (line[cut:].lstrip(" ") + newline + after) if cut < len(line) else after
    more = bool(rest.strip())
    return "\n".join(shown) + ("…" if more else "")
