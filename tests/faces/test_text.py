from __future__ import annotations

import dataclasses

from bot.core.models import Answer, CitedPassage, Hit, Span, Status, StoredPassage
from bot.faces.text import ANSI_BOLD, citation, render_text, to_json


def _cited(number: int = 1, url: str | None = "https://example.org/a") -> CitedPassage:
    passage = StoredPassage(
        id=7, doc_id="news/a.txt", position=2, count=5,
        text="First sentence.\n\nThe answer is here. Last one.",
        title="A Title", source="Example Desk", url=url, date="2024-02-03",
    )
    return CitedPassage(number, Hit(passage, 3.25, number), Span(17, 36), confidence=0.812345)


def test_citation_line_in_both_languages() -> None:
    assert citation(_cited(), "en") == (
        "[1] A Title — Example Desk, https://example.org/a, 2024-02-03, passage 2/5"
    )
    assert citation(_cited(url=None), "zh") == "[1] A Title — Example Desk, 2024-02-03, 第 2/5 段"
    assert citation(_cited(), "zh", traditional=True).endswith("第 2/5 段")


def test_render_text_leads_with_the_answer_then_its_citation_then_the_evidence() -> None:
    answer = Answer("q?", "en", False, Status.ANSWERED, "The answer is here.", (_cited(),))
    lead, citation_line, blank, *quoted = render_text(answer).split("\n")
    assert lead == "**The answer is here.**"
    assert citation_line.startswith("[1] A Title — Example Desk")
    assert blank == "" and quoted == ["│ First sentence.", "│ **The answer is here.** Last one."]
    assert "\033[1mThe answer is here.\033[0m" in render_text(answer, ANSI_BOLD)


def test_render_text_folds_long_evidence_as_a_phone_does_and_full_shows_it_all() -> None:
    long = _cited()
    passage = dataclasses.replace(long.hit.passage, text="Intro words. The answer is here. "
                                  + "More and more words follow it here. " * 12)
    cited = dataclasses.replace(long, hit=dataclasses.replace(long.hit, passage=passage),
                                highlight=Span(13, 32))
    other = dataclasses.replace(cited, number=2)
    answer = Answer("q?", "en", False, Status.ANSWERED, "The answer is here.", (cited, other))
    folded, full = render_text(answer), render_text(answer, full=True)
    blocks = folded.split("\n\n")[1:]
    assert len(blocks) == 2 and all(b.endswith("…") for b in blocks)
    assert all(len(b.split("\n")) == 3 for b in blocks)  # three lines of a phone
    assert blocks[1].startswith("│ [2] A Title — ")  # the other passage shows its citation
    assert full.count("More and more words") == 24 and "…" not in full


def test_no_passages_renders_the_message() -> None:
    answer = Answer("q?", "en", False, Status.NO_MATCH, "Nothing found.")
    assert render_text(answer) == "Nothing found."
    assert to_json(answer) == {"question": "q?", "language": "en", "status": "no_match",
                               "answer": "Nothing found.", "context": None, "passages": []}


def test_json_has_exactly_the_documented_keys() -> None:
    answer = Answer("q?", "zh", False, Status.ANSWERED, "The answer is here.", (_cited(),))
    data = to_json(answer)
    assert set(data) == {"question", "language", "status", "answer", "context", "passages"}
    assert data["passages"] == [{
        "rank": 1, "score": 3.25, "confidence": 0.8123, "doc_id": "news/a.txt", "title": "A Title",
        "source": "Example Desk", "date": "2024-02-03", "passage": 2, "passages_in_doc": 5,
        "row": None, "text": "First sentence.\n\nThe answer is here. Last one.",
    }]


def test_excerpt_keeps_whole_sentences_around_the_answer() -> None:
    from bot.faces.text import excerpt
    from bot.core.splitting import width

    sentences = [f"Sentence number {i} says something long enough to count." for i in range(30)]
    text = " ".join(sentences)
    target = sentences[15]
    start = text.index(target)
    cut, span = excerpt(text, Span(start, start + len(target)), limit=300)
    assert width(cut) <= 300 + 4
    assert cut.startswith("… ") and cut.endswith(" …")
    assert span is not None and cut[span.start : span.end] == target
    assert sentences[16] in cut  # what follows the answer is shown first
    short = "One sentence. Two sentences."
    assert excerpt(short, None, limit=300) == (short, None)
