from __future__ import annotations

import pytest

from bot.core import cleaning
from tests.conftest import EN_SEED, SEEDS, ZH_SEED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("戰(zhàn)疫有“我”", "戰疫有“我”"),
        ("舉報(bào)電話", "舉報電話"),
        ("殘?(jiān)、", "殘?、"),
        ("殘?jiān)、", "殘?、"),  # the opening bracket was lost with the character
        ("字\ufffd(jiān)x", "字x"),
        ("城鄉(xiāng)統(tǒng)籌", "城鄉統籌"),
    ],
)
def test_pinyin_notes_are_removed(raw: str, expected: str) -> None:
    assert cleaning.normalise(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "(記者劉輝)“我是一名共產黨員”",
        "Jiang Jie (left) and her colleague. (Photo provided to iChongqing)",
        "北京(Beijing)是首都",
        "a(b) and f(x)",
        "名字(ma)",  # no tone mark: not recognisably a note
    ],
)
def test_real_parentheses_stay(kept: str) -> None:
    assert cleaning.normalise(kept) == kept


def test_nfkc_and_invisible_characters() -> None:
    raw = "ＡＢＣ１２３，\u200b你好\x07\ufeff！\r\nnext\u3000line"
    assert cleaning.normalise(raw) == "ABC123,你好!\nnext line"


@pytest.mark.parametrize(
    "line",
    [
        "渝ICP备20009753号 互联网新闻信息服务许可证号:50120220004",
        "I Agree",
        "Our Privacy Statement & Cookie Policy",
        "By continuing to browse our site you agree to our use of cookies, revised Privacy "
        "Policy and Terms of Use. You can change your cookie settings through your browser.",
        "For any inquiries, please email service@example.info",
        "About UsContact Us",
        "Leaving a message",
        "新聞熱線:023-61520695 舉報電話:023-61520697",
        "關於我們 | 網站聲明 | 意見反饋 Copyright2011-2017 All Rights Reserved 某某網 版權所有",
        "主管單位:某出版集團  主辦單位:某雜誌社有限公司",
        "渝公網安備50010802001019號",
        "Internet illegal and undesirable information can be reported by calling this "
        "telephone number:+86-23-67230470",
        "© 2024 Example Media. All rights reserved.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert cleaning.is_boilerplate(cleaning.normalise(line))


@pytest.mark.parametrize(
    "line",
    [
        "The city set up a hotline for residents who need medicine.",
        "The company changed its privacy policy last year after regulators asked it to "
        "explain how it uses the data of millions of customers in Europe and elsewhere.",
        "Home prices rose five percent in November.",
        "Copyright law protects the expression of ideas, not the ideas themselves.",
        "王小容第一時間向社區申請核酸自檢試劑,並留下自己電話。",
    ],
)
def test_content_is_not_boilerplate(line: str) -> None:
    assert not cleaning.is_boilerplate(line)


def test_english_seed_loses_its_chrome_and_keeps_the_story() -> None:
    text = cleaning.clean((SEEDS / EN_SEED).read_text(encoding="utf-8"))
    for chrome in ("Cookie", "ICP", "About Us", "Leaving a message", "67230470",
                   "A Tour in Chongqing", "A Land of Natural Beauty"):
        assert chrome not in text
    assert text.rstrip().endswith("all for the good of Chongqing.")
    assert "(Photo provided to iChongqing)" in text


def test_chinese_seed_loses_notes_and_footer() -> None:
    text = cleaning.clean((SEEDS / ZH_SEED).read_text(encoding="utf-8"))
    assert "(zhàn)" not in text and "戰疫女兵" in text
    assert "(記者劉輝)" in text
    for chrome in ("新聞熱線", "版權所有", "ICP", "主管單位", "技術支持"):
        assert chrome not in text
    assert "力所能及的小事" in text
