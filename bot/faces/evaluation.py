"""Retrieval quality over SQuAD-format question sets: Recall@1, Recall@5, MRR@10.

Each paragraph becomes a document (titled by its article) in a temporary database, built by
the same cleaning, splitting, analysing and storage code as the knowledge folder; every
question is then asked through the same retrieval as the bot. A question is found at rank r
when the passage there comes from the question's own paragraph and contains a gold answer.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core import analysis
from bot.core.answering import retrieve
from bot.core.cleaning import clean, normalise
from bot.config import Settings
from bot.core.index import SearchIndex
from bot.core.models import Document
from bot.core.splitting import split_passages
from bot.store.database import Database, DocumentUpdate
from bot.sources.folder import with_tokens
from bot.core.translation import Dictionary, load_dictionary


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


async def build_index(
    documents: list[Document], settings: Settings, analyzer: analysis.Analyzer, db_path: Path
) -> SearchIndex:
    """Split, tokenise and store the documents, then load them back as the bot does."""
    db = await Database.open(db_path)
    try:
        updates = [
            DocumentUpdate(doc, split_passages(doc.id, doc.text, settings.passage_size,
                                               settings.passage_overlap), [])
            for doc in documents
        ]
        await db.apply(with_tokens(updates, analyzer))
        stored, tokens = await db.corpus()
    finally:
        await db.close()
    return SearchIndex.build(stored, tokens, settings.bm25_variant, settings.bm25_k1,
                             settings.bm25_b)


def score(
    questions: list[Question], index: SearchIndex, analyzer: analysis.Analyzer, settings: Settings,
    dictionary: Dictionary | None = None,
) -> tuple[float, float, float, float]:
    """Recall@1, Recall@5, MRR@10 and the seconds spent asking."""
    r1 = r5 = mrr = 0.0
    started = time.perf_counter()
    for q in questions:
        hits = retrieve(analyzer.tokens(q.text), index, 10, settings.min_coverage,
                        analyzer.words(q.text), dictionary, q.text)
        golds = [_norm(a) for a in q.answers]
        for hit in hits:
            if hit.passage.doc_id == q.doc_id and any(g in _norm(hit.passage.text) for g in golds):
                r1 += hit.rank == 1
                r5 += hit.rank <= 5
                mrr += 1.0 / hit.rank
                break
    seconds = time.perf_counter() - started
    n = max(len(questions), 1)
    return r1 / n, r5 / n, mrr / n, seconds


def answered_share(
    questions: list[str], index: SearchIndex, analyzer: analysis.Analyzer, settings: Settings,
    dictionary: Dictionary | None = None,
) -> float:
    """Share of the questions that get at least one passage (rather than "nothing found")
    with the bot's number of passages and relevance check."""
    answered = sum(
        bool(retrieve(analyzer.tokens(q), index, settings.top_k, settings.min_coverage,
                      analyzer.words(q), dictionary, q))
        for q in questions
    )
    return answered / max(len(questions), 1)


async def evaluate(
    path: Path,
    settings: Settings,
    limit: int | None = None,
    questions_from: Path | None = None,
    unrelated: Path | None = None,
) -> EvalResult:
    """Build a temporary index from a SQuAD file, ask its questions, return the figures.

    With `unrelated`, the questions of another SQuAD file, about other things, are asked too
    (the first `limit` of them): the bot should say it found nothing for them.
    """
    analysis.warm_up()
    analyzer = analysis.Analyzer()
    documents, questions = load_squad(path, questions_from)
    if limit is not None:
        questions = questions[:limit]
    with tempfile.TemporaryDirectory(prefix="bot-eval-") as tmp:
        started = time.perf_counter()
        index = await build_index(documents, settings, analyzer, Path(tmp) / "eval.sqlite3")
        build_seconds = time.perf_counter() - started
    dictionary = load_dictionary(analyzer) if settings.cross_lingual else None
    r1, r5, mrr, seconds = score(questions, index, analyzer, settings, dictionary)
    others: list[str] = []
    if unrelated is not None:
        others = [q.text for q in load_squad(unrelated)[1]][:limit]
    return EvalResult(
        questions=len(questions),
        recall_at_1=r1,
        recall_at_5=r5,
        mrr_at_10=mrr,
        build_seconds=build_seconds,
        questions_per_second=len(questions) / seconds if seconds > 0 else 0.0,
        unrelated_answered=(answered_share(others, index, analyzer, settings, dictionary)
                            if unrelated is not None else None),
        unrelated_questions=len(others),
    )
