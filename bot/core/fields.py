"""Citation fields bounded: a title, source, URL, date or id of any length in, one a reply can
show out (pure).

A document states these itself (a first line, front matter, HTML or PDF metadata, an upload's
caption), so nothing bounds them but this. Unbounded, a 0.5 MB first line became a title whose
terms were added to every passage and which no Telegram message could hold.
"""

from __future__ import annotations

import hashlib

from bot.core.splitting import fitting, width

# Display columns (a Han character is two), about four lines on a phone: longer titles are
# almost always a first line that is a paragraph.
MAX_TITLE = 160
MAX_SOURCE = 80
MAX_DATE = 40
# A longer URL is a tracking blob or a data: URI, not a link a reader follows; it is dropped.
MAX_URL = 1024
MAX_ID = 120
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """White space collapsed, and at most limit characters: cut at a word end when one is near,
    with an ellipsis to show that something was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:，、；：") + ELLIPSIS


def title(text: str) -> str:
    """A document title of at most MAX_TITLE display columns."""
    text = " ".join(text.split())
    if width(text) <= MAX_TITLE:
        return text
    # As many characters as fit the columns, then cut as `shorten` cuts.
    return shorten(text, fitting(text, MAX_TITLE))


def source(text: str | None) -> str | None:
    """A publisher or source name of at most MAX_SOURCE characters."""
    return shorten(text, MAX_SOURCE) or None if text else None


def date(text: str | None) -> str | None:
    """A stated date of at most MAX_DATE characters."""
    return shorten(text, MAX_DATE) or None if text else None


def url(text: str | None) -> str | None:
    """A URL without white space and at most MAX_URL characters, or None."""
    if not text:
        return None
    text = text.strip()
    if len(text) > MAX_URL or any(ch.isspace() for ch in text):
        return None
    return text or None


def doc_id(text: str) -> str:
    """An id of at most MAX_ID characters; a longer one keeps its start and a digest of the
    whole, so two long ids that share a start stay two ids, the same at every reload."""
    text = text.strip()
    if len(text) <= MAX_ID:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{text[: MAX_ID - 14]}~{digest}"
