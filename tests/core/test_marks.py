"""The marks readers leave: a row's label is read back only where a reader put its mark."""

from __future__ import annotations

from bot.core.cleaning import normalise
from bot.core.marks import LABEL_END, SECTION, label_at

ROWS = (f"Phones, row 2{LABEL_END}: Name: Lee Mei · Phone: 6152 0695\n"
        f"Phones, row 3{LABEL_END}: Name: Wong Tai · Phone: 6123 4567; closed Mondays")


def test_the_label_is_that_of_the_line_holding_the_position() -> None:
    assert label_at(ROWS, 0) == "Phones, row 2"
    assert label_at(ROWS, ROWS.index("Wong")) == "Phones, row 3"
    assert label_at(ROWS, ROWS.index("closed")) == "Phones, row 3"  # a row's second sentence
    assert label_at(ROWS, len(ROWS)) == "Phones, row 3"


def test_prose_that_reads_like_a_row_has_no_label() -> None:
    prose = "Phones, row 3: Name: Wong Tai · Phone: 6123 4567\nNote: the rest follows."
    assert label_at(prose, 10) is None and label_at(prose, prose.index("Note")) is None


def test_cleaning_removes_both_marks_from_any_text() -> None:
    assert normalise(f"a{SECTION}b{LABEL_END}c") == "abc"
