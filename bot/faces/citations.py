"""What a citation and a document listing say, whatever the face draws them with: the console
and `ask` write them as plain text (URL spelt out), Telegram as HTML (title linked). Pure."""

from __future__ import annotations

from bot.core import marks, messages
from bot.core.models import CitedPassage, DocumentInfo, StoredPassage


def row_label(cited: CitedPassage) -> str | None:
    """The label of the spreadsheet row the answering sentence is in ("Phones, row 3"), or
    None for any other passage."""
    if cited.highlight is None:
        return None
    return marks.label_at(cited.hit.passage.text, cited.highlight.start)


def citation_details(passage: StoredPassage, language: str, traditional: bool = False,
                     other_language: bool = False, with_url: bool = True,
                     row: str | None = None) -> list[str]:
    """Publisher, URL (when not linked from the title), date, where the passage is (the row's
    label for a spreadsheet row, else "passage i/N"), and "in Chinese" for a passage in the
    other language than the question."""
    url = passage.url if with_url else None
    details = [d for d in (passage.source, url, passage.date) if d]
    details.append(row or messages.text("passage", language, traditional,
                                        position=passage.position, count=passage.count))
    if other_language:
        details.append(messages.text("other_language", language, traditional))
    return details


def document_details(doc: DocumentInfo, with_url: bool = True) -> list[str]:
    """Publisher, URL (when not linked from the title) and date of a listed document."""
    return [d for d in (doc.source, doc.url if with_url else None, doc.date) if d]
