"""What a refresh of the pages added from the web decides, file by file (pure: bytes in).

A page added by `bot add` or /add lives under web/<host>/ (or <collection>/web/<host>/, once a
top-level folder is a collection) as fetched: an HTML file whose front
matter holds its URL and the validators of that fetch (fetched, etag, last_modified), or a PDF
whose document information holds its URL. `web_page` reads them back, the engine re-fetches the
URL with a conditional request, and `refreshed` says whether the answer changes the document.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass

from bot.core.models import Document
from bot.sources import uploads
from bot.sources.fetching import Fetched, FetchError, page_fields
from bot.sources.parsing import (
    HTML_SUFFIXES,
    PDF_META_KEYS,
    PDF_SUFFIXES,
    DocumentError,
    decode,
    parse,
    split_front_matter,
)

WEB_FOLDER = "web"
# The server's answers that say the page is no longer there (rather than out of reach).
GONE_STATUSES = frozenset({404, 410})


class Outcome(enum.Enum):
    """What the refresh found of one page."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    GONE = "gone"  # 404 or 410: kept until an admin removes it
    FAILED = "failed"  # refused or failed (an address now private, a timeout): kept


def outcome_of(exc: FetchError) -> Outcome:
    """Gone when the server says so, else out of reach (refused, timed out, broken)."""
    return Outcome.GONE if exc.status in GONE_STATUSES else Outcome.FAILED


def next_round_in(last: str | None, period: float, now: float) -> float:
    """Seconds until the next round: a period after the last one began, so restarts do not
    put it off for ever; a whole period when there was none (the pages are new)."""
    try:
        return min(period, max(0.0, float(last) + period - now)) if last else period
    except ValueError:  # not a time: written by something else
        return period


def in_web_folder(rel: str) -> bool:
    """The file lies under web/, or under a collection's web/ (a top-level folder's)."""
    folders = rel.split("/")[:-1]
    return WEB_FOLDER in folders[:2]


@dataclass(frozen=True)
class WebPage:
    """A file of the knowledge folder added from the web: its URL and what it was fetched with."""

    rel: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


def web_page(rel: str, data: bytes) -> WebPage | None:
    """The page a file under web/ was fetched from, or None for a file that names no URL (one
    an admin put there by hand, or broken)."""
    suffix = uploads.suffix_of(rel)
    if not in_web_folder(rel) or suffix not in HTML_SUFFIXES | PDF_SUFFIXES:
        return None
    try:
        stated = _pdf_info(data) if suffix in PDF_SUFFIXES else split_front_matter(decode(data))[0]
    except DocumentError:
        return None
    url = _text(stated.get("url"))
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    return WebPage(rel, url, _text(stated.get("etag")), _text(stated.get("last_modified")))


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _pdf_info(data: bytes) -> dict[str, object]:
    import pypdf

    try:
        info = pypdf.PdfReader(io.BytesIO(data)).metadata or {}
    except Exception as exc:  # pypdf raises many types on broken files
        raise DocumentError(f"unreadable PDF: {exc}") from exc
    return {"url": str(info.get(PDF_META_KEYS["url"]) or "")}


def _citable(rel: str, data: bytes) -> tuple[str, str | None, str | None, str | None, str]:
    """What a reader gets of the file: title, source, URL, date and text."""
    doc: Document = parse(rel, data)
    return doc.title, doc.source, doc.url, doc.date, doc.text


def refreshed(page: WebPage, old: bytes, fetched: Fetched) -> bytes | None:
    """The file as the new fetch makes it (its validators updated), or None when the page's
    document (text and citation) is as before: markup that changed around the same text (a
    time stamp, a session token) is not worth a reload. DocumentError when the new page gives
    no document: the old file is kept."""
    if fetched.suffix != uploads.suffix_of(page.rel):
        raise DocumentError(f"the page is now {'a PDF' if fetched.suffix == '.pdf' else 'HTML'}"
                            "; add it again to keep it in its new form")
    new = uploads.with_metadata(page.rel, fetched.data, page_fields(fetched))
    after = _citable(page.rel, new)
    try:
        before = _citable(page.rel, old)
    except DocumentError:
        return new  # the old file no longer reads: the new one does
    return None if before == after else new
