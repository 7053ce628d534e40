"""Fit the answer decision (bot/core/decision.py) on tuning data and write the parameters the
bot ships (bot/sources/data/decision_model.json). Needs the `fit` extra (scikit-learn):

    .venv/bin/pip install -e '.[fit]'
    .venv/bin/python benchmarks/fit_decision.py            # reads ../shared/data/

Tuning data only (report sets and halves are never read here):

- answerable: every question of cmrc2018_trial over its paragraphs; the questions of the
  even-numbered articles of squad_v1.1_dev over its paragraphs, and of XQuAD across languages
  (English questions over xquad_zh paragraphs, Chinese over xquad_en), as README's tuning did;
  and every other question of those squad_v1.1_dev articles over the ~900-document collection
  (articles as files, both languages), where the unrelated questions are asked too, so the
  fit sees right passages of a large bilingual collection, not only of small ones;
- unrelated: the odd lines of nq_open_efficientqa_dev and of cmrc2018_train (its first 3,000
  odd questions), over the seeds, the ~900-document collection of benchmarks/unrelated.py, and
  the answerable sets' collections.

Every candidate the bot ranks (up to 10 a question, duplicates dropped) is one example: right
(its question's own paragraph, holding a gold answer) or not; an unrelated question's passage
holding one of its answers is left out. One regression is fitted for each case of bot/core/decision.py (English,
Chinese, across languages), answerable and unrelated examples weighing the same in each. With
--products the model also weighs every product of two features (what the bot ships).
Prints the tuning curve (answered right first against unrelated answered, by strictness), for
all questions and by the case of each question's first candidate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from unrelated import ROOT, article_file, serve, write_collection  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core.answering import question_candidates  # noqa: E402
from bot.core.cleaning import clean_question, normalise  # noqa: E402
from bot.core.decision import CASES, FEATURES, RANKS, case_of, expand  # noqa: E402
from bot.core.language import detect_language  # noqa: E402
from bot.engine.service import QAService  # noqa: E402
from bot.faces.evaluation import Question, load_questions, load_squad, start_collection  # noqa: E402

MODEL = ROOT / "bot" / "sources" / "data" / "decision_model.json"
RANKED = RANKS  # the candidates the bot's decision looks at


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

    def answerable_set(self, service: QAService, questions: list[Question],
                       gold: Callable[[str], str] = str) -> None:
        """`gold` maps a question's doc_id to the id its document has in this collection."""
        for q in questions:
            golds = [_norm(a) for a in q.answers]
            want = gold(q.doc_id)
            self._add([(x, int(doc == want and any(g in text for g in golds)))
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
    squad_even = even(load_squad(data / "squad_v1.1_dev.json")[1])

    def squad_file(doc_id: str) -> str:  # the file write_collection gave the article
        return article_file("squad_v1.1_dev.json", int(doc_id.split(":")[0]))

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
                shutil.copytree(ROOT / "knowledge", folder)
            else:
                write_collection(folder, data)
            service = await serve(folder, Path(tmp) / f"{which}.sqlite3", settings)
            try:
                if which == "900":  # its own articles' questions, as a bilingual collection
                    ex.answerable_set(service, squad_even[::2], squad_file)
                    counts[0] += len(squad_even[::2])
                ex.unrelated_set(service, nq)
                ex.unrelated_set(service, zh[:1500])
                counts[1] += len(nq) + 1500
            finally:
                await service.close()
            print(f"{which}: {ex.questions} questions, {len(ex.y)} examples", flush=True)
    return ex, counts[0], counts[1]


def curve(ex: Examples, p: np.ndarray, cases: np.ndarray) -> None:
    """Per strictness: answered right first (answerable) and answered (unrelated), for all
    questions and by the case of each question's first candidate."""
    question = np.array(ex.question)
    y = np.array(ex.y)
    answerable = np.zeros(ex.questions, bool)
    answerable[question] = np.array(ex.answerable)
    first_case = np.empty(ex.questions, object)
    first_case[question[::-1]] = cases[::-1]  # the first candidate's case wins
    groups = {"all": np.ones(ex.questions, bool)}
    groups.update({name: first_case == name for name in CASES})
    print("| strictness | " + " | ".join(f"{g}: right first / unrelated answered"
                                          for g in groups) + " |")
    print("|---:|" + "---|" * len(groups))
    for level in [round(0.05 * i, 2) for i in range(20)]:
        shown = np.where(p >= level)[0]
        asked, first = np.unique(question[shown], return_index=True)
        got = np.zeros(ex.questions, bool)
        got[asked] = True
        right = np.zeros(ex.questions, bool)
        right[asked] = y[shown[first]] == 1
        cells = []
        for mask in groups.values():
            a, u = mask & answerable, mask & ~answerable
            cells.append(f"{100 * right[a].sum() / max(a.sum(), 1):.1f} / "
                         f"{100 * got[u].sum() / max(u.sum(), 1):.1f}%")
        print(f"| {level:.2f} | " + " | ".join(cells) + " |")


def main() -> None:
    """Collect, fit, write, print."""
    # What is collected is the features; the shipped model may be one for other features
    # (the reason to refit), so the services here rank without it.
    import bot.engine.service
    bot.engine.service.load_decision_model = lambda: None  # type: ignore[assignment]
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
        ex.questions = answerable + unrelated
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
    case = np.array([case_of(v) for v in raw])
    # Every candidate, right or not, of both kinds of question: leaving out an answerable
    # question's wrong candidates after the first (as a first fit did) taught the model that
    # a passage far down an answerable question's list is right, and it then trusted the
    # 15th passage of an unrelated question more than the first.
    fit = np.ones(len(y), bool)
    p = np.zeros(len(y))
    cases = {}
    for name in CASES:
        # One regression a case, answerable and unrelated examples weighing the same in it.
        mask = fit & (case == name)
        weight = np.where(kind, 1.0 / max((mask & kind).sum(), 1),
                          1.0 / max((mask & ~kind).sum(), 1)) * mask.sum() / 2
        scaler = StandardScaler().fit(x[mask])
        model = LogisticRegression(C=args.C, max_iter=1000)
        model.fit(scaler.transform(x[mask]), y[mask], sample_weight=weight[mask])
        mine = case == name
        p[mine] = model.predict_proba(scaler.transform(x[mine]))[:, 1]
        cases[name] = {
            "mean": [round(float(v), 6) for v in scaler.mean_],
            "scale": [round(float(v), 6) for v in scaler.scale_],
            "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "examples": int(mask.sum()), "right_examples": int(y[mask].sum()),
        }
        print(f"{name}: {int(mask.sum())} examples, {int(y[mask].sum())} right")
        for feature, c in zip(FEATURES, model.coef_[0], strict=False):
            print(f"  {feature:14s} {c:+.3f}")
    out = {
        "features": list(FEATURES),
        "products": args.products,
        "command": "python benchmarks/fit_decision.py " + shlex.join(sys.argv[1:]),
        "tuning": {"answerable_questions": answerable, "unrelated_questions": unrelated,
                   "examples": len(y), "right_examples": int(y.sum())},
        "cases": cases,
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    curve(ex, p, case)


if __name__ == "__main__":
    main()
