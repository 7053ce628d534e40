"""Generated input through every pure stage: nothing raises and the invariants hold.

CI runs the "ci" hypothesis profile (fixed seed, a few hundred examples a test); the "long"
profile (HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py) runs thousands, by hand.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

import yaml

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import cleaning, fields
from bot.sources import metadata
from bot.core.analysis import Analyzer
from bot.core.answering import AnswerOptions, answer
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage
from bot.sources.parsing import DocumentError, parse
from bot.faces.text import render_text
from bot.core.splitting import split_passages, width
from bot.sources.folder import read, scan, set_aside
from bot.faces.telegram.render import fitted_page, paginate, utf16_len
from tests.faces.telegram.test_telegram_bot import assert_telegram_html

# Characters that break naive text code: Han (both scripts), Latin, digits, punctuation of both
# languages, emoji (astral, with modifiers and joiners), zero-width and right-to-left marks,
# controls, lone surrogates, the replacement character, markup.
_PIECE = st.one_of(
    st.sampled_from(list("戰疫东原社区王小容醫院的了是。，！？；、“”()（）")),
    st.sampled_from(list("abcXYZ019 .,!?;:'\"-\n\t")),
    st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff",
                     "\x00", "\x07", "\x1b", "\x7f", "\ud800", "\udfff", "\ufffd", "<", ">", "&",
                     "<b>", "</i>", "&amp;", "ǎ", "(zhàn)"]),
    st.characters(),
)
TEXT = st.lists(_PIECE, max_size=150).map("".join)
LONG_WORD = st.builds(lambda c, n: c * n, st.sampled_from(["x", "中", "😀"]), st.integers(1, 6000))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, LONG_WORD))
@example(text="戰\x0c(zhàn)")  # found by the long profile: a control character hid a pinyin note
def test_cleaning_and_metadata_never_raise(text: str) -> None:
    cleaned = cleaning.clean(text)
    assert cleaning.clean(cleaned) == cleaned or cleaned == ""  # cleaning is stable
    inferred = metadata.infer(cleaned)
    # The body keeps the text's own lines, in order (only site labels and a dateline go).
    lines = iter(cleaned.split("\n"))
    assert all(any(line == kept for kept in lines) for line in inferred.body.split("\n") if line)
    assert inferred.title is None or inferred.title in cleaned.split("\n") or (
        inferred.title in cleaned)
    assert inferred.date is None or re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", inferred.date)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, LONG_WORD), st.integers(80, 2000), st.integers(0, 2))
def test_passages_lie_inside_the_text_and_cover_it(text: str, target: int, overlap: int) -> None:
    cleaned = cleaning.clean(text)
    passages = split_passages("d", cleaned, target, overlap)
    assert passages == split_passages("d", cleaned, target, overlap)  # deterministic
    covered = [False] * len(cleaned)
    for p in passages:
        assert 0 <= p.start < p.end <= len(cleaned)
        assert p.text == cleaned[p.start : p.end]
        for i in range(p.start, p.end):
            covered[i] = True
    assert all(covered[i] or cleaned[i].isspace() for i in range(len(cleaned)))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(TEXT, LONG_WORD), min_size=0, max_size=6), question=TEXT)
@example(texts=["戰\ud800"], question="戰")  # found by the long profile: a lone surrogate in a title
@example(texts=["戰戰"], question="戰戰\ud800")  # found by the CI profile: one in the question
@example(texts=["戰戰"], question="戰\u200b戰")  # a zero-width space inside a word
def test_ranking_answering_and_rendering_never_raise(
    analyzer: Analyzer, texts: list[str], question: str
) -> None:
    passages, tokens = [], []
    for n, text in enumerate(texts):
        for p in split_passages(f"doc{n}", cleaning.clean(text), 300):
            passages.append(StoredPassage(
                id=len(passages) + 1, doc_id=p.doc_id, position=p.position, count=p.count,
                text=p.text, title=text[:30] or "t",
                source=text[:10] or None, url="https://e.org/?q=<&>", date=None,
            ))
            tokens.append(analyzer.index_terms(p.text))
    index = SearchIndex.build(passages, tokens)
    result = answer(question, index, analyzer, AnswerOptions(k=5))
    terms = set(analyzer.tokens(cleaning.clean_question(question)))  # as answer() sees it
    for cited in result.passages:  # a passage sharing no term with the question never shows
        assert terms & set(analyzer.index_terms(cited.hit.passage.text))
    text = render_text(result, full=True)
    pages = paginate(result, 3)
    messages = [fitted_page(result, page, n == 0) for n, page in enumerate(pages)] or [
        html.escape(result.message)]
    visible = [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in messages]
    if not result.passages:
        assert text == result.message == visible[0] and len(messages) == 1
    for cited in result.passages:  # each passage is cited, in the console and on Telegram
        assert f"[{cited.number}] {cited.hit.passage.title} — " in text
        assert any(f"[{cited.number}] {cited.hit.passage.title} — " in v for v in visible)
    for message in messages:
        assert utf16_len(message) <= 4096
        assert_telegram_html(message)
        # document text is escaped: no tag survives from the input
        assert not re.search(r"<(?!/?(b|a|i|blockquote)\b)", message)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "b.md", "c.html"]))
def test_any_bytes_give_a_document_or_a_reason(data: bytes, name: str) -> None:
    try:
        doc = parse(name, data)
    except DocumentError as exc:
        reason = str(exc)  # a reason for the reload report: one short line, never a traceback
        assert reason and "\n" not in reason and len(reason) < 300
        assert "Traceback" not in reason
    else:
        assert doc.text.strip() and doc.title


def test_nested_and_broken_html() -> None:
    deep = "<div>" * 5000 + "<p>The lantern festival opens at dusk on the river bank.</p>"
    broken = "<html><body><p>Unclosed <b>bold <i>italic <a href='x'>link</p></body"
    for text in (deep, broken, "<<<>>>" * 1000):
        try:
            doc = parse("x.html", text.encode())
        except DocumentError as exc:
            assert "no main text" in str(exc)
        else:
            assert doc.text


# Hostile shapes grow with the profile: the long run tries files of hundreds of kilobytes.
_BIG = 300_000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 30_000

# File names as a disk holds them: any bytes but "/" and NUL (GBK or Latin-1 from a Windows
# zip, a newline, an escape sequence, a bidi override), up to the 255-byte limit.
_NAME_BYTES = st.lists(st.one_of(
    st.binary(min_size=1, max_size=8).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")),
    st.sampled_from(["名单", "\n", "\r", "\x1b[31m", "\u202e", " ", "..", "-", "~", "\\"]).map(
        str.encode),
), min_size=1, max_size=20).map(b"".join).map(lambda b: b[:240])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(_NAME_BYTES, min_size=1, max_size=5, unique=True),
       suffix=st.sampled_from([b".txt", b".md", b".TXT"]))
def test_any_file_name_is_scanned_shown_printable_and_set_aside(
        names: list[bytes], suffix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in names:
            with open(os.path.join(os.fsencode(tmp), name + suffix), "wb") as f:
                f.write(b"The ferry leaves from pier four every hour.")
        visible = [n for n in names if not n.startswith(b".")]
        found = scan(folder)
        assert len(found.files) == len(visible) and not found.passed
        for file in found.files:
            assert file.rel.isprintable() and "\n" not in file.rel
            assert read(file) == b"The ferry leaves from pier four every hour."
            aside = set_aside(folder, file.rel)
            assert file.rel not in {f.rel for f in scan(folder).files}
            aside.put_back()
        assert [f.rel for f in scan(folder).files] == [f.rel for f in found.files]


_SCALAR = st.one_of(
    st.text(max_size=40), st.integers(), st.booleans(), st.none(), st.dates(),
    st.builds(lambda c, n: c * n, st.sampled_from(["T", "題", "😀 ", "a b "]), st.integers(0, _BIG)),
)
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
_KEYS = st.sampled_from(["title", "url", "source", "publisher", "date", "id", "link", "x"])
# Text no dumper writes: anchors and aliases (a billion laughs), deep brackets, tabs, a block
# that never ends.
_RAW_YAML = st.sampled_from([
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\ntitle: *b",
    "title: " + "[" * 5000 + "]" * 5000,
    "title: " + "{a: " * 3000 + "1" + "}" * 3000,
    "title:\t\"unclosed",
    "title: !!python/object/apply:os.system [echo hi]",
    "? [a, b]\n: c",
    "title: |\n" + "  line\n" * 2000,
])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(meta=st.one_of(st.dictionaries(_KEYS, _VALUE, max_size=6).map(
           lambda m: yaml.safe_dump(m, allow_unicode=True)), _RAW_YAML),
       closed=st.booleans())
def test_any_front_matter_gives_bounded_fields_or_is_left_alone(meta: str, closed: bool) -> None:
    body = "The library lends each reader six books for three weeks."
    data = f"---\n{meta}\n{'---' if closed else ''}\n{body}\n".encode("utf-8", "surrogatepass")
    try:
        doc = parse("notes.md", data)
    except DocumentError as exc:
        assert "\n" not in str(exc)
        return
    assert body in doc.text and (not closed or "&b" not in doc.text)  # unclosed: just text
    assert len(doc.title) <= fields.MAX_TITLE and len(doc.id) <= fields.MAX_ID
    assert len(doc.source or "") <= fields.MAX_SOURCE and len(doc.url or "") <= fields.MAX_URL
    assert len(doc.date or "") <= fields.MAX_DATE


_SHAPE = st.sampled_from([
    lambda n: "word " * (n // 5),  # one line, no full stop
    lambda n: "社区图书馆每天早上九点开门" * (n // 13),  # Han, no punctuation, no break
    lambda n: "x" * n,  # one giant "word"
    lambda n: "A short heading line here\n\n" + "。" * n,
    lambda n: "\n".join(["line"] * (n // 5)),
    lambda n: "<div>" * (n // 5) + "<p>The pool opens at seven.</p>",
    lambda n: "<html><head><title>" + "T " * (n // 2) + "</title></head><body><p>"
              "The pool opens at seven and closes at nine.</p></body></html>",
])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(shape=_SHAPE, size=st.integers(1, _BIG), suffix=st.sampled_from(["txt", "md", "html"]))
def test_any_file_shape_gives_passages_of_the_usual_size(shape, size: int, suffix: str) -> None:
    try:
        doc = parse(f"f.{suffix}", shape(size).encode())
    except DocumentError:
        return
    assert len(doc.title) <= fields.MAX_TITLE
    for passage in split_passages(doc.id, doc.text, 1500, 1):
        assert width(passage.text) <= 1.3 * 1500 + 2  # a short last piece joins the one before
