"""Per-user limits: a sliding one-minute window, with an injectable clock for tests.

Both tables forget a user once their last entry is a window old, looked over at most once a
window: memory follows the users of the last minute or two, not every user ever seen.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

WINDOW = 60.0


class Once:
    """True the first time a key is seen in a window (a notice worth sending once), then
    False until that window has passed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[Hashable, float] = {}
        self._pruned = clock()

    def __len__(self) -> int:
        return len(self._until)

    def first(self, key: Hashable, until: float | None = None) -> bool:
        """True (and quiet for the key until `until`, or a window from now) unless quiet now."""
        now = self._clock()
        if now - self._pruned >= WINDOW:
            self._until = {k: t for k, t in self._until.items() if t > now}
            self._pruned = now
        if self._until.get(key, 0.0) > now:
            return False
        self._until[key] = now + WINDOW if until is None else until
        return True


class QuestionLimiter:
    """At most `per_minute` questions per user in any 60 seconds; 0 means no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[Hashable, deque[float]] = {}
        self._warned = Once(clock)
        self._pruned = clock()

    def __len__(self) -> int:
        """Users whose questions are remembered."""
        return len(self._asked)

    def wait_seconds(self, user_id: Hashable) -> int:
        """0 and the question is counted, or how many whole seconds until the user may ask."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        if now - self._pruned >= WINDOW:
            self._prune(now)
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= WINDOW:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return max(1, int(asked[0] + WINDOW - now + 0.999))
        asked.append(now)
        return 0

    def should_warn(self, user_id: Hashable) -> bool:
        """True the first time a user is held back in a window, False for the rest of it."""
        asked = self._asked.get(user_id)
        return self._warned.first(user_id, (asked[0] + WINDOW) if asked else None)

    def _prune(self, now: float) -> None:
        """Forget users whose latest question has left the window."""
        self._asked = {u: q for u, q in self._asked.items() if q and now - q[-1] < WINDOW}
        self._pruned = now
