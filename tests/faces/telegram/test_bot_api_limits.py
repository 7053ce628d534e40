"""The fake Bot API refuses what Telegram refuses, counted as Telegram counts, and shows what
a person sees (a collapsed blockquote folded to its first lines)."""

from __future__ import annotations

import pytest

from tests.faces.telegram.bot_api_limits import (
    CAPTION,
    ENTITIES,
    FOLDED_LINES,
    LINE_COLUMNS,
    Unparsable,
    columns,
    fold,
    parse_html,
    problem,
    visible_text,
)


def _send(text: str, parse_mode: str | None = "HTML", **extra: object) -> str | None:
    return problem("sendMessage", {"chat_id": 1, "text": text, "parse_mode": parse_mode, **extra})


def _button(text: str = "ok", data: str = "x") -> dict[str, object]:
    return {"inline_keyboard": [[{"text": text, "callback_data": data}]]}


def test_length_in_utf16_units_after_entities() -> None:
    assert _send("a" * 4096) is None
    assert _send("<b>" + "&amp;" * 4096 + "</b>") is None  # tags and entities count as shown
    assert _send("😀" * 2048) is None and _send("😀" * 2049) == "message is too long"
    assert _send("中" * 4097, parse_mode=None) == "message is too long"
    assert _send("<b> </b>") == "message text is empty"


@pytest.mark.parametrize("text", ["<script>x</script>", "<b>open", "a</b>", "<a>no href</a>"])
def test_html_telegram_cannot_parse(text: str) -> None:
    assert (_send(text) or "").startswith("can't parse entities")
    assert _send(text, parse_mode=None) is None


def test_buttons() -> None:
    assert _send("hi", reply_markup=_button()) is None
    assert _send("hi", reply_markup=_button(data="中" * 22)) == "BUTTON_DATA_INVALID"  # 66 bytes
    assert _send("hi", reply_markup=_button(data="")) == "BUTTON_DATA_INVALID"
    assert _send("hi", reply_markup=_button(text="x" * 65)) == "BUTTON_TEXT_INVALID"
    assert _send("hi", reply_markup=_button(text=" ")) == "BUTTON_TEXT_INVALID"
    row = [{"text": str(i), "callback_data": str(i)} for i in range(9)]
    assert _send("hi", reply_markup={"inline_keyboard": [row]}) == "too many buttons in a row"


def test_callback_answers_and_inline_results() -> None:
    assert problem("answerCallbackQuery", {"text": "x" * 200}) is None
    assert problem("answerCallbackQuery", {"text": "x" * 201}) == "MESSAGE_TOO_LONG"
    article = {"type": "article", "id": "1", "title": "t",
               "input_message_content": {"message_text": "x" * 4097}}
    assert problem("answerInlineQuery", {"results": [article]}) == "message is too long"
    assert problem("answerInlineQuery", {"results": [{**article, "id": "é" * 33}]}) \
        == "RESULT_ID_INVALID"
    many = [{**article, "id": str(i), "input_message_content": {"message_text": "x"}}
            for i in range(51)]
    assert problem("answerInlineQuery", {"results": many}) == "RESULTS_TOO_MUCH"


# Every tag and attribute of https://core.telegram.org/bots/api#html-style, as the docs write them.
GOOD = [
    "<b>bold</b>, <strong>bold</strong>, <i>italic</i>, <em>italic</em>, <u>u</u>, <ins>u</ins>",
    "<s>s</s>, <strike>s</strike>, <del>s</del>, <B>upper-case tags</B>, <i>short end</>",
    '<span class="tg-spoiler">spoiler</span>, <tg-spoiler>spoiler</tg-spoiler>',
    ('<b>bold <i>italic bold <s>italic bold strikethrough <span class="tg-spoiler">italic bold '
     'strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>'),
    '<a href="http://www.example.com/">inline URL</a> <a href="tg://user?id=123456789">m</a>',
    "<a href='https://example.org/a?b=1&amp;c=2'>quoted</a> <a href=example.org>token</a>",
    '<a href="mailto:someone@example.org">mail</a> <a href="HTTPS://EXAMPLE.ORG">upper</a>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<code>inline fixed-width code</code> <b><code>bold code</code></b>",
    "<pre>pre-formatted fixed-width code block</pre>",
    '<pre><code class="language-python">print("x")</code></pre> <pre><code>no language</code></pre>',
    "<blockquote>Block quotation started\nBlock quotation continued</blockquote>",
    "<blockquote expandable>Expandable block quotation started\nHidden part</blockquote>",
    "<blockquote><b>bold</b> and <pre>pre</pre> in a quote</blockquote><blockquote>2</blockquote>",
    "&lt;&gt;&amp;&quot; &#60;&#x3C; &#60 &lt without semicolons, 1 &gt; 0 and 2 > 1",
]


@pytest.mark.parametrize("text", GOOD)
def test_html_telegram_parses(text: str) -> None:
    assert _send(text) is None


@pytest.mark.parametrize(("text", "reason"), [
    # TDLib's own answers (its test/message_entities.cpp), byte offsets and all
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba>",
     'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ("<b>open", "Can't find end tag corresponding to start tag b"),
    ("&#xDFDF;", "check for unmatched surrogate code units"),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),  # a bare "<"
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ('<tg-emoji emoji-id="x">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
    # what Telegram's docs rule out and its parser would drop or show wrong: refused here
    ("AT&T", 'Unescaped "&" (write &amp;) at byte offset 2'),
    ("a & b", 'Unescaped "&" (write &amp;) at byte offset 2'),
    ("&nbsp;&copy;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
    ("&#0;", 'Unsupported HTML entity "&#0;"'),
    ("&#1234567890;", 'Unsupported HTML entity "&#1234567890;"'),
    ("<a>no href</a>", 'Tag "a" must have an attribute "href"'),
    ('<a href="">empty</a>', 'Tag "a" must have an attribute "href"'),
    ('<a href="ftp://example.org">x</a>', 'Unsupported URL "ftp://example.org"'),
    ('<a href="javascript:alert(1)">x</a>', "Unsupported URL"),
    ('<a href="intranet">x</a>', "Unsupported URL"),  # a host without a dot
    ('<a href="https://a.org" title="t">x</a>', 'Unsupported attribute "title" in the tag "a"'),
    ('<b class="x">x</b>', 'Unsupported attribute "class" in the tag "b"'),
    ("<i expandable>x</i>", 'attribute of the tag "i"'),
    ('<blockquote expandable="yes">x</blockquote>', '"expandable" of the tag "blockquote" takes'),
    ('<blockquote cite="x">x</blockquote>', 'Unsupported attribute "cite"'),
    ('<code class="language-python">x</code>', "can't be specified for a standalone code tag"),
    ('<pre><code class="python">x</code></pre>', 'Unsupported class "python"'),
    ("<pre><b>x</b></pre>", "pre and code can't contain other entities"),
    ("<code><i>x</i></code>", "pre and code can't contain other entities"),
    ("<pre>x<code>y</code></pre>", "pre and code can't contain other entities"),
    ('<pre><code class="language-c">x</code>y</pre>', "pre and code can't contain other entities"),
    ("<blockquote>a<blockquote>b</blockquote></blockquote>", "Blockquotes can't be nested"),
    ('<a href="https://a.org"><a href="https://b.org">x</a></a>', 'can\'t be inside another "a"'),
])
def test_html_telegram_refuses(text: str, reason: str) -> None:
    answer = _send(text) or ""
    assert answer.startswith("can't parse entities: ") and reason in answer, answer
    assert _send(text, parse_mode=None) is None


def test_entities_per_message() -> None:
    assert _send("<b>x</b> " * ENTITIES) is None
    assert _send("<b>x</b> " * (ENTITIES + 1)) == (
        f"can't parse entities: too many entities ({ENTITIES + 1}, at most {ENTITIES})")
    assert _send("<b></b> " * 200 + "x") is None  # an empty tag makes no entity
    assert _send("<pre><code class='language-py'>x</code></pre>" * ENTITIES) is None  # one each


def test_parsed_text_and_entities_as_telegram_answers_them() -> None:
    parsed = parse_html('😀 <b>bold <a href="example.org">link</a></b>'
                        '<pre><code class="language-py">x</code></pre>'
                        "<blockquote expandable>q</blockquote>")
    assert parsed.text == "😀 bold linkxq"
    assert [e.as_json() for e in parsed.entities] == [
        {"type": "bold", "offset": 3, "length": 9},  # the emoji counts two UTF-16 units
        {"type": "text_link", "offset": 8, "length": 4, "url": "http://example.org"},
        {"type": "pre", "offset": 12, "length": 1, "language": "py"},
        {"type": "expandable_blockquote", "offset": 13, "length": 1},
    ]


def test_captions() -> None:
    assert problem("sendPhoto", {"caption": "x" * CAPTION, "parse_mode": "HTML"}) is None
    assert problem("sendPhoto", {"caption": "<b>" + "x" * CAPTION + "</b>",
                                 "parse_mode": "HTML"}) is None
    assert problem("sendDocument", {"caption": "x" * (CAPTION + 1)}) \
        == "message caption is too long"
    assert problem("sendPhoto", {"caption": "<x>", "parse_mode": "HTML"}) \
        == "can't parse entities: Unsupported start tag \"x\" at byte offset 0"
    assert problem("sendPhoto", {"photo": "id"}) is None  # no caption at all


def test_columns_count_wide_characters_twice() -> None:
    assert [columns(c) for c in "a中😀\u0301"] == [1, 2, 2, 0]


@pytest.mark.parametrize(("text", "shown"), [
    ("one\ntwo\nthree", "one\ntwo\nthree"),  # three lines: nothing folded away
    ("one\ntwo\nthree\n", "one\ntwo\nthree\n"),
    ("one\ntwo\nthree\nfour", "one\ntwo\nthree…"),
    ("x" * (3 * LINE_COLUMNS), "x" * (3 * LINE_COLUMNS)),  # three full lines exactly
    ("x" * (3 * LINE_COLUMNS + 1), "x" * (3 * LINE_COLUMNS) + "…"),  # a fourth begins
    ("中" * (3 * LINE_COLUMNS // 2 + 1), "中" * (3 * LINE_COLUMNS // 2) + "…"),  # 2 columns each
    ("x" * (LINE_COLUMNS + 1) + "\nb\nc", "x" * (LINE_COLUMNS + 1) + "\nb…"),  # wrapped: 2 lines
    ("\n\n\nd", "\n\n…"),  # empty lines are lines
])
def test_fold_shows_the_first_lines_of_a_phone_screen(text: str, shown: str) -> None:
    assert FOLDED_LINES == 3 and fold(text) == shown


def test_visible_text_folds_only_expandable_blockquotes() -> None:
    long = "\n".join(f"line {i}" for i in range(1, 7))
    html = (f"<b>Answer</b>\n<blockquote>{long}</blockquote>\n"
            f"<blockquote expandable>{long}</blockquote>\nend &amp; after")
    assert visible_text(html) == f"Answer\n{long}\n{long}\nend & after"
    assert visible_text(html, folded=True) == (
        f"Answer\n{long}\nline 1\nline 2\nline 3…\nend & after")
    with pytest.raises(Unparsable, match="Unsupported start tag"):
        visible_text("<x>")
