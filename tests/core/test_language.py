from __future__ import annotations

import pytest

from bot.core.language import detect_language, has_han, to_simplified


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is Fu Linlin?", ("en", False)),
        ("Fu Linlin 送谁去了医院？", ("zh", False)),
        ("王小容是誰？", ("zh", True)),
        ("东原社区有多少户居民？", ("zh", False)),
        ("Who is 王小容?", ("en", False)),
        ("😀", ("en", False)),
    ],
)
def test_detect_language(question: str, expected: tuple[str, bool]) -> None:
    assert detect_language(question) == expected


def test_every_han_range_counts_as_han() -> None:
    # extension A, the main block, a compatibility ideograph, extension B (astral)
    for char in ("\u3400", "王", "\uf900", "\U00020000"):
        assert has_han(char), hex(ord(char))
    assert not has_han("abc 123 ，。")
    assert to_simplified("東原社區") == "东原社区"
