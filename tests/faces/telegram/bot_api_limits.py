"""Telegram's limits on what a bot sends, checked the way Telegram checks them, for the fake.

Lengths are counted as Telegram counts them: in UTF-16 code units, on the text after HTML
entities are parsed (tags do not count, `&amp;` counts one). HTML that Telegram would not
parse is refused with its "can't parse entities" answer. Telegram documents no limit on a
button's text; the fake refuses more than BUTTON_TEXT units, which no client shows anyway.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

MESSAGE = 4096
CALLBACK_ANSWER = 200
CALLBACK_DATA = 64  # bytes
BUTTON_TEXT = 64
BUTTONS_PER_ROW = 8
BUTTONS = 100
INLINE_RESULTS = 50
RESULT_ID = 64  # bytes
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
COMMAND_DESCRIPTION = 256
# The tags Telegram's HTML mode knows (https://core.telegram.org/bots/api#html-style).
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "tg-spoiler", "tg-emoji", "blockquote", "span"}


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        elif tag == "a" and not dict(attrs).get("href"):
            self.error = self.error or "Can't find end of the URL"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """The text a user sees, and why Telegram would refuse to parse it (None when it parses)."""
    if parse_mode != "HTML":
        return text, None
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.open and parser.error is None:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    return "".join(parser.text), parser.error


def _text(text: Any, parse_mode: str | None) -> str | None:
    if not isinstance(text, str):
        return "message text is empty"
    shown, error = visible(text, parse_mode)
    if error:
        return f"can't parse entities: {error}"
    if not shown.strip():
        return "message text is empty"
    if units(shown) > MESSAGE:
        return "message is too long"
    return None


def _keyboard(markup: Any) -> str | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if sum(len(row) for row in rows) > BUTTONS:
        return "reply markup is too long"
    for row in rows:
        if len(row) > BUTTONS_PER_ROW:
            return "too many buttons in a row"
        for button in row:
            text = button.get("text")
            if not isinstance(text, str) or not text.strip() or units(text) > BUTTON_TEXT:
                return "BUTTON_TEXT_INVALID"
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA:
                return "BUTTON_DATA_INVALID"
    return None


def _inline_results(results: Any) -> str | None:
    if len(results) > INLINE_RESULTS:
        return "RESULTS_TOO_MUCH"
    ids = [r.get("id", "") for r in results]
    if any(not 1 <= len(i.encode("utf-8")) <= RESULT_ID for i in ids):
        return "RESULT_ID_INVALID"
    if len(set(ids)) != len(ids):
        return "RESULT_ID_DUPLICATE"
    for result in results:
        if not str(result.get("title", "")).strip():
            return "RESULT_TITLE_EMPTY"
        content = result.get("input_message_content") or {}
        problem = _text(content.get("message_text"), content.get("parse_mode"))
        if problem:
            return problem
    return None


def problem(method: str, params: dict[str, Any]) -> str | None:
    """What Telegram would answer "Bad Request: ..." with, or None if it takes the call."""
    if method in {"sendMessage", "editMessageText"}:
        return _text(params.get("text"), params.get("parse_mode")) or _keyboard(
            params.get("reply_markup"))
    if method == "answerCallbackQuery":
        if units(params.get("text") or "") > CALLBACK_ANSWER:
            return "MESSAGE_TOO_LONG"
        return None
    if method == "answerInlineQuery":
        return _inline_results(params.get("results") or [])
    if method == "setMyCommands":
        for command in params.get("commands") or []:
            description = command.get("description", "")
            if (not COMMAND.match(command.get("command", ""))
                    or not 1 <= len(description) <= COMMAND_DESCRIPTION):
                return "BOT_COMMAND_INVALID"
    return None
