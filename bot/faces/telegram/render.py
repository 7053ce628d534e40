"""Answers as Telegram HTML messages: the reply's layout (bot/faces/reply.py) drawn with
`<b>`, links and `<blockquote expandable>`, every piece of document text escaped, each page at
most 4096 UTF-16 code units with its citations. Pure: no Telegram calls here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bot.core import messages
from bot.core.models import Answer, CitedPassage, DocumentInfo, Span, StoredPassage
from bot.faces.citations import citation_details, document_details, row_label
from bot.faces.reply import context_note, layout
from bot.faces.text import EXCERPT, excerpt

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
                  traditional: bool = False, other_language: bool = False,
                  row: str | None = None) -> str:
    """`[n] Title — source, date, passage i/N` (or the spreadsheet `row`), the title linking
    to the URL when there is one."""
    details = citation_details(passage, language, traditional, other_language, with_url=False,
                               row=row)
    return f"[{number}] {_title(passage.title, passage.url, passage.doc_id)} — {_details(details)}"


def document_line(number: int, doc: DocumentInfo, admin: bool = False) -> str:
    """`n. Title — source, date` for /sources; /docs adds passages, when added and the id."""
    details = _details(document_details(doc, with_url=False))
    line = f"{number}. {_title(doc.title, doc.url, doc.id)}" + (f" — {details}" if details else "")
    if admin:
        line += (f"\n    {doc.passages} passages · added {html.escape(doc.added_at[:10])} · "
                 f"id <code>{html.escape(short(doc.id, DOC_ID))}</code>")
    return line


def _excerpt(cited: CitedPassage, columns: int) -> tuple[str, Span | None]:
    """The passage's sentences around its answering one within `columns`, cut raw to them
    when one sentence alone is longer (text that runs on without a full stop)."""
    text, span = excerpt(cited.hit.passage.text, cited.highlight, columns)
    if len(text) > columns:
        text = _clip(text, columns)
    return text, span


def passage_body(cited: CitedPassage, columns: int = EXCERPT) -> str:
    """The passage excerpt, escaped, its answering sentence in bold, paragraphs on lines."""
    text, span = _excerpt(cited, columns)
    if span is not None and span.start < len(text):
        end = min(span.end, len(text))
        body = (html.escape(text[: span.start]) + "<b>" + html.escape(text[span.start : end])
                + "</b>" + html.escape(text[end:]))
    else:
        body = html.escape(text)
    return _lines(body)


def _cited(cited: CitedPassage, answer: Answer) -> str:
    return citation_html(cited.hit.passage, cited.number, answer.language, answer.traditional,
                         cited.other_language, row_label(cited))


def page_html(answer: Answer, passages: Sequence[CitedPassage], first_page: bool,
              columns: int = EXCERPT) -> str:
    """One page of an answer (bot/faces/reply.py): the lead in bold with its citation under
    it, then `<blockquote expandable>` blocks of evidence, each excerpt within `columns`."""
    shown = layout(passages, len(answer.passages), first_page,
                   lambda c: _excerpt(c, columns)[0])
    parts: list[str] = []
    if shown.lead is not None and shown.lead_passage is not None:
        before = html.escape(shown.lead.before) + " " if shown.lead.before else ""
        parts.append(f"{before}<b>{html.escape(shown.lead.sentence)}</b>\n"
                     + _cited(shown.lead_passage, answer))
        note = context_note(answer)
        if note:
            parts[-1] += f"\n<i>↩ {html.escape(note)}</i>"
    else:
        parts.append("<i>" + html.escape(messages.text(
            "results_range", answer.language, answer.traditional, first=shown.first,
            last=shown.last, total=shown.total)) + "</i>")
    for block in shown.blocks:
        items = [passage_body(c, columns) if c is shown.lead_passage
                 else f"{_cited(c, answer)}\n{passage_body(c, columns)}" for c in block]
        parts.append("<blockquote expandable>" + "\n\n".join(items) + "</blockquote>")
    return "\n\n".join(parts)


# A page holds another passage only if each of its excerpts can keep at least this many
# columns; a page of one passage is cut to whatever fits.
MIN_EXCERPT = 160


def fitted_page(answer: Answer, passages: Sequence[CitedPassage], first_page: bool,
                limit: int = MAX_MESSAGE) -> str:
    """The page with the longest excerpts (up to EXCERPT columns) that fit in `limit`."""
    return _fit(lambda n: page_html(answer, passages, first_page, n), EXCERPT, limit)


def paginate(answer: Answer, k: int, limit: int = MAX_MESSAGE) -> list[tuple[CitedPassage, ...]]:
    """The answer's passages in pages of at most k, fewer where k do not fit one message."""
    pages: list[tuple[CitedPassage, ...]] = []
    current: list[CitedPassage] = []
    for cited in answer.passages:
        trial = [*current, cited]
        if current and (len(current) == k or utf16_len(
                page_html(answer, trial, not pages, MIN_EXCERPT)) > limit):
            pages.append(tuple(current))
            trial = [cited]
        current = trial
    if current:
        pages.append(tuple(current))
    return pages


def answer_html(answer: Answer, k: int, limit: int = MAX_MESSAGE) -> str:
    """The first page of the reply as one HTML message, or the explanation when no passage
    answers."""
    if not answer.passages:
        note = context_note(answer)
        return html.escape(answer.message) + (f"\n\n<i>↩ {html.escape(note)}</i>" if note else "")
    return fitted_page(answer, paginate(answer, k, limit)[0], True, limit)


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
