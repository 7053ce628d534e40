"""Bytes of one file in, a cleaned Document with citation metadata out (no I/O here).

Decoding uses charset-normalizer, front matter python-frontmatter, HTML main-text
extraction trafilatura (the extractor behind many web-corpus projects) and PDF text pypdf, so
none of that is hand-written.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import logging
import re
from typing import Any

import charset_normalizer
import frontmatter
import yaml

from bot.core import cleaning, fields
from bot.core.marks import LABEL_END, SECTION
from bot.sources import markdown_files, metadata, office, sheets
from bot.sources.errors import DocumentError
from bot.core.models import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
# Office files and e-books, each read by its format's own library (office.py, sheets.py).
OFFICE_READERS = {".docx": office.read_docx, ".pptx": office.read_pptx, ".odt": office.read_odt,
                  ".epub": office.read_epub, ".xlsx": sheets.read_xlsx}
CSV_SUFFIXES = frozenset({".csv"})
# Formats taken in only to be refused with the way out: old binary Office files and macro-
# enabled ones (whose macros the bot never runs, and whose readers refuse them).
REFUSED_SUFFIXES = {
    ".doc": "an old binary Word file: save it as .docx (File > Save As) and add that",
    ".ppt": "an old binary PowerPoint file: save it as .pptx (File > Save As) and add that",
    ".xls": "an old binary Excel file: save it as .xlsx (File > Save As) and add that",
    ".docm": "a macro-enabled Word file: save it as .docx (macros are never run) and add that",
    ".pptm": "a macro-enabled PowerPoint file: save it as .pptx and add that",
    ".xlsm": "a macro-enabled Excel file: save it as .xlsx (macros are never run) and add that",
}
# What the folder scan and uploads take: the refused ones too, so their reason is reported.
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | frozenset(OFFICE_READERS)
                      | CSV_SUFFIXES | frozenset(REFUSED_SUFFIXES))
# Formats whose structure the reader gives (headings, slides, rows): their text is normalised
# but no line is dropped as site chrome or taken for a dateline.
STRUCTURED_SUFFIXES = frozenset(OFFICE_READERS) | CSV_SUFFIXES
# The mark each reader leaves (bot/core/marks.py): rows' labels end in one, sections start
# with the other. Normalising removes both, so it works between them.
_MARKS = {".xlsx": LABEL_END, ".csv": LABEL_END}
# PDF document-information keys read as citation data; uploads write the same keys.
PDF_META_KEYS = {"title": "/Title", "url": "/URL", "source": "/Source"}

# Citation fields need a few lines; a bigger block is a mistake or an attack on the parser.
MAX_FRONT_MATTER = 16 * 1024

# Encodings tried when a file is not UTF-8: the Chinese ones the issue names, UTF-16 without
# a byte-order mark, and the Western default of old Windows tools.
_FALLBACK_ENCODINGS = ["gb18030", "big5", "utf_16", "utf_16_le", "utf_16_be", "cp1252"]
_JUNK = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_MAX_JUNK_RATIO = 0.02


def content_hash(data: bytes) -> str:
    """Stable hash of a file's bytes, used to skip unchanged files on reload."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8, by byte-order mark, or by detection; raise DocumentError if none fits."""
    if not data.strip():
        raise DocumentError("empty file")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF32_LE, "utf-32")):
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec))
            except UnicodeDecodeError as exc:
                raise DocumentError(f"broken {codec} text: {exc.reason}") from exc
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        # A file cut off in the middle of a character is still worth reading.
        if exc.start >= len(data) - 3 and exc.start > 0:
            return _checked(data[: exc.start].decode("utf-8"))
    best = charset_normalizer.from_bytes(data, cp_isolation=_FALLBACK_ENCODINGS).best()
    if best is None:
        raise DocumentError("not text in UTF-8 or any encoding that could be detected")
    return _checked(str(best), best.encoding)


def _checked(text: str, encoding: str = "utf-8") -> str:
    junk = len(_JUNK.findall(text))
    if junk > _MAX_JUNK_RATIO * max(len(text), 1):
        raise DocumentError(f"looks binary ({junk} control or invalid characters as {encoding})")
    return text


def _as_text(value: Any) -> str | None:
    """A stated scalar as text; anything else (a list, a mapping) is not a title or a URL."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return text or None


class _Refused(ValueError):
    """Front matter that is YAML but not what citation fields need: left out of the text."""


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors' aliases: nine nested aliases in 500 bytes ("a billion laughs")
    make a value of gigabytes once it is turned into text, and citation fields need none."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed in front matter")
        return super().compose_node(parent, index)


class _FrontMatter(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler with the alias-free loader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        if len(fm) > MAX_FRONT_MATTER:
            raise _Refused(f"front matter over {MAX_FRONT_MATTER // 1024} KB")
        return super().load(fm, Loader=_NoAliases)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between --- lines, and the text after it. A block that does not parse
    is kept as text (it may be prose between two rules), never fatal; one refused (aliases, too
    big) is left out; only a mapping at the top counts as fields."""
    if not text.lstrip("\ufeff").startswith("---"):
        return {}, text
    handler = _FrontMatter()
    try:
        post = frontmatter.loads(text, handler=handler)
    except _Refused as exc:
        log.warning("ignoring front matter: %s", exc)
        return {}, handler.split(text.lstrip("\ufeff").strip())[1].strip()
    except Exception as exc:  # the YAML parser raises many types
        log.warning("ignoring unreadable front matter: %s", exc)
        return {}, text
    return dict(post.metadata), post.content


def _extract_html(html: str) -> tuple[dict[str, Any], str]:
    """Main text and page metadata (title, date, site name, canonical URL) of an HTML page."""
    import trafilatura  # heavy import, only needed for HTML

    result = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    if result is None or not (result.text or "").strip():
        raise DocumentError("no main text found in the HTML")
    meta = {"title": result.title, "date": result.date, "source": result.sitename,
            "url": result.url}
    return {k: v for k, v in meta.items() if v}, result.text


def _extract_pdf(data: bytes) -> tuple[dict[str, Any], str]:
    """The text layer of a PDF, page by page, and its title, URL and source if it states them."""
    import pypdf  # only needed for PDF

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # many "encrypted" PDFs only restrict printing
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, Any] = dict(reader.metadata or {})
        meta = {key: info.get(name) for key, name in PDF_META_KEYS.items()}
    except Exception as exc:  # pypdf raises many types on broken or locked files
        raise DocumentError(f"unreadable PDF: {exc}") from exc
    text = _checked("\n\n".join(pages), "PDF text")
    if not text.strip():
        raise DocumentError("no text in the PDF (a scan without a text layer?)")
    return {k: str(v) for k, v in meta.items() if v}, text


def parse(rel_path: str, data: bytes) -> Document:
    """Turn one file's bytes into a Document, or raise DocumentError with the reason."""
    suffix = "." + rel_path.rsplit(".", 1)[-1].lower() if "." in rel_path else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type {suffix or '(none)'}")
    if suffix in REFUSED_SUFFIXES:
        raise DocumentError(REFUSED_SUFFIXES[suffix])
    if suffix in STRUCTURED_SUFFIXES:
        return _structured(rel_path, suffix, data)
    if suffix in PDF_SUFFIXES:
        stated, body = _extract_pdf(data)
    else:
        stated, body = split_front_matter(decode(data))
    if suffix in HTML_SUFFIXES:
        page_meta, body = _extract_html(body)
        stated = {**page_meta, **stated}
    markdown = markdown_files.read(body) if suffix in MARKDOWN_SUFFIXES else None
    cleaned = cleaning.clean(markdown.text if markdown else body)
    inferred = metadata.infer(cleaned)
    # Markdown is written, not scraped: every line of it is kept, headings marked.
    text = (markdown_files.marked(markdown, re.sub(r"\n{3,}", "\n\n", cleaned).strip())
            if markdown else inferred.body)
    if not text.strip():
        raise DocumentError("no text left after cleaning")

    url = fields.url(_as_text(stated.get("url") or stated.get("source_url") or stated.get("link")))
    title = (
        _as_text(stated.get("title"))
        or (markdown.title if markdown else None)
        or inferred.title
        or rel_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    )
    return Document(
        id=fields.doc_id(_as_text(stated.get("id")) or rel_path),
        title=fields.title(cleaning.clean_question(title)),
        text=text,
        source=fields.source(
            _as_text(stated.get("source") or stated.get("publisher")) or inferred.source),
        url=url,
        date=fields.date(
            _as_text(stated.get("date")) or metadata.date_from_url(url) or inferred.date),
        path=rel_path,
        content_hash=content_hash(data),
    )


def _structured(rel_path: str, suffix: str, data: bytes) -> Document:
    """An Office file, e-book or CSV: the reader's text kept line for line (a short row or
    heading is content here, not a web page's chrome), its stated title and date first."""
    if suffix in CSV_SUFFIXES:
        stated: dict[str, Any] = {}
        body = sheets.read_csv(decode(data))
    else:
        stated, body = OFFICE_READERS[suffix](data)
    mark = _MARKS.get(suffix, SECTION)
    body = mark.join(cleaning.normalise(part) for part in _checked(body, suffix).split(mark))
    text = re.sub(r"\n{3,}", "\n\n", body).strip()
    if not text:
        raise DocumentError(f"no text in the {suffix} file")
    first_line = text.split("\n", 1)[0]
    title = (_as_text(stated.get("title"))
             or (first_line if suffix not in CSV_SUFFIXES | {".xlsx"}
                 and metadata.is_meaningful_title(first_line) else None)
             or rel_path.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    return Document(
        id=fields.doc_id(rel_path),
        title=fields.title(cleaning.clean_question(title)),
        text=text,
        source=None,
        url=fields.url(_as_text(stated.get("url"))),
        date=fields.date(_as_text(stated.get("date"))),
        path=rel_path,
        content_hash=content_hash(data),
    )
