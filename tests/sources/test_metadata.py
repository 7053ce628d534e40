from __future__ import annotations

import pytest

from bot.core import cleaning
from bot.sources import metadata
from tests.conftest import EN_SEED, SEEDS, ZH_SEED


def _body(name: str) -> str:
    """The seed as scraped, without the front matter the knowledge copy carries."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


def test_english_seed_title_skips_the_site_label() -> None:
    inferred = metadata.infer(cleaning.clean(_body(EN_SEED)))
    assert inferred.title == "Volunteers Offer Hearty Support in Fight against COVID-19 Resurgence"
    assert "iChongqing Title" not in inferred.body


def test_chinese_seed_title_date_and_publisher_from_the_dateline() -> None:
    inferred = metadata.infer(cleaning.clean(_body(ZH_SEED)))
    assert inferred.title is not None and inferred.title.endswith("王小容:從水利標兵到戰疫女兵")
    assert "熱線" not in inferred.title
    assert inferred.date == "2022-11-24"
    assert inferred.source == "城鄉統籌發展網"
    assert "11:38:44" not in inferred.body  # the dateline became metadata


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Published 2023-05-02 by staff", "2023-05-02"),
        ("发布时间：2021年3月9日", "2021-03-09"),
        ("Nov 18, 2022 | News", "2022-11-18"),
        ("Posted 7 September 2020", "2020-09-07"),
        ("2022-13-45 is not a date", None),
        ("At 3 am on Nov 15, he got up", None),  # no year: an event, not a publication date
    ],
)
def test_find_date(text: str, date: str | None) -> None:
    assert metadata.find_date(text) == date


def test_date_from_url() -> None:
    url = "https://www.example.info/2022/11/18/some-story/"
    assert metadata.date_from_url(url) == "2022-11-18"
    assert metadata.date_from_url("http://example.org/news/251697.html") is None


def test_title_needs_substance() -> None:
    assert not metadata.is_meaningful_title("Example Title")
    assert metadata.is_meaningful_title("Volunteers Offer Hearty Support")
    assert metadata.is_meaningful_title("王小容從水利標兵")


def test_date_later_in_the_story_is_not_the_document_date() -> None:
    lines = ["A headline that is long enough"] + ["Body sentence here."] * 12
    lines.append("On 2019-01-01 something happened.")
    assert metadata.infer("\n".join(lines)).date is None


def test_a_paragraph_is_no_title_the_short_name_above_it_is() -> None:
    paragraph = ("楼曾瑞（Lour Tsang Tsay Lawrence），祖籍上海，是前香港英文中学联会主席，"
                 "亦是迦密主恩中学的创校校长、迦密中学前副校长，现为明光社主席及灵实恩光学校校监。")
    inferred = metadata.infer(f"楼曾瑞\n\n{paragraph}")
    assert inferred.title == "楼曾瑞" and inferred.body.startswith("楼曾瑞\n\n楼曾瑞（")
    alone = metadata.infer(paragraph + "\n\nMore text.")
    assert alone.title == paragraph  # no better name: fields.title cuts it to fit
    assert alone.body.startswith(paragraph)  # nothing lost from the text
    # a short meaningful line is the title, as before, whatever is above it
    assert metadata.infer("Site\n\nVolunteers Offer Hearty Support\n\nText.").title == (
        "Volunteers Offer Hearty Support")
