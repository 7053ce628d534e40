"""Callback data: every format built is read back, and nothing else is."""

from __future__ import annotations

import pytest

from bot.faces.telegram import callbacks


def test_every_format_reads_back() -> None:
    assert callbacks.parse(callbacks.turn("Ab-_9xYz", 0)) == callbacks.Turn("Ab-_9xYz", 0)
    assert callbacks.parse(callbacks.turn("k", 9)) == callbacks.Turn("k", 9)
    assert callbacks.parse(callbacks.context("k", 10)) == callbacks.Context("k", 10)
    assert callbacks.parse(callbacks.vote(987654321, -1)) == callbacks.Vote(987654321, -1)
    assert callbacks.parse(callbacks.remove("k", True)) == callbacks.Remove("k", True)
    assert callbacks.parse(callbacks.remove("k", False)) == callbacks.Remove("k", False)
    assert callbacks.parse(callbacks.add_page("k", True)) == callbacks.AddPage("k", True)
    assert callbacks.parse(callbacks.page("s", 0)) == callbacks.Page("s", 0)
    assert callbacks.parse(callbacks.page("d", 41)) == callbacks.Page("d", 41)
    assert len(callbacks.vote(10**18 - 1, -1).encode()) <= 64


@pytest.mark.parametrize("data", [
    None, "", "fb:" + "9" * 30 + ":1", "fb:0:1", "fb:1:2", "fb:²:1", "fb:1:1\n", "fb:-5:1",
    "ctx:k:²", "ctx:k:0", "ctx:k:100", "ctx::1", "ans:k", "ans:a b:1", "ans:" + "k" * 17 + ":1",
    "ans:k:01", "ans:k:100", "ans:k:-1", "more:k",
    "rm:k:maybe", "rm:k", "add:k:maybe", "add::yes", "nope:1", "٣", "pg:x:1", "pg:s:01", "pg:s:-1", "pg:s:1234567",
])
def test_anything_else_is_refused(data: str | None) -> None:
    assert callbacks.parse(data) is None
