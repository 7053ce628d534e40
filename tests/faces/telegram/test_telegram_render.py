from __future__ import annotations

import pytest

from bot.core.models import Answer, CitedPassage, Hit, Span, Status, StoredPassage
from bot.faces.telegram.limits import QuestionLimiter
from bot.faces.telegram.render import (
    MAX_MESSAGE,
    answer_messages,
    citation_html,
    context_message,
    split_plain,
    strip_html,
    utf16_len,
)
from bot.faces.telegram.results import ResultStore
from tests.faces.telegram.test_telegram_bot import assert_telegram_html


def _passage(n: int, text: str, url: str | None = "https://e.org/a?x=1&y=\"2\"") -> StoredPassage:
    return StoredPassage(id=n, doc_id="d", position=n, count=9, text=text,
                         title="Cats & <Dogs>", source="Desk", url=url, date="2024-01-01")


def _answer(texts: list[str], language: str = "en") -> Answer:
    cited = tuple(
        CitedPassage(i + 1, Hit(_passage(i + 1, t), 1.0, i + 1), Span(0, min(10, len(t))))
        for i, t in enumerate(texts)
    )
    return Answer("q", language, False, Status.ANSWERED, "m", cited)


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3 and utf16_len("中文") == 2 and utf16_len("😀") == 2


def test_document_text_is_escaped() -> None:
    (text,) = answer_messages(_answer(["<b>bold?</b> & <script>x</script>"]))
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert '<a href="https://e.org/a?x=1&amp;y=&quot;2&quot;">Cats &amp; &lt;Dogs&gt;</a>' in text
    assert_telegram_html(text)


@pytest.mark.parametrize("char", ["a", "中", "😀"])
def test_long_replies_split_between_passages_within_the_limit(char: str) -> None:
    answer = _answer([char * 1500, char * 1500, char * 1500])
    texts = answer_messages(answer)
    assert len(texts) >= 2
    numbers = [n for t in texts for n in (1, 2, 3) if f"<b>[{n}]</b>" in t]
    assert numbers == [1, 2, 3]  # every passage once, in order
    for text in texts:
        assert_telegram_html(text)
        assert utf16_len(text) <= MAX_MESSAGE


def test_a_passage_longer_than_a_message_is_cut_to_fit() -> None:
    (text,) = answer_messages(_answer(["😀" * 5000]))
    assert utf16_len(text) <= MAX_MESSAGE and text.count("…") == 1
    assert_telegram_html(text)


def test_no_passages_gives_the_escaped_message() -> None:
    answer = Answer("q", "en", False, Status.NO_MATCH, "Nothing about <that>.")
    assert answer_messages(answer) == ["Nothing about &lt;that&gt;."]


def test_citation_without_url_and_in_chinese() -> None:
    line = citation_html(_passage(2, "x", url=None), 3, "zh", traditional=True)
    assert line == "[3] Cats &amp; &lt;Dogs&gt; — Desk, 2024-01-01, 第 2/9 段"


def test_strip_html_restores_the_visible_text() -> None:
    (text,) = answer_messages(_answer(["a < b & c"]))
    assert strip_html(text).startswith("[1] a < b & c")


def test_context_message_bolds_the_cited_passage_and_fits() -> None:
    before, centre, after = (_passage(1, "before"), _passage(2, "centre"), _passage(3, "after"))
    text = context_message(centre, [before, centre, after], "en")
    assert "before\n\n<b>centre</b>\n\nafter" in text
    huge = _passage(2, "中" * 6000)
    cut = context_message(huge, [_passage(1, "x" * 3000), huge], "en")
    assert utf16_len(cut) <= MAX_MESSAGE and "<b>" in cut
    assert_telegram_html(cut)


def test_split_plain_escapes_and_splits_even_inside_a_line() -> None:
    chunks = split_plain("\n".join(["x" * 1000] * 9))
    assert len(chunks) == 3 and all(utf16_len(c) <= MAX_MESSAGE for c in chunks)
    one_line = split_plain("<&>" * 3000)  # 9,000 characters, 27,000 once escaped
    assert all(utf16_len(c) <= MAX_MESSAGE for c in one_line)
    assert "".join(strip_html(c) for c in one_line) == "<&>" * 3000  # no entity cut in two


def test_huge_fields_are_cut_and_unusable_links_left_out() -> None:
    huge = StoredPassage(id=1, doc_id="d" * 100_000, position=1, count=1, text="x",
                         title="T" * 100_000, source="S" * 100_000,
                         url="https://e.org/" + "u" * 100_000, date="D" * 100_000)
    line = citation_html(huge, 1, "en")
    assert utf16_len(line) < 1000 and "href" not in line and line.count("…") == 3
    for url in ("javascript:alert(1)", "https://e.org/a b", "ftp://e.org/x"):
        assert "href" not in citation_html(_passage(1, "x", url=url), 1, "en")
    untitled = StoredPassage(id=1, doc_id="doc-7", position=1, count=1, text="x", title=" \n ",
                             source=None, url=None, date=None)
    assert citation_html(untitled, 1, "en").startswith("[1] doc-7 — ")


def test_question_limiter_sliding_window() -> None:
    now = [0.0]
    limiter = QuestionLimiter(2, clock=lambda: now[0])
    assert limiter.wait_seconds(1) == 0 and limiter.wait_seconds(1) == 0
    now[0] = 10.0
    assert limiter.wait_seconds(1) == 50  # the first question leaves the window at 60 s
    assert limiter.wait_seconds(2) == 0  # other users are not affected
    now[0] = 60.0
    assert limiter.wait_seconds(1) == 0
    assert QuestionLimiter(0).wait_seconds(1) == 0  # 0 turns the limit off


def test_result_store_expires_the_oldest() -> None:
    store = ResultStore(capacity=2)
    answer = _answer(["x"])
    a, b = store.put(answer, 1), store.put(answer, 1)
    assert store.get(a) is not None  # a is now the most recent
    c = store.put(answer, 1)
    assert store.get(b) is None and store.get(a) is not None and store.get(c) is not None
    assert len(a.encode()) + len("ctx::10") <= 64
