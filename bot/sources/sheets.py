"""Spreadsheets (.xlsx through openpyxl, .csv through the standard library) read cell by cell,
each row a line that names its sheet and row and keeps its column names:

    Phones, row 3: Name: Lee Mei · Phone: 6152 0695 · Opening hours: 9-18

A row is one line and one sentence, so the passage that holds it is found by the row's words,
and the answering sentence shown under the citation is the row, with sheet and row in it. The
label ("Phones, row 3") ends in marks.LABEL_END, unseen, so the citation can name the row
instead of the passage. The first non-empty row of a sheet is its header. Bytes or text in,
text out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from bot.core.marks import LABEL_END
from bot.sources.containers import checked_zip
from bot.sources.errors import DocumentError

# Non-empty cells read from one file: a phone list or a timetable is far below; a data dump
# of millions of cells is not a document to answer from, and would hold a reload for minutes.
MAX_CELLS = 200_000
# One cell's text: a longer one is a pasted document, cut so a row stays a readable line.
MAX_CELL_CHARS = 2_000


def cell_text(value: Any) -> str:
    """A cell's value as it reads: whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return plain(str(value))[:MAX_CELL_CHARS]


def plain(text: str) -> str:
    """Text of a cell or a sheet's name on one line, without the mark that ends a row's label
    (cleaning would remove it anyway; here it must not pass for one)."""
    return " ".join(text.replace(LABEL_END, "").split())


def row_line(label: str, header: list[str], cells: list[str]) -> str | None:
    """One row as "label: Column: value · Column: value", LABEL_END after the label; a column
    without a name gives its value alone. None for an empty row."""
    pairs = [f"{header[i]}: {c}" if i < len(header) and header[i] else c
             for i, c in enumerate(cells) if c]
    return f"{label}{LABEL_END}: {' · '.join(pairs)}" if pairs else None


def sheet_lines(sheet: str | None, rows: Iterable[tuple[int, list[str]]],
                budget: list[int]) -> Iterator[str]:
    """Lines of one sheet's numbered rows, the header taken from the first non-empty one;
    `budget` (cells left to read, shared by the file's sheets) raises when it runs out."""
    header: list[str] | None = None
    for number, cells in rows:
        filled = sum(1 for c in cells if c)
        if not filled:
            continue
        budget[0] -= filled
        if budget[0] < 0:
            raise DocumentError(f"a spreadsheet of more than {MAX_CELLS} filled cells: "
                                "split it, or keep only the rows worth answering from")
        if header is None:
            header = cells
            continue
        label = f"{sheet}, row {number}" if sheet else f"Row {number}"
        line = row_line(label, header, cells)
        if line:
            yield line


def read_xlsx(data: bytes) -> tuple[dict[str, Any], str]:
    """Every sheet's rows, with the workbook's title and creation date."""
    checked_zip(data, "Excel workbook")
    import openpyxl  # only needed for .xlsx

    budget = [MAX_CELLS]
    try:
        # read_only streams rows instead of building every cell; data_only gives the values
        # Excel last computed, not formulas.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            blocks = []
            for ws in book.worksheets:
                rows = ((n, [cell_text(v) for v in values])
                        for n, values in enumerate(ws.iter_rows(values_only=True), start=1))
                blocks.append("\n".join(sheet_lines(plain(ws.title), rows, budget)))
            props = book.properties
            stated = {"title": (props.title or "").strip() or None, "date": props.created}
        finally:
            book.close()
    except DocumentError:
        raise
    except Exception as exc:  # openpyxl raises many types on broken or macro-only workbooks
        raise DocumentError(f"unreadable Excel workbook: {exc}") from exc
    return stated, "\n\n".join(b for b in blocks if b)


def read_csv(text: str) -> str:
    """A CSV file's rows (comma, semicolon, tab or bar separated, as sniffed)."""
    sample = text[:64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = ((n, [cell_text(v) for v in cells])
                for n, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1))
        return "\n".join(sheet_lines(None, rows, [MAX_CELLS]))
    except csv.Error as exc:
        raise DocumentError(f"unreadable CSV: {exc}") from exc
