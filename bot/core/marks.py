"""The marks a reader leaves in a document's text for the stages after it (pure).

Both are characters that cleaning removes from every text (`cleaning.normalise`), so no file
can put one there: only a reader does, after cleaning what it read.

- SECTION, a form feed, starts a section (a heading of a Word file, an e-book, Markdown): the
  splitter never lets a passage run across one. XML (Word, OpenDocument, EPUB) cannot hold one.
- LABEL_END, U+2063 INVISIBLE SEPARATOR, ends the label a spreadsheet row starts with
  ("Phones, row 3"), which its citation then names instead of the passage's number. It stays
  in the passage text, where it shows as nothing.
"""

from __future__ import annotations

SECTION = "\f"
LABEL_END = "\u2063"


def label_at(text: str, at: int) -> str | None:
    """The label of the line of `text` that holds position `at` (a row's, when the answering
    sentence is in a row), or None when that line has none."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)]
    label, found, _ = line.partition(LABEL_END)
    return label.strip() or None if found else None
