"""Retrieval quality over SQuAD-format question sets: Recall@1, Recall@5, MRR@10.

Each paragraph becomes a document (titled by its article), stored by the engine in a temporary
database through the same cleaning, splitting, analysing and storage code as the knowledge
folder; every question is then asked through the engine's answer path, as the bot asks it, with
10 passages. A question is found at rank r when the passage there comes from the question's
own paragraph and contains a gold answer.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.cleaning import clean, normalise
from bot.core.models import Answer, Document, Status
from bot.engine.service import QAService

# A question in, the answer the bot gives with that many passages out.
Ask = Callable[[str, int | None], Answer]

# Passages asked for each question: enough for Recall@5 and MRR@10.
RANKED = 10


@dataclass(frozen=True)
class Question:
    """One evaluation question with the paragraph it was written from."""

    id: str
    text: str
    doc_id: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class EvalResult:
    """The figures `eval` prints."""

    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    build_seconds: float
    questions_per_second: float
    # Share of another set's questions (about other things) that got an answer instead of
    # "nothing found"; None when no such set was given.
    unrelated_answered: float | None = None
    unrelated_questions: int = 0

    def as_json(self) -> dict[str, Any]:
        """The `eval --json` object."""
        out: dict[str, Any] = {
            "questions": self.questions,
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "build_seconds": round(self.build_seconds, 3),
            "questions_per_second": round(self.questions_per_second, 1),
        }
        if self.unrelated_answered is not None:
            out["unrelated_questions"] = self.unrelated_questions
            out["unrelated_answered"] = round(self.unrelated_answered, 4)
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


async def start_collection(settings: Settings, db_path: Path) -> QAService:
    """A service over an empty database of its own at db_path, not the knowledge folder (the
    caches stay where the settings keep them)."""
    own = settings.model_copy(update={"database_path": db_path,
                                      "cache_dir": settings.cache_folder})
    return await QAService.start(own, sync=False)


def score(questions: list[Question], ask: Ask) -> tuple[float, float, float, float]:
    """Recall@1, Recall@5, MRR@10 and the seconds spent asking (`ask` is the engine's, or in a
    tuning script the same answer path over an index of its own)."""
    r1 = r5 = mrr = 0.0
    started = time.perf_counter()
    for q in questions:
        golds = [_norm(a) for a in q.answers]
        for cited in ask(q.text, RANKED).passages:
            passage = cited.hit.passage
            if passage.doc_id == q.doc_id and any(g in _norm(passage.text) for g in golds):
                r1 += cited.number == 1
                r5 += cited.number <= 5
                mrr += 1.0 / cited.number
                break
    seconds = time.perf_counter() - started
    n = max(len(questions), 1)
    return r1 / n, r5 / n, mrr / n, seconds


def answered_share(questions: list[str], ask: Ask) -> float:
    """Share of the questions that get at least one passage (rather than "nothing found")
    with the bot's number of passages and relevance check."""
    answered = sum(ask(q, None).status is Status.ANSWERED for q in questions)
    return answered / max(len(questions), 1)


async def evaluate(
    path: Path,
    settings: Settings,
    limit: int | None = None,
    questions_from: Path | None = None,
    unrelated: Path | None = None,
) -> EvalResult:
    """Store a SQuAD file's paragraphs in a temporary collection, ask its questions through
    the engine, return the figures.

    With `unrelated`, the questions of another SQuAD file, about other things, are asked too
    (the first `limit` of them): the bot should say it found nothing for them.
    """
    documents, questions = load_squad(path, questions_from)
    if limit is not None:
        questions = questions[:limit]
    others: list[str] = []
    if unrelated is not None:
        others = [q.text for q in load_squad(unrelated)[1]][:limit]
    with tempfile.TemporaryDirectory(prefix="bot-eval-") as tmp:
        service = await start_collection(settings, Path(tmp) / "eval.sqlite3")
        try:
            started = time.perf_counter()  # splitting, tokenising, storing, indexing
            await service.index_documents(documents)
            build_seconds = time.perf_counter() - started
            r1, r5, mrr, seconds = score(questions, service.ask)
            share = answered_share(others, service.ask) if unrelated is not None else None
        finally:
            await service.close()
    return EvalResult(
        questions=len(questions),
        recall_at_1=r1,
        recall_at_5=r5,
        mrr_at_10=mrr,
        build_seconds=build_seconds,
        questions_per_second=len(questions) / seconds if seconds > 0 else 0.0,
        unrelated_answered=share,
        unrelated_questions=len(others),
    )
