"""The reply's layout, whatever face draws it: the lead, and how a phone folds a block."""

from __future__ import annotations

import pytest

from bot.core.models import CitedPassage, Hit, Span, StoredPassage
from bot.core.splitting import sentence_spans, width
from bot.faces.reply import LEAD, fold, layout, lead_of, points_back


def _cited(text: str, sentence: str, number: int = 1) -> CitedPassage:
    start = text.index(sentence)
    span = next(s for s in sentence_spans(text) if s.start == start)
    passage = StoredPassage(id=number, doc_id="d", position=1, count=1, text=text, title="T",
                            source=None, url=None, date=None)
    return CitedPassage(number, Hit(passage, 1.0, number), Span(span.start, span.end))


@pytest.mark.parametrize(("sentence", "alone"), [
    ("Fu Linlin takes the residents to the hospital.", True),
    ("She took him to the hospital at dawn that day.", False),
    ("This was the third time that week, the doctor said.", False),
    ("Yes, she did.", False),
    ("東原社區實際居住居民6126戶18000余人。", True),
    ("這是重慶市水利局規計處王小容在家人微信群中的留言。", False),
    ("他说。", False),
])
def test_a_sentence_that_points_back_cannot_stand_alone(sentence: str, alone: bool) -> None:
    assert points_back(sentence) is not alone


def test_the_lead_is_the_answering_sentence_with_the_one_before_only_when_it_needs_it() -> None:
    text = ("Fu Linlin works nights at the community centre. She took him to the hospital at "
            "dawn. The doctors kept him for a week.")
    lead = lead_of(_cited(text, "She took him"))
    assert lead == type(lead)("Fu Linlin works nights at the community centre.",
                              "She took him to the hospital at dawn.")
    alone = lead_of(_cited(text, "The doctors kept"))
    assert alone.before == "" and alone.sentence == "The doctors kept him for a week."


def test_a_run_on_sentence_is_cut_to_the_lead_width() -> None:
    text = "word " * 400
    lead = lead_of(_cited(text, text.split(".")[0]))
    assert width(lead.sentence) <= LEAD and lead.sentence.endswith("…")


def test_fold_shows_three_phone_lines_of_38_columns_then_an_ellipsis() -> None:
    text = " ".join(f"w{n:03d}" for n in range(60))  # 299 columns of five-column words
    shown = fold(text)
    lines = shown.split("\n")
    assert len(lines) == 3 and shown.endswith("…")
    assert all(width(line.rstrip("…")) <= 38 for line in lines)
    assert lines[1].startswith("w") and " w" not in lines[0][-1:]  # wrapped between words
    han = fold("中" * 100)
    assert [width(line.rstrip("…")) for line in han.split("\n")] == [38, 38, 38]
    assert fold("a\nb\nc") == "a\nb\nc" and fold("a\nb\nc\nd") == "a\nb\nc…"


def test_the_first_page_folds_the_lead_passage_and_the_others_into_two_blocks() -> None:
    text = "Intro words here. The answer is in this sentence. More after it."
    top, second, third = (_cited(text, "The answer", n) for n in (1, 2, 3))
    first = layout([top, second, third], 3, True, lambda c: c.hit.passage.text)
    assert first.lead is not None and first.lead_passage is top
    assert first.blocks == ((top,), (second, third))
    later = layout([second, third], 3, False, lambda c: c.hit.passage.text)
    assert later.lead is None and later.blocks == ((second,), (third,))
    assert (later.first, later.last, later.total) == (2, 3, 3)
