"""Text and stated metadata of Word, PowerPoint, OpenDocument text and EPUB files, read with
each format's own library (python-docx, python-pptx, odfpy, ebooklib): no converter between.

Every reader returns (stated fields, text) in one layout the splitter already understands: a
heading stands alone between blank lines and starts a section (splitting.SECTION), so the
passages of a section start at its heading and never run into the next; a paragraph, list item
or table row is a line; a slide is one line, its title first, so the title stays with its text
in whatever passage holds it. Bytes in, text out; the zip is checked first
(containers.py) so a bomb is never unpacked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from bot.core.language import HAN_CHAR
from bot.core.marks import SECTION
from bot.sources.containers import checked_zip
from bot.sources.errors import DocumentError

# A line ending one of these already ends a sentence; others (bullets, headings) get one, so a
# slide's title and points do not run together into one "sentence".
_TERMINATORS = ".!?。！？;；:：…”’\"')）」』"
_HEADING_STYLE = re.compile(r"^(?:heading|title|标题|標題)\b", re.IGNORECASE)


def heading(text: str) -> str:
    """A heading as its own paragraph, starting a section."""
    return f"\n\n{SECTION}{text.strip()}\n\n"


def as_sentence(text: str) -> str:
    """The text ending in a sentence terminator (a Chinese one after Han text)."""
    text = text.strip()
    if not text or text[-1] in _TERMINATORS:
        return text
    return text + ("。" if HAN_CHAR.match(text[-1]) else ".")


def run_on(sentences: Iterable[str]) -> str:
    """Sentences as one line: a space after a Latin terminator, none after a Chinese one."""
    out = ""
    for sentence in (as_sentence(s) for s in sentences):
        if sentence:
            out += (" " if out and not HAN_CHAR.match(out[-2:-1] or "") else "") + sentence
    return out


def _joined(blocks: Iterable[str]) -> str:
    # Stripped of line breaks only: a chapter that starts with its heading keeps the mark.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(b for b in blocks if b.strip())).strip("\n ")


def first_heading(blocks: Iterable[str]) -> str | None:
    """The first heading of the blocks, the document's name when none is stated."""
    return next((b.strip() for b in blocks if SECTION in b and b.strip()), None)


# Files whose core properties (docProps/core.xml) an upload's caption is written into: their
# libraries save every other part as it was. openpyxl would drop charts and images on saving.
CORE_PROPERTY_SUFFIXES = frozenset({".docx", ".pptx"})


def _core_meta(props: Any) -> dict[str, Any]:
    """Title, creation date and URL (the identifier, when it is one) from OOXML core
    properties (docProps/core.xml)."""
    identifier = (props.identifier or "").strip()
    return {"title": (props.title or "").strip() or None, "date": props.created,
            "url": identifier if identifier.lower().startswith(("http://", "https://")) else None}


def with_core_properties(suffix: str, data: bytes, fields: dict[str, str]) -> bytes:
    """A Word file or deck with an upload caption's title, URL and date in its properties."""
    import datetime as dt

    checked_zip(data, "Office file")
    try:
        if suffix == ".docx":
            import docx

            opened: Any = docx.Document(io.BytesIO(data))
        else:
            import pptx

            opened = pptx.Presentation(io.BytesIO(data))
        props = opened.core_properties
        if fields.get("title"):
            props.title = fields["title"]
        if fields.get("url"):
            props.identifier = fields["url"]
        if fields.get("date"):
            try:
                props.created = dt.datetime.fromisoformat(fields["date"][:10])
            except ValueError:
                pass  # a date that is not YYYY-MM-DD stays out, the rest goes in
        out = io.BytesIO()
        opened.save(out)
    except Exception as exc:  # the libraries raise many types on broken files
        raise DocumentError(f"unreadable {suffix} file: {exc}") from exc
    return out.getvalue()


def _table_lines(rows: list[list[str]]) -> Iterator[str]:
    """A table's rows after the first as "Header: value · Header: value" lines."""
    if not rows:
        return
    header, *body = rows
    if not body:
        yield " · ".join(c for c in header if c)
        return
    for cells in body:
        pairs = [f"{header[i]}: {c}" if i < len(header) and header[i] else c
                 for i, c in enumerate(cells) if c]
        if pairs:
            yield " · ".join(pairs)


def read_docx(data: bytes) -> tuple[dict[str, Any], str]:
    """A Word file's headings, paragraphs and tables in order, with its title and date."""
    checked_zip(data, "Word file")
    import docx  # only needed for .docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                rows = [[cell.text.strip() for cell in row.cells] for row in item.rows]
                blocks.extend(_table_lines(rows))
                continue
            text = item.text.strip()
            style = item.style.name if item.style is not None else ""
            blocks.append(heading(text) if _HEADING_STYLE.match(style or "") else text)
        meta = _core_meta(document.core_properties)
        meta["title"] = meta["title"] or first_heading(blocks)
    except Exception as exc:  # python-docx and lxml raise many types on broken parts
        raise DocumentError(f"unreadable Word file: {exc}") from exc
    return meta, _joined(blocks)


def _shape_texts(shapes: Iterable[Any]) -> Iterator[str]:
    """Text of a slide's shapes, groups and tables included, in the deck's order."""
    for shape in shapes:
        if shape.shape_type is not None and getattr(shape, "shapes", None) is not None:
            yield from _shape_texts(shape.shapes)  # a group
        elif getattr(shape, "has_table", False) and shape.has_table:
            rows = [[c.text.strip() for c in row.cells] for row in shape.table.rows]
            yield from _table_lines(rows)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            for para in shape.text_frame.paragraphs:
                text = "".join(run.text for run in para.runs).strip()
                if text:
                    yield text


def read_pptx(data: bytes) -> tuple[dict[str, Any], str]:
    """A deck, one line a slide: its title, then its points and tables, then speaker notes."""
    checked_zip(data, "PowerPoint file")
    import pptx  # only needed for .pptx

    try:
        deck = pptx.Presentation(io.BytesIO(data))
        slides = []
        for slide in deck.slides:
            title_shape = slide.shapes.title
            title = title_shape.text_frame.text.strip() if title_shape is not None else ""
            others = [s for s in slide.shapes if title_shape is None
                      or s.shape_id != title_shape.shape_id]
            texts = list(_shape_texts(others))
            if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
                texts.append(slide.notes_slide.notes_text_frame.text.strip())
            slides.append(run_on([title, *texts]))
        meta = _core_meta(deck.core_properties)
    except Exception as exc:  # python-pptx and lxml raise many types on broken parts
        raise DocumentError(f"unreadable PowerPoint file: {exc}") from exc
    return meta, "\n\n".join(s for s in slides if s)


def read_odt(data: bytes) -> tuple[dict[str, Any], str]:
    """An OpenDocument text's headings and paragraphs in order, with its title and date."""
    checked_zip(data, "OpenDocument file")
    from odf import dc, meta, teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    def walk(node: Any) -> Iterator[str]:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname == (TEXTNS, "h"):
                yield heading(teletype.extractText(child))
            elif child.qname == (TEXTNS, "p"):
                yield teletype.extractText(child).strip()
            else:
                yield from walk(child)

    try:
        document = load(io.BytesIO(data))
        blocks = list(walk(document.text))
        text = _joined(blocks)
        titles = document.meta.getElementsByType(dc.Title)
        dates = (document.meta.getElementsByType(meta.CreationDate)
                 or document.meta.getElementsByType(dc.Date))
        stated = {"title": (teletype.extractText(titles[0]).strip() if titles else None)
                  or first_heading(blocks),
                  "date": teletype.extractText(dates[0]).strip()[:10] if dates else None}
    except Exception as exc:  # odfpy raises many types on broken files
        raise DocumentError(f"unreadable OpenDocument file: {exc}") from exc
    return stated, text


_BLOCKS = frozenset({"p", "li", "dt", "dd", "blockquote", "pre", "tr", "caption", "figcaption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _xhtml_blocks(markup: bytes) -> Iterator[str]:
    """Headings and paragraphs of one XHTML chapter, outermost blocks only."""
    import lxml.html

    root = lxml.html.fromstring(markup)
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in _BLOCKS and tag not in _HEADINGS:
            continue
        if any(a.tag in _BLOCKS or a.tag in _HEADINGS for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if tag == "tr":
            text = " · ".join(" ".join(td.text_content().split()) for td in element)
        yield heading(text) if tag in _HEADINGS else text


def read_epub(data: bytes) -> tuple[dict[str, Any], str]:
    """An e-book's chapters in reading order, with its title and date."""
    checked_zip(data, "EPUB e-book")
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
        chapters = []
        for item_id, _linear in book.spine:
            item = book.get_item_with_id(item_id)
            # The navigation page only repeats the chapter headings.
            if (item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT
                    and not isinstance(item, epub.EpubNav)):
                chapters.append(_joined(_xhtml_blocks(item.get_content())))
        titles = book.get_metadata("DC", "title")
        dates = book.get_metadata("DC", "date")
        stated = {"title": titles[0][0] if titles else None,
                  "date": str(dates[0][0])[:10] if dates else None}
    except Exception as exc:  # ebooklib and lxml raise many types on broken books
        raise DocumentError(f"unreadable EPUB e-book: {exc}") from exc
    return stated, "\n\n".join(c for c in chapters if c)
