"""Real Office files and e-books built with the libraries that write them, for the tests and
benchmarks/office_formats.py: bytes in memory, nothing from the network."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

CREATED = dt.datetime(2024, 3, 5, 9, 0)


def make_docx(title: str | None, blocks: Sequence[tuple[str, str]],
              table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word file of ("h1" | "p", text) blocks and an optional table, with core properties."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind == "p":
            document.add_paragraph(text)
        else:
            document.add_heading(text, level=int(kind[1:]))
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.core_properties.title = title or ""
    document.core_properties.created = CREATED
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pptx(title: str | None, slides: Sequence[tuple[str, Sequence[str]]]) -> bytes:
    """A deck of (slide title, bullet points) slides."""
    import pptx

    deck = pptx.Presentation()
    layout = deck.slide_layouts[1]  # "Title and Content"
    for heading, points in slides:
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = heading
        frame = slide.placeholders[1].text_frame
        frame.text = points[0]
        for point in points[1:]:
            frame.add_paragraph().text = point
    deck.core_properties.title = title or ""
    deck.core_properties.created = CREATED
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_xlsx(sheets: dict[str, Sequence[Sequence[object]]], title: str | None = None) -> bytes:
    """A workbook of named sheets, each a list of rows (the first one its header)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    book.properties.title = title
    book.properties.created = CREATED
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_odt(title: str | None, blocks: Sequence[tuple[str, str]]) -> bytes:
    """An OpenDocument text of ("h1" | "p", text) blocks."""
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    for kind, value in blocks:
        if kind == "p":
            document.text.addElement(text.P(text=value))
        else:
            document.text.addElement(text.H(outlinelevel=int(kind[1:]), text=value))
    if title:
        document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(meta.CreationDate(text=CREATED.isoformat()))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def make_epub(title: str, chapters: Sequence[tuple[str, Sequence[str]]],
              language: str = "en") -> bytes:
    """An e-book of (chapter heading, paragraphs) chapters."""
    import os
    import tempfile

    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title(title)
    book.set_language(language)
    book.add_metadata("DC", "date", CREATED.date().isoformat())
    items = []
    for n, (heading, paragraphs) in enumerate(chapters, start=1):
        item = epub.EpubHtml(title=heading, file_name=f"chap{n}.xhtml", lang=language)
        item.content = f"<h1>{heading}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    # ebooklib writes to a path only.
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "book.epub")
        epub.write_epub(path, book)
        with open(path, "rb") as f:
            return f.read()


def zip_bomb(name: str = "word/document.xml", size: int = 300 * 2**20) -> bytes:
    """A zip whose one part inflates from a few hundred KB to `size` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w") as part:
            chunk = b"\0" * 2**20
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return out.getvalue()
