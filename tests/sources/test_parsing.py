from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import fields, language
from bot.core.marks import SECTION
from bot.sources.parsing import DocumentError, decode, parse
from tests.conftest import EN_SEED, SEEDS, ZH_SEED, make_pdf

CHINESE = "東原社區實際居住居民6126戶18000余人,其中特保人員就達到了400余名。" * 3


def test_seeds_get_real_citation_data() -> None:
    en = parse(EN_SEED, (SEEDS / EN_SEED).read_bytes())
    assert en.title == "Volunteers Offer Hearty Support in Fight against COVID-19 Resurgence"
    assert en.source == "iChongqing"
    assert en.date == "2022-11-18"  # from the article URL stated in front matter
    assert en.url and en.url.startswith("https://www.ichongqing.info/2022/11/18/")
    zh = parse(ZH_SEED, (SEEDS / ZH_SEED).read_bytes())
    assert zh.title.endswith("王小容:從水利標兵到戰疫女兵")
    assert (zh.source, zh.date) == ("城鄉統籌發展網", "2022-11-24")
    assert zh.id == ZH_SEED and en.id == EN_SEED


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("gb18030", language.to_simplified(CHINESE)),
        ("big5", CHINESE.replace("余", "餘")),
        ("utf-16", CHINESE),  # with a byte-order mark
        ("utf-16-le", CHINESE),  # without one
        ("utf-8-sig", CHINESE),
    ],
)
def test_non_utf8_files_are_decoded(encoding: str, text: str) -> None:
    assert decode(text.encode(encoding)) == text


def test_truncated_utf8_keeps_what_is_there() -> None:
    data = CHINESE.encode("utf-8")[:-1]
    assert decode(data) == CHINESE[:-1]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (os.urandom(4096), "not text|binary"),
        (b"\x00\x01\x02\x03" * 500, "binary|not text"),
        (codecs.BOM_UTF8 + b"\xff\xfe broken", "broken"),
    ],
)
def test_undecodable_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        decode(data)


def test_front_matter_states_metadata() -> None:
    text = (
        "---\ntitle: Opening hours\nsource: Community Centre\nurl: https://example.org/hours\n"
        "date: 2024-03-01\nid: hours\n---\nWe open at nine every weekday and close at six.\n"
    )
    doc = parse("notes/hours.md", text.encode())
    assert (doc.id, doc.title, doc.source, doc.url, doc.date) == (
        "hours", "Opening hours", "Community Centre", "https://example.org/hours", "2024-03-01"
    )
    assert doc.text == "We open at nine every weekday and close at six."


def test_broken_front_matter_is_kept_as_text() -> None:
    text = "---\ntitle: [unclosed\n---\nThe library lends books for three weeks at a time.\n"
    doc = parse("a.txt", text.encode())
    assert "three weeks" in doc.text


def test_html_main_text_and_metadata() -> None:
    html = """<html><head><title>Ignored - Site</title>
    <meta property="og:site_name" content="Example News">
    <meta name="date" content="2023-05-02"></head>
    <body><nav>Home | About | Contact</nav>
    <article><h1>River festival returns after three years</h1>
    <p>The river festival returned to the old town on Saturday, drawing thousands of visitors
    to the waterfront for boat races and lantern displays.</p>
    <p>Organisers said the boat races would be held again next spring if the weather allows.</p>
    </article><footer>Copyright 2023 Example News</footer></body></html>"""
    doc = parse("news/river.html", html.encode())
    assert doc.title == "River festival returns after three years"
    assert doc.source == "Example News"
    assert doc.date == "2023-05-02"
    assert "boat races" in doc.text
    assert "Home | About" not in doc.text and "Copyright" not in doc.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.html", b"<html><body></body></html>", "no main text"),
        ("chrome.txt", "渝ICP备20009753号\nI Agree\n".encode(), "no text left"),
        ("picture.png", b"\x89PNG\r\n", "unsupported"),
    ],
)
def test_documents_without_content_are_refused(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        parse(name, data)


def test_content_hash_is_stable() -> None:
    data = (SEEDS / EN_SEED).read_bytes()
    assert parse("a.txt", data).content_hash == parse("b.txt", data).content_hash


def test_pdf_text_and_stated_title() -> None:
    data = make_pdf(["The bike shed opens at eight (weekdays).", "Bring your own lock."],
                    title="Bike shed rules")
    doc = parse("sheds/bike.pdf", data)
    assert doc.title == "Bike shed rules"
    assert "The bike shed opens at eight (weekdays)." in doc.text
    assert "Bring your own lock." in doc.text
    assert doc.id == "sheds/bike.pdf"


def test_pdf_without_a_title_is_named_from_its_text() -> None:
    first = "Opening hours of the Riverside community library in 2024"
    doc = parse("notes.pdf", make_pdf([first, "The library opens at nine."]))
    assert doc.title == first


@pytest.mark.parametrize(
    ("data", "reason"),
    [(make_pdf([]), "no text in the PDF"), (b"%PDF-1.4 broken" + os.urandom(200), "unreadable PDF")],
)
def test_pdf_without_text_or_broken_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        parse("scan.pdf", data)


@pytest.mark.parametrize("suffix", ["txt", "md", "html", "pdf"])
def test_stated_citation_fields_are_bounded_whatever_the_format(suffix: str) -> None:
    title, url, source = "Minutes " * 600, "https://example.org/" + "x" * 2_000, "S" * 2_000
    body = "The council meets on the first Monday of every month in the town hall."
    if suffix == "pdf":
        data = make_pdf([body], title=title)
    elif suffix == "html":
        data = (f"<html><head><title>{title}</title><link rel='canonical' href='{url}'></head>"
                f"<body><article><p>{body}</p></article></body></html>").encode()
    else:
        data = (f"---\ntitle: {title}\nurl: {url}\nsource: {source}\nid: {'i' * 500}\n---\n"
                f"{body}\n").encode()
    doc = parse(f"minutes.{suffix}", data)
    assert len(doc.title) <= fields.MAX_TITLE and doc.title.startswith("Minutes Minutes")
    assert doc.url is None and len(doc.source or "") <= fields.MAX_SOURCE
    assert len(doc.id) <= fields.MAX_ID and body in doc.text


def test_front_matter_aliases_and_oversized_blocks_are_left_out() -> None:
    bomb = ("---\na: &a [lol, lol, lol]\nb: &b [*a, *a, *a]\ntitle: *b\n---\n"
            "Pool rules: no running on the wet tiles.\n")
    doc = parse("pool.md", bomb.encode())
    assert "lol" not in doc.text and doc.title == "Pool rules: no running on the wet tiles."
    big = "---\nnotes: " + "n" * 20_000 + "\ntitle: Big\n---\nThe pool opens at seven each day.\n"
    doc = parse("big.md", big.encode())
    assert doc.title != "Big" and "nnnn" not in doc.text


def test_only_scalars_count_as_citation_fields() -> None:
    doc = parse("x.md", b"---\ntitle: [a, b]\nurl: {k: v}\ndate: 2024-03-05\nid: 42\n---\n"
                        b"Bins are collected every Tuesday morning before eight.\n")
    assert doc.title == "Bins are collected every Tuesday morning before eight."
    assert doc.url is None and doc.date == "2024-03-05" and doc.id == "42"


def test_markdown_headings_are_marked_and_name_the_document() -> None:
    text = ("# Community centre\n\nOpen to all.\n\n## Weekdays\n\nWe open at nine.\n\n"
            "```sh\n# not a heading\n```\n\nWeekends\n========\n\nWe open at ten.\n"
            "## 周末\n\n周末十点开门。\n- # in a list\n").encode()
    doc = parse("hours.md", text)
    assert doc.title == "Community centre"  # its first heading, short as it is
    marked = [line for line in doc.text.split("\n") if line.startswith(SECTION)]
    assert marked == [f"{SECTION}Community centre", f"{SECTION}Weekdays", f"{SECTION}Weekends",
                      f"{SECTION}周末"]
    lines = doc.text.replace(SECTION, "").split("\n")
    # Nothing a person wrote is dropped as chrome: short lines and code stay, markers go.
    assert {"Open to all.", "# not a heading", "- # in a list"} <= set(lines)
    assert "========" not in lines and "## Weekdays" not in lines


def test_a_heading_after_text_does_not_name_the_document() -> None:
    text = "Opening hours of the community centre\n\n# Weekdays\n\nWe open at nine.\n"
    assert parse("hours.md", text.encode()).title == "Opening hours of the community centre"


@given(st.lists(st.sampled_from(["# Head", "Head", "===", "text here.", "", "```", "  # x",
                                 "- item", "> quote", "文字。"]), max_size=30))
def test_markdown_keeps_every_line_but_heading_markers(lines: list[str]) -> None:
    data = ("Title of the notes page\n" + "\n".join(lines)).encode()
    text = parse("a.md", data).text.replace(SECTION, "").split("\n")
    # Each line of the plain-text reading is there, in order, bar the heading markers.
    plain = [line.lstrip("#").strip() for line in parse("a.txt", data).text.split("\n")]
    it = iter(line.lstrip("#").strip() for line in text)
    assert all(any(line == other for other in it) for line in plain if line and line != "===")
