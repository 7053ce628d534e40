from __future__ import annotations

import dataclasses

import pytest

from bot.core.models import Answer, CitedPassage, Hit, Span, Status, StoredPassage
from bot.faces.telegram.limits import QuestionLimiter
from bot.faces.telegram.render import (
    MAX_MESSAGE,
    answer_html,
    citation_html,
    context_message,
    fitted_page,
    paginate,
    split_plain,
    strip_html,
    utf16_len,
)
from bot.faces.telegram.results import ResultStore, Shown
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
    text = answer_html(_answer(["<b>bold?</b> & <script>x</script>. More text here, and on."]), 3)
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert '<a href="https://e.org/a?x=1&amp;y=&quot;2&quot;">Cats &amp; &lt;Dogs&gt;</a>' in text
    assert_telegram_html(text)


def test_the_answer_comes_first_with_its_citation_then_the_folded_evidence() -> None:
    texts = ["Cats sleep a lot. The answer is here, said the vet at the clinic. Then more.",
             "A second passage that says other things about cats and dogs.",
             "A third passage, with yet other words in it about the same."]
    answer = _answer(texts)
    answer = Answer("q", "en", False, Status.ANSWERED, "m", tuple(
        CitedPassage(c.number, c.hit, Span(18, 65) if c.number == 1 else None)
        for c in answer.passages))
    text = answer_html(answer, 3)
    lead, citation, *rest = text.split("\n")
    assert lead == "<b>The answer is here, said the vet at the clinic.</b>"
    assert citation.startswith("[1] <a href=") and "passage 1/9" in citation
    first, others = text.split("<blockquote expandable>")[1:]
    assert "Cats sleep a lot. <b>The answer is here" in first  # its passage, around it
    assert others.startswith("[2] <a href=") and "\n\n[3] <a href=" in others  # one tap
    assert text.count("</blockquote>") == 2
    assert_telegram_html(text)


def test_a_passage_that_is_only_its_answering_sentence_is_not_repeated() -> None:
    answer = _answer(["The whole passage is this one sentence of an answer."])
    answer = Answer("q", "en", False, Status.ANSWERED, "m", (dataclasses.replace(
        answer.passages[0], highlight=Span(0, 52)),))
    text = answer_html(answer, 3)
    assert "blockquote" not in text and text.count("The whole passage") == 1


@pytest.mark.parametrize("char", ["a", "中", "😀"])
def test_long_answers_page_within_the_limit_each_passage_once(char: str) -> None:
    answer = _answer([(char * 60 + ". ") * 25] * 3 + [char * 3000])
    pages = paginate(answer, 3)
    numbers = [c.number for page in pages for c in page]
    assert numbers == [1, 2, 3, 4]  # every passage once, in order
    for n, page in enumerate(pages):
        text = fitted_page(answer, page, n == 0)
        assert_telegram_html(text)
        assert utf16_len(text) <= MAX_MESSAGE
        assert all(f"[{c.number}] <a" in text for c in page if n > 0 or c.number > 1)
    later = fitted_page(answer, pages[-1], False)
    assert later.startswith("<i>Results ") and later.count("<blockquote expandable>") == len(
        pages[-1])


def test_ten_passages_with_huge_citations_still_page_within_the_limit() -> None:
    huge = [StoredPassage(id=n, doc_id="d" * 300, position=n, count=10, text="中" * 900,
                          title="T" * 5000, source="S" * 5000,
                          url="https://e.org/" + "u" * 900, date="D" * 5000) for n in range(10)]
    cited = tuple(CitedPassage(n + 1, Hit(p, 1.0, n + 1), None) for n, p in enumerate(huge))
    answer = Answer("q", "zh", False, Status.ANSWERED, "m", cited)
    pages = paginate(answer, 10)
    assert [c.number for page in pages for c in page] == list(range(1, 11))
    for n, page in enumerate(pages):
        assert utf16_len(fitted_page(answer, page, n == 0)) <= MAX_MESSAGE


def test_a_passage_longer_than_a_message_is_cut_to_fit() -> None:
    text = answer_html(_answer(["😀" * 5000]), 3)
    assert utf16_len(text) <= MAX_MESSAGE and "…" in text
    assert_telegram_html(text)


def test_no_passages_gives_the_escaped_message() -> None:
    answer = Answer("q", "en", False, Status.NO_MATCH, "Nothing about <that>.")
    assert answer_html(answer, 3) == "Nothing about &lt;that&gt;."


def test_citation_without_url_and_in_chinese() -> None:
    line = citation_html(_passage(2, "x", url=None), 3, "zh", traditional=True)
    assert line == "[3] Cats &amp; &lt;Dogs&gt; — Desk, 2024-01-01, 第 2/9 段"


def test_strip_html_restores_the_visible_text() -> None:
    text = answer_html(_answer(["a < b & c, and d > e."]), 3)
    assert strip_html(text).startswith("a < b & c,")


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


def test_result_store_expires_the_oldest_and_keeps_each_answer_to_its_chat() -> None:
    store = ResultStore(capacity=2)
    answer = _answer(["x"])
    shown = Shown(answer, (answer.passages,), 7)
    a, b = store.put(shown), store.put(shown)
    assert store.get(a, 7) is not None  # a is now the most recent
    c = store.put(shown)
    assert store.get(b, 7) is None and store.get(a, 7) is not None and store.get(c, 7) is not None
    assert store.get(a, 8) is None  # another chat's press finds nothing
    assert len(a.encode()) + len("ans::10") <= 64
