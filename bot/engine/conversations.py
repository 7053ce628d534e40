"""The questions the bot's answers replied to, kept in memory so a reply to an answer can be
searched in that answer's context (`bot.core.follow_up`).

Only here, never in the database: it works with STORE_QUESTION_TEXT=false, and a restart
forgets it. Bounded three ways: `capacity` entries in all (the least recently used go first),
`per_chat` entries in one chat (so one busy group cannot push every other chat out), and
`ttl_seconds` after an answer a reply to it is searched alone again. The clock is passed in, so
tests move time without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

# A question longer than the bot answers is never stored whole.
MAX_CHARS = 1000


class Conversations:
    """Which question each of the bot's answer messages replied to, by (chat, message)."""

    def __init__(
        self, capacity: int = 5000, ttl_seconds: float = 6 * 3600,
        clock: Callable[[], float] = time.monotonic, per_chat: int = 200,
        max_chars: int = MAX_CHARS,
    ) -> None:
        if capacity < 1 or per_chat < 1 or ttl_seconds <= 0 or max_chars < 1:
            raise ValueError("capacity, per_chat, ttl_seconds and max_chars must be positive")
        self.capacity, self.ttl_seconds, self.per_chat = capacity, ttl_seconds, per_chat
        self.max_chars = max_chars
        self._clock = clock
        # (chat, message) -> (question, when remembered); least recently used first.
        self._entries: OrderedDict[tuple[int, int], tuple[str, float]] = OrderedDict()
        # Each chat's messages, least recently used first: who to drop when it is full.
        self._chats: dict[int, OrderedDict[int, None]] = {}
        # Handlers may run in threads (concurrent updates); every change is under the lock.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def remember(self, chat_id: int, message_id: int, question: str) -> None:
        """Keep the question the answer `message_id` in `chat_id` replied to."""
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            key = (chat_id, message_id)
            self._entries[key] = (question[: self.max_chars], now)
            self._entries.move_to_end(key)
            chat = self._chats.setdefault(chat_id, OrderedDict())
            chat[message_id] = None
            chat.move_to_end(message_id)
            while len(chat) > self.per_chat:
                self._forget((chat_id, next(iter(chat))))
            while len(self._entries) > self.capacity:
                self._forget(next(iter(self._entries)))

    def earlier(self, chat_id: int, message_id: int) -> str | None:
        """The question the answer `message_id` in `chat_id` replied to; None when it is not
        one of the bot's remembered answers, or was answered more than ttl_seconds ago."""
        now = self._clock()
        key = (chat_id, message_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            question, when = entry
            if now - when >= self.ttl_seconds:
                self._forget(key)
                return None
            # Replied to: used again, so among the last to be dropped (its age stays).
            self._entries.move_to_end(key)
            self._chats[chat_id].move_to_end(message_id)
            return question

    def _forget(self, key: tuple[int, int]) -> None:
        del self._entries[key]
        chat = self._chats[key[0]]
        del chat[key[1]]
        if not chat:
            del self._chats[key[0]]

    def _drop_expired(self, now: float) -> None:
        """Drop expired entries from the least recently used end (the rest expire when asked
        for, or are dropped as the oldest when the store is full)."""
        while self._entries:
            key, (_, when) = next(iter(self._entries.items()))
            if now - when < self.ttl_seconds:
                return
            self._forget(key)
