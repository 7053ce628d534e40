"""Per-user limits forget users once a window has passed: memory follows recent users only."""

from __future__ import annotations

import tracemalloc

from bot.faces.telegram.limits import WINDOW, Once, QuestionLimiter


def test_the_limiter_forgets_users_a_window_after_their_last_question() -> None:
    now = [0.0]
    limiter = QuestionLimiter(2, clock=lambda: now[0])
    for user in range(10_000):
        assert limiter.wait_seconds(user) == 0
    limiter.wait_seconds(1)
    limiter.wait_seconds(1)
    assert limiter.wait_seconds(1) > 0 and limiter.should_warn(1)
    assert len(limiter) == 10_000
    now[0] = WINDOW - 1
    assert limiter.wait_seconds(1) > 0  # still held back: nothing is forgotten too early
    now[0] = WINDOW + 1
    assert limiter.wait_seconds(20_000) == 0
    assert len(limiter) == 1 and limiter.wait_seconds(1) == 0


def test_memory_stays_bounded_under_a_stream_of_new_users() -> None:
    now = [0.0]
    limiter = QuestionLimiter(10, clock=lambda: now[0])
    tracemalloc.start()
    try:
        sizes = []
        for minute in range(6):  # 2,000 new users a minute, each asking once
            for i in range(2_000):
                now[0] = minute * WINDOW + i * WINDOW / 2_000
                limiter.wait_seconds(minute * 2_000 + i)
            sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert len(limiter) <= 2 * 2_000  # the last window or two, never all 12,000
    assert sizes[-1] < 1.5 * sizes[1]  # flat, where it grew by ~1.7 MB a minute before


def test_notices_are_sent_once_a_window_and_forgotten_after() -> None:
    now = [0.0]
    once = Once(clock=lambda: now[0])
    assert once.first("chat") and not once.first("chat") and once.first("other")
    now[0] = WINDOW + 0.5
    assert once.first("chat")
    now[0] = 3 * WINDOW
    once.first("new")
    assert len(once) == 1
