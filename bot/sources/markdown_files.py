"""Markdown's structure, read with markdown-it: its headings, which become section marks and
name the document, and its text without their `#` markers.

A Markdown file is written by a person, not scraped: its short lines (a heading, a list item)
are content, so its text is kept whole, not trimmed as a web page's chrome is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import cleaning
from bot.core.marks import SECTION


@dataclass(frozen=True)
class Markdown:
    """A Markdown source with its headings read."""

    text: str  # the source with `#` and underlines taken off its top-level headings
    title: str | None  # the first heading, when nothing comes before it
    headings: frozenset[int]  # the lines of `text` that are headings


def read(markdown: str) -> Markdown:
    """The headings markdown-it finds (`#` headings and underlined ones, never a `#` line in
    code), written as plain lines."""
    from markdown_it import MarkdownIt

    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens = MarkdownIt("commonmark").parse("\n".join(lines))
    headings: set[int] = set()
    title = None
    content_before = False
    for n, token in enumerate(tokens):
        if token.map is None or token.level != 0:  # a heading in a list or quote stays text
            continue
        if token.type != "heading_open":
            content_before = content_before or token.type not in {"heading_close"}
            continue
        start, end = token.map
        heading = tokens[n + 1].content.strip() if n + 1 < len(tokens) else ""
        lines[start] = heading
        for underline in range(start + 1, end):  # an underlined heading's ===== line
            lines[underline] = ""
        headings.add(start)
        if title is None and not content_before and heading:
            title = heading
        content_before = True
    return Markdown("\n".join(lines), title, frozenset(headings))


def marked(source: Markdown, cleaned: str) -> str:
    """The cleaned text with a section mark (`SECTION`) before each line that was a heading:
    the cleaned lines are some of the source's lines, normalised, in order."""
    if not source.headings:
        return cleaned
    lines = [cleaning.normalise(line) for line in source.text.split("\n")]
    out = []
    at = 0  # the source line the last cleaned line came from, and the next one to look at
    for line in cleaned.split("\n"):
        found = next((n for n in range(at, len(lines)) if lines[n] == line), None)
        if found is not None:
            at = found + 1
            line = SECTION + line if found in source.headings and line else line
        out.append(line)
    return "\n".join(out)
