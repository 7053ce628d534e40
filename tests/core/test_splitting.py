from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.parsing import parse
from bot.core.marks import SECTION
from bot.core.splitting import split_passages, split_sentences, width
from tests.conftest import EN_SEED, SEEDS, ZH_SEED


def _texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_english_sentences_and_abbreviations() -> None:
    text = "Dr. Smith met Mr. Jones at 3 p.m. on Nov. 15. They talked. (Photo provided) Then left!"
    assert _texts(text) == [
        "Dr. Smith met Mr. Jones at 3 p.m. on Nov. 15.",
        "They talked. (Photo provided) Then left!",
    ]


def test_chinese_sentences_with_full_and_half_width_punctuation() -> None:
    text = "“我是一名共產黨員,越是特殊時期!”這是留言。疫情就是命令;心里怕不怕?王小容露出了微笑"
    assert _texts(text) == [
        "“我是一名共產黨員,越是特殊時期!”",
        "這是留言。",
        "疫情就是命令;",
        "心里怕不怕?",
        "王小容露出了微笑",
    ]


def test_question_mark_standing_for_a_lost_character_does_not_end_a_sentence() -> None:
    assert _texts("老弱病殘??、精神病患者等。") == ["老弱病殘??、精神病患者等。"]


def test_paragraph_breaks_end_sentences_and_are_remembered() -> None:
    sentences = split_sentences("A heading\n\nFirst sentence. Second one.\nCaption line")
    assert [s.new_paragraph for s in sentences] == [True, True, False, True]


def test_width_counts_han_twice() -> None:
    assert width("ab") == 2 and width("中文") == 4
    assert width("ＡＢ１") == 6 and width("ｱｲ") == 2  # full-width forms wide, half-width kana not


@given(st.text())
def test_width_is_unicodes_east_asian_width(text: str) -> None:
    expected = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    assert width(text) == expected


@pytest.mark.parametrize("name", [EN_SEED, ZH_SEED])
@pytest.mark.parametrize("target", [200, 600, 1000])
def test_seed_passages_cover_the_text_in_order(name: str, target: int) -> None:
    doc = parse(name, (SEEDS / name).read_bytes())
    passages = split_passages(doc.id, doc.text, target)
    assert passages[0].start == 0 and passages[-1].end == len(doc.text)
    covered = "".join(doc.text[p.start : p.end] for p in passages)
    for word in re.findall(r"\w+", doc.text):
        assert word in covered
    for a, b in zip(passages, passages[1:]):
        assert a.start < b.start and b.start <= a.end + 2  # no gap beyond white space
    assert all(p.text == doc.text[p.start : p.end] for p in passages)
    assert [p.position for p in passages] == list(range(1, len(passages) + 1))
    assert {p.count for p in passages} == {len(passages)}


def test_passages_respect_the_target_and_join_short_fragments() -> None:
    doc = parse(EN_SEED, (SEEDS / EN_SEED).read_bytes())
    passages = split_passages(doc.id, doc.text, 400)
    # no passage is a lone caption or heading
    assert all(width(p.text) >= 120 for p in passages)
    # only a folded-in tail may go past the target
    assert all(width(p.text) <= 400 for p in passages[:-1])


def test_short_overlap_repeats_the_last_sentence() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    passages = split_passages("d", text, 200, overlap=1)
    for a, b in zip(passages, passages[1:]):
        last = _texts(a.text)[-1]
        assert b.text.startswith(last)
    no_overlap = split_passages("d", text, 200, overlap=0)
    for a, b in zip(no_overlap, no_overlap[1:]):
        assert a.end < b.start


def test_huge_line_without_punctuation_is_cut() -> None:
    text = "word " * 5000 + "x" * 3000
    passages = split_passages("d", text.strip(), 500)
    assert len(passages) > 10
    assert all(width(p.text) <= 500 for p in passages[:-1])
    assert passages[-1].end == len(text.strip())


def test_empty_text_gives_no_passages() -> None:
    assert split_passages("d", "  \n\n ") == []


SECTIONED = (f"Opening hours\n\nWe open at nine. We close at six.\n\n{SECTION}Parking\n\n"
             f"Parking is free after six.\n\n{SECTION}停车\n\n晚上六点以后停车免费。")


def test_a_passage_never_runs_across_a_section_and_starts_at_its_heading() -> None:
    # All of it would fit one passage: the marks alone split it, with no overlap across them.
    passages = split_passages("d", SECTIONED, target=1500, overlap=1)
    assert [p.text for p in passages] == [
        "Opening hours\n\nWe open at nine. We close at six.",
        "Parking\n\nParking is free after six.",
        "停车\n\n晚上六点以后停车免费。",
    ]
    assert all(SECTION not in p.text for p in passages)
    assert [p.text for p in passages] == [SECTIONED[p.start:p.end] for p in passages]


def test_a_long_section_keeps_its_heading_and_overlaps_only_inside_itself() -> None:
    body = " ".join(f"Rule {n} says the pool is shut for cleaning." for n in range(30))
    text = f"Pool\n\n{body}\n\n{SECTION}Sauna\n\nThe sauna is open late."
    passages = split_passages("d", text, target=400, overlap=1)
    assert passages[0].text.startswith("Pool\n\nRule 0 ")
    assert passages[-1].text == "Sauna\n\nThe sauna is open late."  # not folded back
    assert sum(1 for p in passages if "Sauna" in p.text) == 1


@given(st.text(alphabet=st.sampled_from("ab .。\n"), max_size=300))
def test_text_without_section_marks_has_no_section_starts(text: str) -> None:
    assert not any(s.new_section for s in split_sentences(text))


def test_a_run_of_headings_starts_one_section_with_its_text() -> None:
    text = (f"Staff handbook\n{SECTION}Night shift\nThe door code is 4471.\n"
            f"{SECTION}Day shift\n{SECTION}Mornings\nThe desk opens at eight.")
    passages = split_passages("d", text, target=400, overlap=1)
    assert [p.text.split("\n") for p in passages] == [
        ["Staff handbook", f"{SECTION}Night shift", "The door code is 4471."],
        ["Day shift", f"{SECTION}Mornings", "The desk opens at eight."],
    ]
