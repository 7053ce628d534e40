"""Fit the answer decision (bot/core/decision.py) on tuning data and write the parameters the
bot ships (bot/sources/data/decision_model.json). Needs the `fit` extra (scikit-learn):

    .venv/bin/pip install -e '.[fit]'
    .venv/bin/python benchmarks/fit_decision.py            # reads ../shared/data/

Tuning data only (report sets and halves are never read here):

- answerable: every question of cmrc2018_trial over its paragraphs; the questions of the
  even-numbered articles of squad_v1.1_dev over its paragraphs, and of XQuAD across languages
  (English questions over xquad_zh paragraphs, Chinese over xquad_en), as README's tuning did;
- unrelated: the odd lines of nq_open_efficientqa_dev and of cmrc2018_train (its first 3,000
  odd questions), over the seeds, the ~900-document collection of benchmarks/unrelated.py, and
  the answerable sets' collections.

Every candidate the bot ranks (up to 10 a question, duplicates dropped) is one example: right
(its question's own paragraph, holding a gold answer) or not; an unrelated question's passage
holding one of its answers is left out, and so are an answerable question's wrong candidates
after the first. Both kinds of question weigh the same in the fit. With --products the
model also weighs every product of two features (what the bot ships).
Prints the tuning curve (answered right first against unrelated answered, by strictness).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unrelated import ROOT, serve, write_collection  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core.answering import question_candidates  # noqa: E402
from bot.core.cleaning import clean_question, normalise  # noqa: E402
from bot.core.decision import FEATURES, expand  # noqa: E402
from bot.core.language import detect_language  # noqa: E402
from bot.engine.service import QAService  # noqa: E402
from bot.faces.evaluation import Question, load_questions, load_squad, start_collection  # noqa: E402

MODEL = ROOT / "bot" / "sources" / "data" / "decision_model.json"
RANKED = 10


def _norm(text: str) -> str:
    return " ".join(normalise(text).casefold().split())


def rows(service: QAService, question: str) -> list[tuple[list[float], str, str]]:
    """(features, doc_id, normalised text) of the question's ranked candidates."""
    options = service.options
    cleaned = clean_question(question)
    language, _ = detect_language(cleaned)
    _, found = question_candidates(cleaned, language, service.index, service.analyzer,
                                   options)
    return [(list(c.features), c.hit.passage.doc_id, _norm(c.hit.passage.text))
            for c in found[:RANKED]]


class Examples:
    """Features, labels, weights and each example's question, for the fit and the curve."""

    def __init__(self) -> None:
        self.x: list[list[float]] = []
        self.y: list[int] = []
        self.question: list[int] = []
        self.answerable: list[bool] = []
        self.questions = 0

    def answerable_set(self, service: QAService, questions: list[Question]) -> None:
        for q in questions:
            golds = [_norm(a) for a in q.answers]
            self._add([(x, int(doc == q.doc_id and any(g in text for g in golds)))
                       for x, doc, text in rows(service, q.text)], True)

    def unrelated_set(self, service: QAService, questions: list) -> None:
        for q in questions:
            golds = [_norm(a) for a in q.answers]
            self._add([(x, 0) for x, _, text in rows(service, q.text)
                       if not (golds and any(g in text for g in golds))], False)

    def _add(self, labelled: list[tuple[list[float], int]], answerable: bool) -> None:
        for x, y in labelled:
            self.x.append(x)
            self.y.append(y)
            self.question.append(self.questions)
            self.answerable.append(answerable)
        self.questions += 1


async def collect(data: Path, settings: Settings) -> tuple[Examples, int, int]:
    """Ask every tuning set; the examples and how many answerable and unrelated questions."""
    ex = Examples()
    nq = load_questions(data / "nq_open_efficientqa_dev.jsonl", "odd")
    zh = load_questions(data / "cmrc2018_train.json", "odd")[:3000]
    counts = [0, 0]

    def even(questions: list[Question]) -> list[Question]:
        return [q for q in questions if int(q.doc_id.split(":")[0]) % 2 == 0]

    sets = [
        ("cmrc2018_trial.json", None, lambda qs: qs, [zh[:1000], nq[:300]]),
        ("squad_v1.1_dev.json", None, even, [nq, zh[:500]]),
        ("xquad_zh.json", "xquad_en.json", even, [nq[:450], zh[:500]]),
        ("xquad_en.json", "xquad_zh.json", even, [zh[:1000], nq[:300]]),
    ]
    with tempfile.TemporaryDirectory(prefix="bot-fit-") as tmp:
        for n, (name, questions_from, pick, unrelated) in enumerate(sets):
            documents, questions = load_squad(
                data / name, data / questions_from if questions_from else None)
            service = await start_collection(settings, Path(tmp) / f"{n}.sqlite3")
            try:
                await service.index_documents(documents)
                chosen = pick(questions)
                ex.answerable_set(service, chosen)
                counts[0] += len(chosen)
                for qs in unrelated:
                    ex.unrelated_set(service, qs)
                    counts[1] += len(qs)
            finally:
                await service.close()
            print(f"{name}: {ex.questions} questions, {len(ex.y)} examples", flush=True)
        for which in ("seeds", "900"):
            folder = Path(tmp) / which
            if which == "seeds":
                import shutil
                shutil.copytree(ROOT / "knowledge", folder)
            else:
                write_collection(folder, data)
            service = await serve(folder, Path(tmp) / f"{which}.sqlite3", settings)
            try:
                ex.unrelated_set(service, nq)
                ex.unrelated_set(service, zh[:1500])
                counts[1] += len(nq) + 1500
            finally:
                await service.close()
            print(f"{which}: {ex.questions} questions, {len(ex.y)} examples", flush=True)
    return ex, counts[0], counts[1]


def curve(ex: Examples, p: np.ndarray) -> None:
    """Per strictness: answered right first (answerable) and answered (unrelated)."""
    question = np.array(ex.question)
    y = np.array(ex.y)
    answerable = np.array(ex.answerable)
    print("| strictness | answerable: right first | unrelated: answered |")
    print("|---:|---:|---:|")
    for s in [round(0.05 * i, 2) for i in range(20)]:
        right = unrel = 0
        n_ans = n_unrel = 0
        first_seen: dict[int, int] = {}
        for i in range(len(y)):
            if p[i] >= s and question[i] not in first_seen:
                first_seen[question[i]] = i
        qa = {q: a for q, a in zip(question.tolist(), answerable.tolist(), strict=True)}
        n_ans = sum(qa.values())
        n_unrel = len(qa) - n_ans
        for qid, i in first_seen.items():
            if qa[qid]:
                right += y[i]
            else:
                unrel += 1
        print(f"| {s:.2f} | {100 * right / max(n_ans, 1):.1f} | {100 * unrel / max(n_unrel, 1):.1f} |")


def main() -> None:
    """Collect, fit, write, print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation")
    parser.add_argument("--products", action="store_true",
                        help="also weigh every product of two features")
    parser.add_argument("--examples", type=Path, default=None,
                        help="an .npz file: the examples are saved there, or read if it exists")
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if args.examples is not None and args.examples.exists():
        saved = np.load(args.examples)
        ex = Examples()
        ex.x, ex.y = saved["x"].tolist(), saved["y"].tolist()
        ex.question, ex.answerable = saved["question"].tolist(), saved["answerable"].tolist()
        answerable, unrelated = (int(v) for v in saved["counts"])
    else:
        ex, answerable, unrelated = asyncio.run(collect(args.data, Settings()))
        if args.examples is not None:
            np.savez(args.examples, x=np.array(ex.x), y=np.array(ex.y),
                     question=np.array(ex.question), answerable=np.array(ex.answerable),
                     counts=np.array([answerable, unrelated]))
    raw = np.array(ex.x)
    x = np.array([expand(v, args.products) for v in raw])
    y = np.array(ex.y)
    kind = np.array(ex.answerable)
    rank = raw[:, FEATURES.index("rank")]
    # Fitted on what the decision must tell apart: an answerable question's first candidate
    # (right or wrong) and its right ones further down, against every candidate of questions
    # about other things. An answerable question's other candidates are left out: many are
    # on its topic, and whether they help is unknown.
    fit = np.where(kind, (rank == 1) | (y == 1), True)
    weight = np.where(kind, 1.0 / max((fit & kind).sum(), 1),
                      1.0 / max((fit & ~kind).sum(), 1)) * fit.sum() / 2
    scaler = StandardScaler().fit(x[fit])
    model = LogisticRegression(C=args.C, max_iter=500)
    model.fit(scaler.transform(x[fit]), y[fit], sample_weight=weight[fit])
    p = model.predict_proba(scaler.transform(x))[:, 1]
    out = {
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "products": args.products,
        "command": "python benchmarks/fit_decision.py " + shlex.join(sys.argv[1:]),
        "tuning": {"answerable_questions": answerable, "unrelated_questions": unrelated,
                   "examples": len(y), "right_examples": int(y.sum())},
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for name, c in zip(FEATURES, model.coef_[0], strict=False):
        print(f"{name:14s} {c:+.3f}")
    curve(ex, p)


if __name__ == "__main__":
    main()
