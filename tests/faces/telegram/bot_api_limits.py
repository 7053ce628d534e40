"""Telegram's limits on what a bot sends, checked the way Telegram checks them, for the fake.

Lengths are counted as Telegram counts them: in UTF-16 code units, on the text after HTML
entities are parsed (tags do not count, `&amp;` counts one). Telegram documents no limit on a
button's text; the fake refuses more than BUTTON_TEXT units, which no client shows anyway.

HTML is parsed as Telegram's own parser (TDLib's `parse_html`, which the Bot API server runs)
parses it, with its "can't parse entities" answers word for word, and then held to the rules of
https://core.telegram.org/bots/api#formatting-options that TDLib does not enforce but leaves to
silently drop or show wrongly: a tag's attributes other than its own, an `<a>` without a usable
href, a language on a `<code>` outside `<pre>`, tags inside `<pre>`/`<code>`, nested
blockquotes, a bare "&" or a named entity other than &lt; &gt; &amp; &quot; (TDLib shows those
as they are written, "&nbsp;" and all). Those refusals are worded in TDLib's style.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MESSAGE = 4096
CAPTION = 1024
ENTITIES = 100  # formatting entities a message may carry
CALLBACK_ANSWER = 200
CALLBACK_DATA = 64  # bytes
BUTTON_TEXT = 64
BUTTONS_PER_ROW = 8
BUTTONS = 100
INLINE_RESULTS = 50
RESULT_ID = 64  # bytes
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
COMMAND_DESCRIPTION = 256
# A collapsed `<blockquote expandable>` shows this many lines of a phone screen this many
# columns wide (a wide character, as in Chinese, takes two).
FOLDED_LINES = 3
LINE_COLUMNS = 38

# The tags of Telegram's HTML mode, each with the entity it makes and the attributes it takes.
ENTITY_OF = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
             "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
             "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler",
             "a": "text_link", "tg-emoji": "custom_emoji", "code": "code", "pre": "pre",
             "blockquote": "blockquote"}
TAGS = set(ENTITY_OF)
ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "tg-emoji": {"emoji-id"}, "code": {"class"},
              "blockquote": {"expandable"}}
URL_SCHEMES = ("http://", "https://", "tg:", "ton:", "tonsite:", "mailto:")
_SPACE = " \t\r\n\v\f"
_SPECIAL = re.compile(r"[<&]")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# How Telegram orders entities that start together and are as long (TDLib's priorities).
_ORDER = {"blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
          "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93, "spoiler": 94,
          "custom_emoji": 99}
_SURROGATES = ("Text contains invalid Unicode characters after decoding HTML entities, check "
               "for unmatched surrogate code units")


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Unparsable(ValueError):
    """HTML Telegram refuses; the message is its reason, after "can't parse entities: "."""


@dataclass(frozen=True)
class Entity:
    """One formatting entity of a parsed message: Telegram's type, offset and length in UTF-16
    units, and `start`/`end` in the parsed Python string."""

    type: str
    offset: int
    length: int
    start: int
    end: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The MessageEntity object Telegram answers with."""
        body: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        return body


@dataclass(frozen=True)
class Parsed:
    """A message after Telegram parsed its HTML: the text people see and its entities."""

    text: str
    entities: tuple[Entity, ...]


@dataclass
class _Open:
    tag: str
    attributes: dict[str, str | None]
    start: int  # characters of text before it
    offset: int  # UTF-16 units of text before it
    at: int  # its "<" in the source
    child: tuple[int, int] | None = None  # the span of a <code> directly inside a <pre>
    language: str | None = None  # a <pre>'s, from the <code> inside it


class _Parser:
    """TDLib's parse_html walk over the source, one reference or tag at a time."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.text: list[str] = []
        self.chars = 0
        self.units = 0
        self.open: list[_Open] = []
        self.entities: list[Entity] = []

    def offset(self, at: int) -> int:
        """The byte offset (in UTF-8, as Telegram's answers count) of the source's character at."""
        return len(self.source[:at].encode("utf-8", "surrogatepass"))

    def fail(self, reason: str, at: int | None = None) -> Unparsable:
        return Unparsable(reason if at is None else f"{reason} at byte offset {self.offset(at)}")

    def add(self, piece: str) -> None:
        self.text.append(piece)
        self.chars += len(piece)
        self.units += units(piece)

    def parse(self) -> Parsed:
        source, i = self.source, 0
        while i < len(source):
            special = _SPECIAL.search(source, i)
            j = special.start() if special else len(source)
            if j > i:
                self.add(source[i:j])
            if j == len(source):
                break
            if source[j] == "&":
                character, i = self.reference(j)
                self.add(character)
            elif j + 1 < len(source) and source[j + 1] == "/":
                i = self.end_tag(j)
            else:
                i = self.start_tag(j)
        if self.open:
            raise self.fail("Can't find end tag corresponding to start tag " + self.open[-1].tag)
        entities = sorted(self.entities, key=lambda e: (e.offset, -e.length, _ORDER[e.type]))
        return Parsed("".join(self.text), tuple(entities))

    def reference(self, at: int) -> tuple[str, int]:
        """The character of the reference at `at` and where the source goes on."""
        match = _REFERENCE.match(self.source, at)
        # TDLib shows what it cannot decode as written: "AT&T", "&nbsp;"; refused here.
        if match is None:
            raise self.fail('Unescaped "&" (write &amp;)', at)
        hexadecimal, decimal, name = match.groups()
        if name is not None:
            if name in _NAMED:
                return _NAMED[name], match.end()
            if not match.group().endswith(";"):
                raise self.fail('Unescaped "&" (write &amp;)', at)
            raise self.fail(f'Unsupported HTML entity "{match.group()}"', at)
        digits = match.end(1 if hexadecimal is not None else 2)
        code = 0 if digits - at >= 10 else int(hexadecimal or decimal, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            raise self.fail(f'Unsupported HTML entity "{match.group()}"', at)
        if 0xD800 <= code <= 0xDFFF:
            raise self.fail(_SURROGATES)
        return chr(code), match.end()

    def start_tag(self, at: int) -> int:
        source, i = self.source, at + 1
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        if i == len(source):
            raise self.fail("Unclosed start tag", at)
        tag = source[at + 1 : i].lower()
        if tag not in TAGS:
            raise self.fail(f'Unsupported start tag "{tag}"', at)
        attributes: dict[str, str | None] = {}
        while True:
            while i < len(source) and source[i] in _SPACE:
                i += 1
            if i == len(source):
                raise self.fail(f'Unclosed start tag "{tag}"', at)
            if source[i] == ">":
                break
            name_at = i
            while i < len(source) and source[i] not in _SPACE and source[i] not in "=>":
                i += 1
            name = source[name_at:i]
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}"', at)
            while i < len(source) and source[i] in _SPACE:
                i += 1
            if i < len(source) and source[i] == "=":
                attributes[name], i = self.value(tag, at, i + 1)
            elif tag == "blockquote" and name == "expandable":
                attributes[name] = None
            else:
                raise self.fail("Expected equal sign in declaration of an attribute of the tag "
                                f'"{tag}"', at)
        self.check_start(tag, attributes, at)
        self.open.append(_Open(tag, attributes, self.chars, self.units, at))
        return i + 1

    def value(self, tag: str, at: int, i: int) -> tuple[str, int]:
        """An attribute's value starting at i (spaces before it allowed), and the index after."""
        source = self.source
        while i < len(source) and source[i] in _SPACE:
            i += 1
        if i == len(source):
            raise self.fail(f'Unclosed start tag "{tag}"', at)
        if source[i] not in "'\"":
            token = _NAME_TOKEN.match(source, i)
            assert token is not None
            if token.end() < len(source) and source[token.end()] not in _SPACE + ">":
                raise self.fail("Unexpected end of name token", i)
            return token.group().lower(), token.end()
        quote, i = source[i], i + 1
        pieces = []
        while i < len(source) and source[i] != quote:
            if source[i] == "&":
                character, i = self.reference(i)
                pieces.append(character)
            else:
                pieces.append(source[i])
                i += 1
        if i == len(source):
            raise self.fail("Unclosed start tag", at)
        return "".join(pieces), i + 1

    def check_start(self, tag: str, attributes: dict[str, str | None], at: int) -> None:
        """The rules a start tag is held to before its content: attributes and nesting."""
        for name in attributes:
            if name not in ATTRIBUTES.get(tag, set()):
                raise self.fail(f'Unsupported attribute "{name}" in the tag "{tag}"', at)
        parent = self.open[-1] if self.open else None
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', at)
        if tag == "a":
            href = attributes.get("href") or ""
            if not href:
                raise self.fail('Tag "a" must have an attribute "href"', at)
            if not usable_url(href):
                raise self.fail(f'Unsupported URL "{href}" in the tag "a"', at)
            if any(o.tag == "a" for o in self.open):
                raise self.fail('Tag "a" can\'t be inside another "a"', at)
        if tag == "tg-emoji" and not re.fullmatch(r"[1-9][0-9]{0,18}",
                                                  attributes.get("emoji-id") or ""):
            raise self.fail("Invalid custom emoji identifier specified")
        if tag == "blockquote":
            if attributes.get("expandable") is not None:
                raise self.fail('Attribute "expandable" of the tag "blockquote" takes no value',
                                at)
            if any(o.tag == "blockquote" for o in self.open):
                raise self.fail("Blockquotes can't be nested", at)
        language = attributes.get("class")
        if tag == "code" and language is not None and not language.startswith("language-"):
            raise self.fail(f'Unsupported class "{language}" in the tag "code"', at)
        in_pre = parent is not None and parent.tag == "pre"
        if parent is not None and parent.tag in {"pre", "code"} and not (
                tag == "code" and in_pre and parent.start == self.chars and parent.child is None):
            raise self.fail(f'Tag "{tag}" can\'t be inside "{parent.tag}": pre and code can\'t '
                            "contain other entities", at)
        if tag == "code" and language is not None and not in_pre:
            raise self.fail("Programming language can't be specified for a standalone code tag",
                            at)

    def end_tag(self, at: int) -> int:
        source = self.source
        if not self.open:
            raise self.fail("Unexpected end tag", at)
        i = at + 2
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        name = source[at + 2 : i].lower()
        while i < len(source) and source[i] in _SPACE:
            i += 1
        if i == len(source) or source[i] != ">":
            raise self.fail("Unclosed end tag", at)
        top = self.open.pop()
        if name and name != top.tag:
            raise Unparsable(f"Unmatched end tag at byte offset {self.offset(at)}, expected "
                             f'"</{top.tag}>", found "</{name}>"')
        self.close(top)
        return i + 1

    def close(self, top: _Open) -> None:
        """The entity of a closed tag (none for an empty one, as Telegram drops it)."""
        parent = self.open[-1] if self.open else None
        if top.tag == "code" and parent is not None and parent.tag == "pre":
            parent.child = (top.start, self.chars)
        if top.tag == "pre" and top.child is not None and top.child != (top.start, self.chars):
            raise self.fail('Tag "pre" holds text outside its "code": pre and code can\'t '
                            "contain other entities", top.at)
        if self.chars == top.start:
            return
        kind = ENTITY_OF[top.tag]
        extra: dict[str, str] = {}
        if top.tag == "a":
            href = top.attributes["href"] or ""
            extra["url"] = href if href.lower().startswith(URL_SCHEMES) else "http://" + href
        elif top.tag == "tg-emoji":
            extra["custom_emoji_id"] = top.attributes["emoji-id"] or ""
        elif top.tag == "blockquote" and "expandable" in top.attributes:
            kind = "expandable_blockquote"
        elif top.tag == "code" and parent is not None and parent.tag == "pre":
            language = (top.attributes.get("class") or "").removeprefix("language-")
            parent.language = language or None
            return  # the <pre> around it is the one entity
        elif top.tag == "pre" and top.language:
            extra["language"] = top.language
        self.entities.append(Entity(kind, top.offset, self.units - top.offset, top.start,
                                    self.chars, **extra))


def usable_url(url: str) -> bool:
    """Whether Telegram makes a link of an href: a web address (with or without http(s)://)
    whose host has a dot, or a tg:, ton:, tonsite: or mailto: link."""
    lowered = url.lower()
    if any(c in _SPACE or ord(c) < 0x20 for c in url):
        return False
    if lowered.startswith(("tg:", "ton:", "tonsite:", "mailto:")):
        return len(url.split(":", 1)[1].lstrip("/")) > 0
    if lowered.startswith(("http://", "https://")):
        rest = url.split("://", 1)[1]
    elif re.match(r"^[a-z][a-z0-9+.\-]*:(?![0-9])", lowered):
        return False  # another scheme (javascript:, ftp:, file:)
    else:
        rest = url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":")[0]
    return "." in host.strip(".") or host.startswith("[")


def parse_html(source: str) -> Parsed:
    """The text and entities of an HTML message as Telegram parses it; raises Unparsable with
    Telegram's reason when it would refuse it."""
    return _Parser(source).parse()


def columns(character: str) -> int:
    """Columns a character takes on a phone screen: 2 for wide (CJK, most emoji), 0 for
    combining marks and format characters, else 1."""
    if unicodedata.category(character) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(character) in {"W", "F"} else 1


def fold(text: str, lines: int = FOLDED_LINES, width: int = LINE_COLUMNS) -> str:
    """The start of `text` a collapsed block shows: its first `lines` lines of `width` columns
    (a line also ends at "\\n"), and "…" when there is more."""
    line, used = 1, 0
    for i, character in enumerate(text):
        if character == "\n":
            if line == lines:
                return text[:i] + "…" if i + 1 < len(text) else text
            line, used = line + 1, 0
            continue
        size = columns(character)
        if used + size > width:
            if line == lines:
                return text[:i] + "…"
            line, used = line + 1, 0
        used += size
    return text


def visible_text(html: str, folded: bool = False) -> str:
    """What a person sees of an HTML message: the text after parsing; with `folded`, each
    `<blockquote expandable>` as it shows collapsed (see `fold`). Raises Unparsable."""
    parsed = parse_html(html)
    if not folded:
        return parsed.text
    pieces, done = [], 0
    for entity in parsed.entities:
        if entity.type == "expandable_blockquote":
            pieces += [parsed.text[done : entity.start], fold(parsed.text[entity.start:entity.end])]
            done = entity.end
    return "".join(pieces) + parsed.text[done:]


def visible(text: str, parse_mode: str | None) -> tuple[str, str | None]:
    """The text a user sees, and why Telegram would refuse to parse it (None when it parses)."""
    if parse_mode != "HTML":
        return text, None
    try:
        return parse_html(text).text, None
    except Unparsable as exc:
        return "", str(exc)


def _check(text: str, parse_mode: str | None, limit: int, too_long: str
           ) -> tuple[str, str | None]:
    """The text shown, and what Telegram refuses in it (None when nothing)."""
    if parse_mode != "HTML":
        return text, too_long if units(text) > limit else None
    try:
        parsed = parse_html(text)
    except Unparsable as exc:
        return "", f"can't parse entities: {exc}"
    if len(parsed.entities) > ENTITIES:
        return parsed.text, (f"can't parse entities: too many entities ({len(parsed.entities)}, "
                             f"at most {ENTITIES})")
    return parsed.text, too_long if units(parsed.text) > limit else None


def _text(text: Any, parse_mode: str | None) -> str | None:
    if not isinstance(text, str):
        return "message text is empty"
    shown, problem = _check(text, parse_mode, MESSAGE, "message is too long")
    if problem is None and not shown.strip():
        return "message text is empty"
    return problem


def _caption(params: dict[str, Any]) -> str | None:
    if params.get("caption") is None:
        return None
    return _check(params["caption"], params.get("parse_mode"), CAPTION,
                  "message caption is too long")[1]


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


_CAPTIONED = {"sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendAnimation",
              "sendVoice", "editMessageCaption", "copyMessage"}


def problem(method: str, params: dict[str, Any]) -> str | None:
    """What Telegram would answer "Bad Request: ..." with, or None if it takes the call."""
    if method in {"sendMessage", "editMessageText"}:
        return _text(params.get("text"), params.get("parse_mode")) or _keyboard(
            params.get("reply_markup"))
    if method in _CAPTIONED:
        return _caption(params) or _keyboard(params.get("reply_markup"))
    if method == "editMessageReplyMarkup":
        return _keyboard(params.get("reply_markup"))
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
