from __future__ import annotations

import csv
import io

from bot.faces.reports import CSV_COLUMNS, LoggedQuestion, stats_text, summarize, write_csv


def _q(n: int, day: str, question: str | None, seconds: float, found: bool = True,
       votes: tuple[int, ...] = ()) -> LoggedQuestion:
    passages = (("doc.txt", 2, 7.5), ("other.md", 1, 3.25)) if found else ()
    return LoggedQuestion(n, f"{day}T10:00:0{n % 10}Z", "private", "en", question, "1001",
                          "answered" if found else "no_match", seconds, passages, votes)


LOG = [
    _q(1, "2026-11-24", "Who is Fu Linlin?", 0.010),
    _q(2, "2026-11-24", "who is  fu linlin?", 0.030, votes=(1,)),
    _q(3, "2026-11-25", "What is the capital of France?", 0.020, found=False),
    _q(4, "2026-11-25", "When does the pool open?", 0.050, votes=(-1, 1)),
    _q(5, "2026-11-25", None, 0.040, found=False),
]


def test_summary_counts_days_misses_votes_and_median() -> None:
    stats = summarize(LOG)
    assert stats.total == 5
    assert stats.per_day == (("2026-11-24", 2), ("2026-11-25", 3))
    assert stats.missed == 2 and stats.missed_share == 0.4
    assert stats.median_seconds == 0.030
    assert (stats.thumbs_up, stats.thumbs_down) == (2, 1)


def test_most_asked_folds_case_and_spaces_and_skips_hidden_text() -> None:
    stats = summarize(LOG, top=2)
    assert stats.most_asked[0] == ("who is  fu linlin?", 2)
    assert len(stats.most_asked) == 2
    assert all(text for text, _ in stats.most_asked)


def test_problems_are_misses_and_thumbs_down_newest_first() -> None:
    assert [q.id for q in summarize(LOG).problems] == [5, 4, 3]


def test_stats_text() -> None:
    text = stats_text(summarize(LOG))
    assert "Questions: 5; no relevant passage: 2 (40.0%); median answer time: 30 ms" in text
    assert "👍 2 / 👎 1" in text
    assert "  2026-11-25  3" in text
    assert "  2× who is  fu linlin?" in text
    assert "no passage  What is the capital of France?" in text
    assert "👎  When does the pool open?" in text
    assert "(question text not stored)" in text
    assert stats_text(summarize([])) == "No questions logged yet."


def test_csv_round_trip() -> None:
    out = io.StringIO()
    write_csv(LOG, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5
    assert rows[0]["passages"] == "doc.txt#2=7.5000; other.md#1=3.2500"
    assert rows[3]["thumbs_up"] == "1" and rows[3]["thumbs_down"] == "1"
    assert rows[4]["question"] == "" and rows[2]["passages"] == ""
