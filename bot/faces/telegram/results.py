"""Recent answers kept in memory under short ids, so buttons can page through them.

Callback data is capped at 64 bytes, so a button carries an id from here, never the question.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from bot.core.models import Answer


@dataclass
class Shown:
    """An answer with every passage fetched, and how many of them were shown so far."""

    answer: Answer
    shown: int


class ResultStore:
    """The last `capacity` answers; older ones expire and their buttons say so."""

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Shown] = OrderedDict()

    def put(self, answer: Answer, shown: int) -> str:
        """Keep an answer; return its short id."""
        key = secrets.token_urlsafe(6)
        while key in self._items:
            key = secrets.token_urlsafe(6)
        self._items[key] = Shown(answer, shown)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Shown | None:
        """The answer behind an id, or None once it has expired."""
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item
