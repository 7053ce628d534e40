"""What users get, over SQuAD-format question sets: answered with a right passage first,
answered but wrong, declined; Recall@5 and MRR@10 of the ranked list; and the share of
questions about other things that get an answer anyway.

Each paragraph becomes a document (titled by its article), stored by the engine in a temporary
database through the same cleaning, splitting, analysing and storage code as the knowledge
folder; every question is then asked through the engine's answer path, as the bot asks it. A
passage is right when it comes from the question's own paragraph and contains a gold answer.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.cleaning import clean, normalise
from bot.core.collections import Scope
from bot.core.models import Answer, Document, Status
from bot.engine.service import QAService

# A question in, the answer the bot gives with that many passages (None: the bot's own) and
# that strictness (None: the bot's own; 0: every ranked passage, with its confidence) out.
Ask = Callable[[str, int | None, float | None], Answer]

# Passages of the ranked list asked for each question: enough for Recall@5 and MRR@10.
RANKED = 10
# Strictness levels of the trade-off table (`eval --strictness-curve`).
CURVE = tuple(round(0.05 * i, 2) for i in range(20))


@dataclass(frozen=True)
class Question:
    """One evaluation question with the paragraph it was written from."""

    id: str
    text: str
    doc_id: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Asked:
    """A question about other things, with the answers a right reply would hold (maybe none)."""

    text: str
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scores:
    """Shares of answerable questions: what the user got, and where the ranked list had it."""

    answered_right: float
    answered_wrong: float
    declined: float
    recall_at_5: float
    mrr_at_10: float
    seconds: float
    # For each CURVE strictness, the share answered with a right passage first.
    curve: tuple[float, ...] = ()


@dataclass(frozen=True)
class Unrelated:
    """Shares of questions about other things: answered with none of their answers (false
    answers), and answered with a passage holding one (right by chance)."""

    questions: int
    answered: float
    answered_right: float
    # For each CURVE strictness, the share answered falsely.
    curve: tuple[float, ...] = ()


@dataclass(frozen=True)
class EvalResult:
    """The figures `eval` prints."""

    questions: int
    recall_at_1: float  # answered with a right passage first: the headline
    recall_at_5: float
    mrr_at_10: float
    build_seconds: float
    questions_per_second: float
    answered_wrong: float = 0.0
    declined: float = 0.0
    # Share of another set's questions (about other things) that got an answer instead of
    # "nothing found"; None when no such set was given.
    unrelated_answered: float | None = None
    unrelated_questions: int = 0
    unrelated_answered_right: float = 0.0
    # (strictness, answered right first, unrelated answered falsely or None) for each level
    curve: tuple[tuple[float, float, float | None], ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The `eval --json` object."""
        out: dict[str, Any] = {
            "questions": self.questions,
            "recall@1": round(self.recall_at_1, 4),
            "answered_wrong": round(self.answered_wrong, 4),
            "declined": round(self.declined, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "build_seconds": round(self.build_seconds, 3),
            "questions_per_second": round(self.questions_per_second, 1),
        }
        if self.unrelated_answered is not None:
            out["unrelated_questions"] = self.unrelated_questions
            out["unrelated_answered"] = round(self.unrelated_answered, 4)
            out["unrelated_answered_right"] = round(self.unrelated_answered_right, 4)
        if self.curve:
            out["strictness_curve"] = [
                {"strictness": level, "recall@1": round(right, 4),
                 "unrelated_answered": None if unrelated is None else round(unrelated, 4)}
                for level, right, unrelated in self.curve]
        return out


def _norm(text: str) -> str:
    return " ".join(normalise(text).casefold().split())


def load_squad(
    path: Path, questions_from: Path | None = None
) -> tuple[list[Document], list[Question]]:
    """Documents (one per paragraph) and answerable questions from a SQuAD-format file.

    With questions_from, question texts are taken from a parallel file with the same ids.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    other: dict[str, str] = {}
    if questions_from is not None:
        parallel = json.loads(questions_from.read_text(encoding="utf-8"))
        other = {
            qa["id"]: qa["question"]
            for article in parallel["data"]
            for para in article["paragraphs"]
            for qa in para["qas"]
        }
    documents: list[Document] = []
    questions: list[Question] = []
    for a, article in enumerate(data["data"]):
        title = str(article.get("title") or f"article {a}").replace("_", " ")
        for p, para in enumerate(article["paragraphs"]):
            doc_id = f"{a}:{p}"
            documents.append(Document(id=doc_id, title=title, text=clean(para["context"])))
            for qa in para["qas"]:
                answers = tuple(x["text"] for x in qa.get("answers", []) if x["text"].strip())
                if qa.get("is_impossible") or not answers:
                    continue
                text = other.get(qa["id"], qa["question"]) if other else qa["question"]
                if questions_from is not None and qa["id"] not in other:
                    continue
                questions.append(Question(qa["id"], text, doc_id, answers))
    return documents, questions


def _answers(value: object) -> tuple[str, ...]:
    """Answer strings from a JSONL object's `answer` or `answers` (strings or SQuAD dicts)."""
    items = value if isinstance(value, list) else [value] if value else []
    out = [x.get("text", "") if isinstance(x, dict) else str(x) for x in items]
    return tuple(a for a in out if a.strip())


def load_questions(path: Path, half: str = "all") -> list[Asked]:
    """Questions of a SQuAD-format file (every question, answerable or not), or of a text or
    JSONL file: one question a line, as text, a JSON string, or an object with a `question`
    field (and maybe `answer` / `answers`). `half` keeps the odd or even ones (1-based, in file
    order: odd lines for tuning, even ones for reports)."""
    text = path.read_text(encoding="utf-8")
    asked: list[Asked] = []
    squad: Any = None
    if text.lstrip().startswith("{"):
        try:
            squad = json.loads(text)
        except json.JSONDecodeError:
            squad = None  # JSONL: an object a line
    if isinstance(squad, dict) and "data" in squad:
        asked = [Asked(qa["question"], _answers(qa.get("answers")))
                 for article in squad["data"] for para in article["paragraphs"]
                 for qa in para["qas"]]
    else:
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            item: Any = line
            if line[0] in '{"':
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    item = line
            if isinstance(item, dict):
                asked.append(Asked(str(item.get("question", "")),
                                   _answers(item.get("answers", item.get("answer")))))
            else:
                asked.append(Asked(str(item)))
    if half != "all":
        keep = 1 if half == "odd" else 0
        asked = [a for n, a in enumerate(asked, start=1) if n % 2 == keep]
    return [a for a in asked if a.text.strip()]


async def start_collection(settings: Settings, db_path: Path) -> QAService:
    """A service over an empty database of its own at db_path, not the knowledge folder (the
    caches stay where the settings keep them)."""
    own = settings.model_copy(update={"database_path": db_path,
                                      "cache_dir": settings.cache_folder})
    return await QAService.start(own, sync=False)


def _holds(text: str, golds: Sequence[str]) -> bool:
    norm = _norm(text)
    return any(g in norm for g in golds)


def _is_right(cited: Any, question: Question, golds: Sequence[str]) -> bool:
    passage = cited.hit.passage
    return passage.doc_id == question.doc_id and _holds(passage.text, golds)


def _shown(ranked: Answer, level: float) -> list[Any]:
    """The ranked passages the answer path shows at strictness `level` (the confidence is
    each passage's own, so the answer at any strictness is read off the ranked list)."""
    return [c for c in ranked.passages if c.confidence is None or c.confidence >= level]


def score_all(questions: Sequence[Question], ask: Ask) -> Scores:
    """What the user got (the bot's own answer: right passage first, wrong, declined), the
    ranked list's Recall@5 and MRR@10 (every ranked passage, 10 of them), and from that list
    the share answered right first at each CURVE strictness. `ask` is the engine's, or in a
    tuning script the same answer path over an index of its own."""
    right = wrong = declined = r5 = mrr = 0.0
    curve = [0.0] * len(CURVE)
    started = time.perf_counter()
    for q in questions:
        golds = [_norm(a) for a in q.answers]
        got = ask(q.text, None, None)
        if not got.passages:
            declined += 1
        elif _is_right(got.passages[0], q, golds):
            right += 1
        else:
            wrong += 1
        ranked = ask(q.text, RANKED, 0.0)
        for cited in ranked.passages:
            if _is_right(cited, q, golds):
                r5 += cited.number <= 5
                mrr += 1.0 / cited.number
                break
        for i, level in enumerate(CURVE):
            shown = _shown(ranked, level)
            curve[i] += bool(shown) and _is_right(shown[0], q, golds)
    seconds = time.perf_counter() - started
    n = max(len(questions), 1)
    return Scores(right / n, wrong / n, declined / n, r5 / n, mrr / n, seconds,
                  tuple(c / n for c in curve))


def score(questions: list[Question], ask: Ask) -> tuple[float, float, float, float]:
    """Answered right first, Recall@5, MRR@10 and the seconds spent asking."""
    s = score_all(questions, ask)
    return s.answered_right, s.recall_at_5, s.mrr_at_10, s.seconds


def unrelated_shares(questions: Sequence[Asked], ask: Ask, curve: bool = False) -> Unrelated:
    """How many questions about other things got passages with the bot's own settings: with
    none of the question's answers in them (false answers), and with one (right by chance);
    with `curve`, the false share at each CURVE strictness too."""
    false = right = 0
    levels = [0.0] * len(CURVE)
    for q in questions:
        golds = [_norm(a) for a in q.answers]
        got = ask(q.text, None, None)
        if got.status is Status.ANSWERED and got.passages:
            if golds and any(_holds(c.hit.passage.text, golds) for c in got.passages):
                right += 1
            else:
                false += 1
        if curve:
            ranked = ask(q.text, RANKED, 0.0)
            for i, level in enumerate(CURVE):
                shown = _shown(ranked, level)[:3]
                levels[i] += bool(shown) and not (
                    golds and any(_holds(c.hit.passage.text, golds) for c in shown))
    n = max(len(questions), 1)
    return Unrelated(len(questions), false / n, right / n,
                     tuple(v / n for v in levels) if curve else ())


def answered_share(questions: list[str], ask: Ask) -> float:
    """Share of the questions that get at least one passage (rather than "nothing found")."""
    return unrelated_shares([Asked(q) for q in questions], ask).answered


async def evaluate(
    path: Path,
    settings: Settings,
    limit: int | None = None,
    questions_from: Path | None = None,
    unrelated: Path | None = None,
    half: str = "all",
    curve: bool = False,
    collections: Sequence[str] = (),
) -> EvalResult:
    """Store a SQuAD file's paragraphs in a temporary collection, ask its questions through
    the engine, return the figures.

    With `unrelated` (a SQuAD, text or JSONL file; `half` of its lines), questions about
    other things are asked too (the first `limit` of them): the bot should say it found
    nothing for them. With `curve`, the trade-off at each CURVE strictness: answered right
    first against unrelated answered. With `collections`, the paragraphs go into the first,
    the knowledge folder's documents are indexed beside them in their own, and every
    question is asked as a chat that sees the named collections alone: the figures must be
    those of the set alone, however much else is indexed.
    """
    documents, questions = load_squad(path, questions_from)
    if limit is not None:
        questions = questions[:limit]
    others: list[Asked] = []
    if unrelated is not None:
        others = load_questions(unrelated, half)[:limit]
    with tempfile.TemporaryDirectory(prefix="bot-eval-") as tmp:
        service = await start_collection(settings, Path(tmp) / "eval.sqlite3")
        try:
            ask: Ask = service.ask
            if collections:
                await service.reload()  # the folder's collections, which must not matter
                documents = [dataclasses.replace(d, path=f"{collections[0]}/{d.id}")
                             for d in documents]
                ask = functools.partial(service.ask, scope=Scope(frozenset(collections)))
            started = time.perf_counter()  # splitting, tokenising, storing, indexing
            await service.index_documents(documents)
            build_seconds = time.perf_counter() - started
            s = score_all(questions, ask)
            shares = (unrelated_shares(others, ask, curve) if unrelated is not None
                      else None)
        finally:
            await service.close()
    return EvalResult(
        questions=len(questions),
        recall_at_1=s.answered_right,
        recall_at_5=s.recall_at_5,
        mrr_at_10=s.mrr_at_10,
        build_seconds=build_seconds,
        questions_per_second=len(questions) / s.seconds if s.seconds > 0 else 0.0,
        answered_wrong=s.answered_wrong,
        declined=s.declined,
        unrelated_answered=shares.answered if shares else None,
        unrelated_questions=len(others),
        unrelated_answered_right=shares.answered_right if shares else 0.0,
        curve=tuple(
            (level, s.curve[i], shares.curve[i] if shares and shares.curve else None)
            for i, level in enumerate(CURVE)) if curve else (),
    )
