"""Sentence-aware splitting of cleaned text into passages, for English and Chinese alike.

Pure functions. Sizes are measured in display columns (a Han character counts two), so a
Chinese passage holds about as much meaning as an English one of the same size.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.core.language import HAN
from bot.core.marks import SECTION
from bot.core.models import Passage, Span

# Where a sentence may end: Chinese and half-width terminators (with closing quotes), a full
# stop before white space or Han text, or a line break (a section mark is one too).
_BOUNDARY = re.compile(
    r"[。！？!?；;…]++[”’\"'」』）)\]]*+(?![、,，:：])"
    rf"|\.+[”’\"'」』）)\]]*(?=\s|$|[{HAN}])"
    rf"|[\n{SECTION}]+"
)
_LINE_BREAKS = "\n" + SECTION
# Words after which a full stop rarely ends a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc no nos fig figs approx dept est inc ltd co corp gen gov "
    "sen rep lt col capt sgt mt ft jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s "
    "a.m p.m".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.+$")


@dataclass(frozen=True)
class Sentence:
    """A sentence's span, and whether a line break comes before it (a paragraph start) and
    a section mark (a heading's start)."""

    start: int
    end: int
    new_paragraph: bool
    new_section: bool = False


class _WideChars(dict[str, bool]):
    """Whether a character is wide, looked up in Unicode's table once a character: a dict hit
    costs a third of the table lookup, and text repeats few distinct characters."""

    def __missing__(self, char: str) -> bool:
        wide = self[char] = unicodedata.east_asian_width(char) in "WF"
        return wide


_WIDE = _WideChars()


def width(text: str) -> int:
    """Display columns: wide (East Asian) characters count two."""
    if text.isascii():  # no wide character, and a C-speed check
        return len(text)
    return len(text) + sum(map(_WIDE.__getitem__, text))


def fitting(text: str, columns: int) -> int:
    """How many characters of `text`, from its start, fit in `columns` display columns."""
    used = 0
    for i, char in enumerate(text):
        used += _WIDE[char] + 1
        if used > columns:
            return i
    return len(text)


def _is_abbreviation(text: str, end: int) -> bool:
    """A full stop after an abbreviation or an initial ("Dr.", "J.") that a capital follows."""
    match = _WORD_BEFORE.search(text, max(0, end - 12), end)
    if not match:
        return False
    word = match.group(1).lower()
    return word in _ABBREVIATIONS or len(word) == 1


def _continues(text: str, pos: int) -> bool:
    """After a full stop, a lower-case word, a digit or a bracketed aside goes on the sentence."""
    rest = text[pos : pos + 3].lstrip(" \t")
    return bool(rest) and (rest[0].islower() or rest[0].isdigit() or rest[0] == "(")


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans covering every non-blank character of text, in order."""
    sentences: list[Sentence] = []
    start = 0
    new_paragraph = new_section = False
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        token = match.group()
        if token.startswith(".") and (
            _is_abbreviation(text, match.start() + 1) or _continues(text, end)
        ):
            continue
        line_break = token[0] in _LINE_BREAKS
        if line_break:
            end = match.start()
        if _add(text, start, end, new_paragraph, sentences, new_section):
            new_section = False
        if line_break:
            new_paragraph = True
            new_section = new_section or SECTION in token
        elif text[start:end].strip():
            new_paragraph = False
        start = match.end()
    _add(text, start, len(text), new_paragraph, sentences, new_section)
    # A heading straight after another (a title, then its first section's) stays with it: a
    # section of a heading alone would be a passage that says nothing.
    starts = [n == 0 or s.new_section for n, s in enumerate(sentences)]
    for n in range(1, len(sentences)):
        if starts[n] and starts[n - 1]:
            sentences[n] = dataclasses.replace(sentences[n], new_section=False)
    return sentences


def _add(text: str, start: int, end: int, new_paragraph: bool, out: list[Sentence],
         new_section: bool = False) -> bool:
    """Append the span trimmed of white space, if anything is left (True when it was)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, new_paragraph or not out, new_section and bool(out)))
        return True
    return False


def _hard_split(text: str, sentence: Sentence, limit: int) -> list[Sentence]:
    """Cut an over-long sentence (a huge line, a giant "word") into pieces of at most limit."""
    pieces: list[Sentence] = []
    start = sentence.start
    first = True
    while start < sentence.end:
        end, cols = start, 0
        while end < sentence.end and cols < limit:
            cols += width(text[end])
            end += 1
        if end < sentence.end:
            space = text.rfind(" ", start + 1, end)
            if space > start + limit // 4:
                end = space
        _add(text, start, end, sentence.new_paragraph and first, pieces,
             sentence.new_section and first)
        first = False
        start = end
    return pieces


def _fitting_sentences(text: str, target: int) -> list[Sentence]:
    """The text's sentences, an over-long one cut into pieces of at most target columns."""
    sentences: list[Sentence] = []
    for s in split_sentences(text):
        if width(text[s.start : s.end]) > target:
            sentences.extend(_hard_split(text, s, target))
        else:
            sentences.append(s)
    return sentences


def _pack(sentences: list[Sentence], sizes: list[int], gaps: list[int], target: int,
          overlap: int) -> list[tuple[int, int]]:
    """Sentence ranges [i, j) of about target columns each, preferring to end at a paragraph
    break once reasonably full and always ending before a section, each starting with the
    last `overlap` short sentences of the one before in its section."""
    ranges: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j, size = i, 0
        while j < len(sentences):
            step = sizes[j] + (gaps[j] if j > i else 0)
            if j > i and (
                size + step > target
                or sentences[j].new_section
                or (sentences[j].new_paragraph and size >= 0.6 * target)
            ):
                break
            size += step
            j += 1
        ranges.append((i, j))
        if j >= len(sentences):
            break
        # A section starts with its heading, never with the end of the section before.
        back = 0 if sentences[j].new_section else min(overlap, j - i - 1)
        while back > 0 and sum(sizes[j - back : j]) > target // 3:
            back -= 1
        i = j - back
    # A last passage much smaller than the target is folded into the one before it, unless
    # it is a section of its own.
    if (len(ranges) > 1 and not sentences[ranges[-1][0]].new_section
            and sum(sizes[ranges[-1][0] : ranges[-1][1]]) < 0.3 * target):
        last = ranges.pop()
        ranges[-1] = (ranges[-1][0], last[1])
    return ranges


def split_passages(
    doc_id: str, text: str, target: int = 1500, overlap: int = 1
) -> list[Passage]:
    """Whole sentences packed into passages of about target columns.

    Passages prefer to end at a paragraph break once they are reasonably full, and always
    end before a section mark (marks.SECTION, a heading a reader marked), so a section's
    passages start at its heading; short fragments (captions, headings) are packed with their
    neighbours instead of standing alone; each passage repeats the last `overlap` sentences
    of the previous one when they are short, so an answer that straddles a cut is still found
    whole.
    """
    target = max(target, 40)
    sentences = _fitting_sentences(text, target)
    if not sentences:
        return []
    sizes = [width(text[s.start : s.end]) for s in sentences]
    # White space between a sentence and the one before it, counted when both share a passage.
    gaps = [0] + [width(text[a.end : b.start]) for a, b in zip(sentences, sentences[1:])]
    ranges = _pack(sentences, sizes, gaps, target, overlap)
    count = len(ranges)
    return [
        Passage(
            doc_id=doc_id,
            position=n + 1,
            count=count,
            start=sentences[a].start,
            end=sentences[b - 1].end,
            text=text[sentences[a].start : sentences[b - 1].end],
        )
        for n, (a, b) in enumerate(ranges)
    ]


@functools.lru_cache(maxsize=4096)
def sentence_spans(text: str) -> tuple[Span, ...]:
    """Sentence spans of a passage's own text, for picking the one that answers. Kept for
    the passages shown lately: the same ones are shown again and again."""
    return tuple(Span(s.start, s.end) for s in split_sentences(text))
