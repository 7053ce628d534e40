"""Recent answers kept in memory under short ids, so buttons can page through them in place.

Callback data is capped at 64 bytes, so a button carries an id from here, never the question.
An answer is kept with the chat it was sent to: a press from any other chat (a forwarded
message, forged callback data) finds nothing.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from bot.core.models import Answer, CitedPassage


@dataclass(frozen=True)
class Shown:
    """An answer with every passage that passed, split into the pages a message shows."""

    answer: Answer
    pages: tuple[tuple[CitedPassage, ...], ...]
    chat_id: int | None
    question_id: int | None = None  # its row in the usage log, for 👍 👎 on every page


class ResultStore:
    """The last `capacity` answers; older ones expire and their buttons say so."""

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Shown] = OrderedDict()

    def put(self, shown: Shown) -> str:
        """Keep an answer and its pages; return its short id."""
        key = secrets.token_urlsafe(6)
        while key in self._items:
            key = secrets.token_urlsafe(6)
        self._items[key] = shown
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str, chat_id: int | None) -> Shown | None:
        """The answer behind an id, or None once it has expired or when it was sent to
        another chat."""
        item = self._items.get(key)
        if item is None or item.chat_id != chat_id:
            return None
        self._items.move_to_end(key)
        return item
