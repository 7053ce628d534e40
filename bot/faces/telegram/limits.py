"""Per-user question limits: a sliding one-minute window, with an injectable clock for tests."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class QuestionLimiter:
    """At most `per_minute` questions per user in any 60 seconds; 0 means no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}

    def wait_seconds(self, user_id: int) -> int:
        """0 and the question is counted, or how many whole seconds until the user may ask."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= WINDOW:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return max(1, int(asked[0] + WINDOW - now + 0.999))
        asked.append(now)
        return 0

    def should_warn(self, user_id: int) -> bool:
        """True the first time a user is held back in a window, False for the rest of it."""
        now = self._clock()
        if self._warned_until.get(user_id, 0.0) > now:
            return False
        asked = self._asked.get(user_id)
        self._warned_until[user_id] = (asked[0] + WINDOW) if asked else now + WINDOW
        return True

