"""The in-memory store of the questions the bot's answers replied to: bounded, expiring, with
an injected clock (never sleeping)."""

from __future__ import annotations

import threading

import pytest

from bot.engine.conversations import MAX_CHARS, Conversations


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_question_is_found_by_chat_and_message() -> None:
    store = Conversations(clock=Clock())
    store.remember(1, 10, "Who is Fu Linlin?")
    store.remember(2, 10, "王小容是谁？")
    assert store.earlier(1, 10) == "Who is Fu Linlin?"
    assert store.earlier(2, 10) == "王小容是谁？"  # same message id, other chat
    assert store.earlier(1, 11) is None and store.earlier(3, 10) is None
    store.remember(1, 10, "How old is Duan Chengming?")  # the same answer again: replaced
    assert store.earlier(1, 10) == "How old is Duan Chengming?" and len(store) == 2


def test_entries_expire_after_the_ttl_whether_or_not_they_are_read() -> None:
    clock = Clock()
    store = Conversations(ttl_seconds=60, clock=clock)
    store.remember(1, 10, "first")
    clock.now += 59.9
    assert store.earlier(1, 10) == "first"  # reading does not make it younger
    clock.now += 0.1
    assert store.earlier(1, 10) is None
    assert len(store) == 0  # and it is gone, not just hidden


def test_expired_entries_are_dropped_as_new_ones_come() -> None:
    clock = Clock()
    store = Conversations(ttl_seconds=60, clock=clock)
    for message in range(5):
        store.remember(1, message, f"q{message}")
    clock.now += 61
    store.remember(2, 1, "new")
    assert len(store) == 1 and store.earlier(2, 1) == "new"


def test_beyond_capacity_the_least_recently_used_goes() -> None:
    store = Conversations(capacity=3, clock=Clock())
    for chat in (1, 2, 3):
        store.remember(chat, 1, f"q{chat}")
    assert store.earlier(1, 1) == "q1"  # chat 1's answer replied to: used recently
    store.remember(4, 1, "q4")
    assert store.earlier(2, 1) is None  # the least recently used
    assert [store.earlier(c, 1) for c in (1, 3, 4)] == ["q1", "q3", "q4"]
    assert len(store) == 3


def test_one_busy_chat_cannot_push_the_others_out() -> None:
    store = Conversations(capacity=10, per_chat=3, clock=Clock())
    store.remember(1, 1, "quiet chat")
    for message in range(100):
        store.remember(2, message, f"busy {message}")
    assert store.earlier(1, 1) == "quiet chat"
    assert [store.earlier(2, m) for m in (96, 97, 98, 99)] == [None, "busy 97", "busy 98",
                                                              "busy 99"]
    assert len(store) == 4


def test_question_text_is_stored_bounded() -> None:
    store = Conversations(clock=Clock())
    store.remember(1, 1, "x" * 100_000)
    assert store.earlier(1, 1) == "x" * MAX_CHARS


@pytest.mark.parametrize("bad", [{"capacity": 0}, {"per_chat": 0}, {"ttl_seconds": 0}])
def test_bounds_must_be_positive(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        Conversations(**bad)  # type: ignore[arg-type]


def test_handlers_in_threads_keep_it_consistent() -> None:
    store = Conversations(capacity=50, per_chat=10, clock=Clock())

    def chat(chat_id: int) -> None:
        for message in range(200):
            store.remember(chat_id, message, f"{chat_id}:{message}")
            store.earlier(chat_id, message - 5)

    threads = [threading.Thread(target=chat, args=(c,)) for c in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store) == 50
    for c in range(8):
        kept = [m for m in range(200) if store.earlier(c, m) is not None]
        assert len(kept) <= 10 and all(store.earlier(c, m) == f"{c}:{m}" for m in kept)
