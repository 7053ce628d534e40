"""The answer decision's fitted parameters, read from the data file the package ships
(`data/decision_model.json`, written by `benchmarks/fit_decision.py`, which records the command
that produced it)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from bot.core.decision import CASES, FEATURES, DecisionModel, Logistic

MODEL_FILE = "decision_model.json"


def load_decision_model(path: Path | None = None) -> DecisionModel:
    """The shipped model, or the one at `path`; its features must be the core's, in order."""
    if path is None:
        text = resources.files("bot.sources").joinpath("data", MODEL_FILE).read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    names = tuple(data["features"])
    if names != FEATURES:
        raise ValueError(f"decision model features {names} are not the bot's {FEATURES}")
    if set(data["cases"]) != set(CASES):
        raise ValueError(f"decision model cases {sorted(data['cases'])} are not {CASES}")
    products = bool(data.get("products", False))
    return DecisionModel(names, {
        case: Logistic(tuple(m["mean"]), tuple(m["scale"]), tuple(m["coef"]),
                       float(m["intercept"]), products)
        for case, m in data["cases"].items()})
