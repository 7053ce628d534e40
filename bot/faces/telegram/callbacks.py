"""Callback data: what each button carries, built and parsed in one place.

Telegram hands back whatever a client sends as callback data (at most 64 bytes), so a press is
read only through `parse`, which accepts exactly the formats built here, with ASCII digits of
bounded length (a 30-digit id does not fit SQLite's integers; `"²".isdigit()` is true, but
`int("²")` fails). Anything else is None, and the press is refused before a handler sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Keys are ResultStore / pending-removal ids: secrets.token_urlsafe(6), 8 characters.
_KEY = r"[A-Za-z0-9_-]{1,16}"


@dataclass(frozen=True)
class Turn:
    """Show page `page` (from 0) of an answer kept under `key`, in the same message: "More
    results", ◀ ▶, and "Back" from a passage's context."""

    key: str
    page: int


@dataclass(frozen=True)
class Context:
    """"Context" of passage `number` of an answer kept under `key`."""

    key: str
    number: int


@dataclass(frozen=True)
class Vote:
    """👍 (1) or 👎 (-1) on a logged question."""

    question_id: int
    value: int


@dataclass(frozen=True)
class Remove:
    """The admin's confirmation (or cancellation) of a pending removal."""

    key: str
    confirmed: bool


@dataclass(frozen=True)
class Page:
    """Another page of /sources ("s") or /docs ("d"), counted from 0."""

    listing: str
    number: int


@dataclass(frozen=True)
class AddPage:
    """The admin's answer to "Add this page?" under a link they sent."""

    key: str
    confirmed: bool


Press = AddPage | Turn | Context | Vote | Remove | Page

# Each format, and the press it gives from the pattern's groups.
_FORMATS: list[tuple[re.Pattern[str], Callable[[tuple[str, ...]], Press]]] = [
    (re.compile(rf"ans:({_KEY}):(0|[1-9][0-9]?)"), lambda g: Turn(g[0], int(g[1]))),
    (re.compile(rf"ctx:({_KEY}):([1-9][0-9]?)"), lambda g: Context(g[0], int(g[1]))),
    (re.compile(r"fb:([1-9][0-9]{0,17}):(1|-1)"), lambda g: Vote(int(g[0]), int(g[1]))),
    (re.compile(rf"rm:({_KEY}):(yes|no)"), lambda g: Remove(g[0], g[1] == "yes")),
    (re.compile(rf"add:({_KEY}):(yes|no)"), lambda g: AddPage(g[0], g[1] == "yes")),
    (re.compile(r"pg:([sd]):(0|[1-9][0-9]{0,5})"), lambda g: Page(g[0], int(g[1]))),
]


def turn(key: str, page: int) -> str:
    """Data of a button showing another page of an answer."""
    return f"ans:{key}:{page}"


def context(key: str, number: int) -> str:
    """Data of a "Context" button."""
    return f"ctx:{key}:{number}"


def vote(question_id: int, value: int) -> str:
    """Data of a 👍 / 👎 button."""
    return f"fb:{question_id}:{value}"


def remove(key: str, confirmed: bool) -> str:
    """Data of a remove confirmation button."""
    return f"rm:{key}:{'yes' if confirmed else 'no'}"


def add_page(key: str, confirmed: bool) -> str:
    """Data of the buttons under "Add this page?"."""
    return f"add:{key}:{'yes' if confirmed else 'no'}"


def page(listing: str, number: int) -> str:
    """Data of a page button of /sources ("s") or /docs ("d")."""
    return f"pg:{listing}:{number}"


def parse(data: str | None) -> Press | None:
    """The press a button's data describes, or None for data no button of ours carries."""
    for pattern, press in _FORMATS:
        match = pattern.fullmatch(data or "")
        if match is not None:
            return press(match.groups())
    return None
