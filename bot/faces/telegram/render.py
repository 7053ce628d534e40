"""Answers as Telegram HTML messages: every piece of document text escaped, each message at
most 4096 UTF-16 code units, split only between passages. Pure: no Telegram calls here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bot.core import messages
from bot.core.models import Answer, CitedPassage, DocumentInfo, StoredPassage
from bot.faces.citations import citation_details, document_details
from bot.faces.text import excerpt

# Telegram's limit, counted by us on the HTML source: the tags only make that stricter than
# Telegram's own count after parsing, so a message that passes here always fits.
MAX_MESSAGE = 4096
INLINE_DESCRIPTION = 200
# A stored document may hold anything (a 100,000-character title from a file no parser cut):
# every field shown is cut to these many characters, and a link longer than MAX_URL, or to no
# web address, is left out (a URL cut short leads somewhere else). A citation then fits a
# message with room for its passage, however its document was made.
TITLE, DETAIL, DOC_ID = 200, 120, 80
MAX_URL = 1024
_WEB = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)  # escaped when used


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def passage_html(cited: CitedPassage, limit: int | None = None) -> str:
    """`[n]` and the passage excerpt, the answering sentence in bold; cut to `limit` raw
    characters."""
    text, span = excerpt(cited.hit.passage.text, cited.highlight)
    if limit is not None:
        text = _clip(text, limit)
    if span is not None and span.start < len(text):
        end = min(span.end, len(text))
        body = (html.escape(text[: span.start]) + "<b>" + html.escape(text[span.start : end])
                + "</b>" + html.escape(text[end:]))
    else:
        body = html.escape(text)
    return f"<b>[{cited.number}]</b> {_lines(body)}"


def short(text: str, n: int) -> str:
    """`text` cut to at most n characters, "…" marking the cut."""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _href(url: str | None) -> str | None:
    """The URL escaped for an href, or None when it is no web address or too long to show."""
    if not url or len(url) > MAX_URL or not _WEB.fullmatch(url):
        return None
    return html.escape(url, quote=True)


def _title(title: str, url: str | None, doc_id: str) -> str:
    """The escaped, cut title (the id when it has none), linking to the URL when usable."""
    text = html.escape(short(title if title.strip() else doc_id, TITLE))
    href = _href(url)
    return f'<a href="{href}">{text}</a>' if href else text


def _details(details: Sequence[str]) -> str:
    return ", ".join(html.escape(short(d, DETAIL)) for d in details)


def citation_html(passage: StoredPassage, number: int, language: str,
                  traditional: bool = False, other_language: bool = False) -> str:
    """`[n] Title — source, date, passage i/N`, the title linking to the URL when there is one."""
    details = citation_details(passage, language, traditional, other_language, with_url=False)
    return f"[{number}] {_title(passage.title, passage.url, passage.doc_id)} — {_details(details)}"


def document_line(number: int, doc: DocumentInfo, admin: bool = False) -> str:
    """`n. Title — source, date` for /sources; /docs adds passages, when added and the id."""
    details = _details(document_details(doc, with_url=False))
    line = f"{number}. {_title(doc.title, doc.url, doc.id)}" + (f" — {details}" if details else "")
    if admin:
        line += (f"\n    {doc.passages} passages · added {html.escape(doc.added_at[:10])} · "
                 f"id <code>{html.escape(short(doc.id, DOC_ID))}</code>")
    return line


def _sources(cited: Sequence[CitedPassage], answer: Answer) -> str:
    heading = messages.text("sources", answer.language, answer.traditional)
    lines = [citation_html(c.hit.passage, c.number, answer.language, answer.traditional,
                           c.other_language)
             for c in cited]
    return f"<b>{heading}</b>\n" + "\n".join(lines)


def _message(blocks: Sequence[str], cited: Sequence[CitedPassage], answer: Answer) -> str:
    return "\n\n".join(blocks) + "\n\n" + _sources(cited, answer)


def answer_messages(answer: Answer, limit: int = MAX_MESSAGE) -> list[str]:
    """The reply as one or more HTML messages; each carries its passages' citations."""
    if not answer.passages:
        return [html.escape(answer.message)]
    out: list[str] = []
    blocks: list[str] = []
    cited: list[CitedPassage] = []
    for c in answer.passages:
        block = passage_html(c)
        if blocks and utf16_len(_message([*blocks, block], [*cited, c], answer)) > limit:
            out.append(_message(blocks, cited, answer))
            blocks, cited = [], []
        if utf16_len(_message([block], [c], answer)) > limit:
            block = _shrink(c, answer, limit)
        blocks.append(block)
        cited.append(c)
    out.append(_message(blocks, cited, answer))
    return out


def _shrink(cited: CitedPassage, answer: Answer, limit: int) -> str:
    """The longest cut of one passage that fits a message with its citation."""
    best = _fit(lambda n: _message([passage_html(cited, n)], [cited], answer),
                len(excerpt(cited.hit.passage.text, cited.highlight)[0]), limit)
    return best.rsplit("\n\n", 1)[0]  # the passage block, without the sources


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n].rstrip() + "…"


def _longest(render: Callable[[int], str], length: int, limit: int) -> int:
    """The largest n <= length for which render(n) fits in `limit` UTF-16 units (0 if none)."""
    lo, hi = 0, length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if utf16_len(render(mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _fit(render: Callable[[int], str], length: int, limit: int) -> str:
    """render(n) for the largest n <= length whose result fits in `limit` UTF-16 units."""
    return render(_longest(render, length, limit))


_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str) -> str:
    """The visible text of a message we rendered, for re-sending without markup."""
    return html.unescape(_TAG.sub("", text))


def split_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Plain text as HTML-escaped messages of at most `limit` units each, split between lines,
    and inside a line only when one line alone is too long (a 4,000-character question)."""
    pieces: list[str] = []
    for line in text.split("\n"):
        escaped = html.escape(line)
        while utf16_len(escaped) > limit:
            # The longest start of the line whose escaped form fits, so no entity is cut.
            n = max(1, _longest(lambda n: html.escape(line[:n]), len(line), limit))
            pieces.append(html.escape(line[:n]))
            line = line[n:]
            escaped = html.escape(line)
        pieces.append(escaped)
    chunks: list[str] = []
    current: str | None = None
    for piece in pieces:
        candidate = piece if current is None else f"{current}\n{piece}"
        if current is not None and utf16_len(candidate) > limit:
            chunks.append(current)
            candidate = piece
        current = candidate
    chunks.append(current or "")
    return [c for c in chunks if c.strip()] or ["…"]


def context_message(
    centre: StoredPassage, neighbours: Sequence[StoredPassage], language: str,
    traditional: bool = False, limit: int = MAX_MESSAGE,
) -> str:
    """A passage with the passages around it in its document, the cited one in bold."""
    header = "📄 " + citation_html(centre, 0, language, traditional).removeprefix("[0] ")
    parts = []
    for p in neighbours:
        body = _lines(html.escape(p.text))
        parts.append(f"<b>{body}</b>" if p.id == centre.id else body)
    text = header + "\n\n" + "\n\n".join(parts)
    if utf16_len(text) <= limit:
        return text
    # Too long with its neighbours: the cited passage alone, cut to fit.
    return _fit(
        lambda n: f"{header}\n\n<b>{_lines(html.escape(_clip(centre.text, n)))}</b>",
        len(centre.text), limit,
    )


def inline_description(cited: CitedPassage) -> str:
    """The answering sentence (or the passage start) for an inline result's second line."""
    text = cited.hit.passage.text
    if cited.highlight is not None:
        text = text[cited.highlight.start : cited.highlight.end]
    text = " ".join(text.split())
    return text if len(text) <= INLINE_DESCRIPTION else text[: INLINE_DESCRIPTION - 1] + "…"
