from __future__ import annotations

import pytest

from bot.sources import parallel_tokeniser as tokenising
from bot.core.analysis import Analyzer

TEXTS = ["Fu Linlin took the residents to the hospital.", "東原社區實際居住居民6126戶。",
         "", "Volunteers offer hearty support 志愿者 in the fight."] * 3


def test_in_process_batch_equals_one_text_at_a_time(analyzer: Analyzer) -> None:
    assert tokenising.tokenise_all(TEXTS, analyzer) == [analyzer.index_terms(t) for t in TEXTS]


def test_process_pool_gives_the_same_terms_in_the_same_order(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokenising, "PARALLEL_FROM", 1)
    monkeypatch.setattr(tokenising, "_CHUNK", 5)
    assert tokenising.tokenise_all(TEXTS, analyzer, workers=2) == [
        analyzer.index_terms(t) for t in TEXTS
    ]


def test_workers_use_the_callers_analyzer_options(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = Analyzer(stem=False, stop_words=False)
    monkeypatch.setattr(tokenising, "PARALLEL_FROM", 1)
    got = tokenising.tokenise_all(["The running boats"] * 4, plain, workers=2)
    assert got == [["the", "running", "boats"]] * 4


def test_long_batches_show_progress(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tokenising, "PROGRESS_FROM", 5)
    tokenising.tokenise_all(TEXTS, analyzer, workers=1, label="reload")
    assert f"{len(TEXTS)}/{len(TEXTS)}" in capsys.readouterr().err
    tokenising.tokenise_all(TEXTS[:4], analyzer, workers=1)
    assert capsys.readouterr().err == ""
