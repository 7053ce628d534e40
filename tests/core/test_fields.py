"""Citation fields bounded: any length in, a field a reply can show out."""

from __future__ import annotations

import pytest

from bot.core import fields
from bot.core.splitting import width


def test_short_fields_pass_unchanged_but_for_white_space() -> None:
    assert fields.title("  River   festival\n2024 ") == "River festival 2024"
    assert fields.source("Example Times") == "Example Times" and fields.source(None) is None
    assert fields.url("https://example.org/a?b=1") == "https://example.org/a?b=1"


@pytest.mark.parametrize("text", ["word " * 1_000, "社" * 1_000, "x" * 1_000, "a, " * 400])
def test_long_titles_are_cut_with_an_ellipsis(text: str) -> None:
    out = fields.title(text)
    assert len(out) <= fields.MAX_TITLE and out.endswith(fields.ELLIPSIS)
    assert out[:-1].rstrip() == out[:-1] and text.startswith(out[:10])


def test_a_word_is_not_cut_in_the_middle_when_an_end_is_near() -> None:
    out = fields.title("harbour " * 100)
    assert out == ("harbour " * 19).strip() + fields.ELLIPSIS


def test_urls_too_long_or_with_spaces_are_dropped() -> None:
    assert fields.url("https://example.org/" + "x" * fields.MAX_URL) is None
    assert fields.url("https://example.org/a b") is None and fields.url("") is None


def test_long_ids_stay_distinct_and_stable() -> None:
    a, b = "folder/" + "a" * 300 + "1.txt", "folder/" + "a" * 300 + "2.txt"
    assert len(fields.doc_id(a)) <= fields.MAX_ID
    assert fields.doc_id(a) != fields.doc_id(b) and fields.doc_id(a) == fields.doc_id(a)
    assert fields.doc_id("notes/a.txt") == "notes/a.txt"


def test_a_chinese_title_is_bounded_in_display_columns() -> None:
    out = fields.title("社区图书馆开放通知" * 40)
    assert width(out) <= fields.MAX_TITLE and out.endswith(fields.ELLIPSIS)
    assert len(out) <= fields.MAX_TITLE // 2 + 1  # a Han character takes two columns
