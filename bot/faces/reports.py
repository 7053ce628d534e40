"""Reports as text: what a reload did, and the usage log summed up (questions per day,
misses, most asked, 👎, median time). Pure.

`bot reload`, the console's /reload and the Telegram /reload print the same reload report;
`bot stats` and /stats the same usage text; `bot stats --csv` exports every logged question
with its passages and votes.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from bot.core.models import LoggedQuestion
from bot.engine.refresh import RefreshReport
from bot.engine.reload import SyncReport
from bot.sources.refreshing import Outcome

CSV_COLUMNS = ("id", "asked_at", "chat_type", "language", "user", "question", "status",
               "seconds", "passages", "thumbs_up", "thumbs_down")
HIDDEN = "(question text not stored)"


@dataclass(frozen=True)
class UsageStats:
    """What `/stats` shows."""

    total: int
    per_day: tuple[tuple[str, int], ...]
    missed: int
    median_seconds: float | None
    thumbs_up: int
    thumbs_down: int
    most_asked: tuple[tuple[str, int], ...]
    problems: tuple[LoggedQuestion, ...]  # no passage or a 👎, newest first

    @property
    def missed_share(self) -> float:
        """Share of questions with no relevant passage."""
        return self.missed / self.total if self.total else 0.0


def report_lines(report: SyncReport) -> list[str]:
    """One line per added, changed, removed and skipped file (with the reason)."""
    lines = [f"{label}: {item}" for label, items in (
        ("added", report.added), ("changed", report.changed), ("removed", report.removed),
    ) for item in items]
    # Names come escaped from the scan; a reason can quote a parser's message, so it is kept
    # to one line: neither may forge a line of the report.
    return lines + [f"skipped: {path} ({' '.join(reason.split())})"
                    for path, reason in report.skipped]


def reload_text(report: SyncReport, headline: str = "Reloaded") -> str:
    """The summary line, then one line per added, changed, removed or skipped file."""
    lines = report_lines(report) or ["nothing changed"]
    return f"{headline}: {report.summary()}\n" + "\n".join(lines)


def refresh_text(report: RefreshReport) -> str:
    """What a refresh round did: its summary, each page that changed and each kept though it
    is gone or out of reach (with the reason), then the reload it needed."""
    lines = [report.summary()]
    lines += [f"changed: {p.rel}" for p in report.having(Outcome.CHANGED)]
    lines += [f"{p.outcome.value}, kept: {p.rel} ({p.url}): {' '.join(p.reason.split())}"
              for p in report.kept]
    if report.reload is not None:
        lines.append(f"reloaded: {report.reload.summary()}")
    return "\n".join(lines)


def summarize(log: Sequence[LoggedQuestion], top: int = 10) -> UsageStats:
    """Sum up the log (oldest first, as stored)."""
    per_day = Counter(q.asked_at[:10] for q in log)
    # The same question typed with other capitals or spaces counts once; the latest wording shows.
    wording: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for q in log:
        if q.question:
            key = " ".join(q.question.casefold().split())
            wording[key] = q.question.strip()
            counts[key] += 1
    problems = [q for q in reversed(log) if q.missed or q.disliked]
    return UsageStats(
        total=len(log),
        per_day=tuple(sorted(per_day.items())),
        missed=sum(q.missed for q in log),
        median_seconds=statistics.median(q.seconds for q in log) if log else None,
        thumbs_up=sum(q.votes.count(1) for q in log),
        thumbs_down=sum(q.votes.count(-1) for q in log),
        most_asked=tuple((wording[k], n) for k, n in counts.most_common(top)),
        problems=tuple(problems[:top]),
    )


def stats_text(stats: UsageStats, questions: bool = True) -> str:
    """The summary as plain text, the same on Telegram and in the terminal; `questions` off
    leaves out what people asked (for a chat whose members are not all admins)."""
    if not stats.total:
        return "No questions logged yet."
    median = f"{1000 * stats.median_seconds:.0f} ms" if stats.median_seconds is not None else "-"
    lines = [
        (f"Questions: {stats.total}; no relevant passage: {stats.missed} "
         f"({100 * stats.missed_share:.1f}%); median answer time: {median}; "
         f"👍 {stats.thumbs_up} / 👎 {stats.thumbs_down}"),
        "",
        "Questions per day:",
        *(f"  {day}  {n}" for day, n in stats.per_day),
    ]
    if not questions:
        return "\n".join(lines)
    if stats.most_asked:
        lines += ["", "Most asked:", *(f"  {n}× {text}" for text, n in stats.most_asked)]
    if stats.problems:
        lines += ["", "No answer or 👎:"]
        for q in stats.problems:
            why = "no passage" if q.missed else "👎"
            lines.append(f"  {q.asked_at}  {why}  {q.question or HIDDEN}")
    return "\n".join(lines)


def write_csv(log: Sequence[LoggedQuestion], out: TextIO) -> None:
    """Every logged question as one CSV row; passages as `doc_id#position=score` joined by `; `."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for q in log:
        passages = "; ".join(f"{doc}#{pos}={score:.4f}" for doc, pos, score in q.passages)
        writer.writerow([q.id, q.asked_at, q.chat_type, q.language, q.user or "",
                         q.question if q.question is not None else "", q.status,
                         f"{q.seconds:.4f}", passages, q.votes.count(1), q.votes.count(-1)])
