"""The knowledge folder in: which files are documents, and each one split and tokenised with its
title as a field of every passage."""

from __future__ import annotations

from pathlib import Path

from bot.core.analysis import Analyzer
from bot.core.models import Document
from bot.sources.folder import fingerprint, scan, split, with_tokens


def test_the_title_is_a_field_of_every_passage(analyzer: Analyzer) -> None:
    doc = Document(id="d", title="River Festival",
                   text="Boats race along the river at noon.\n\nLanterns glow on the water at night.")
    (update,) = with_tokens([split(doc, 40, 0)], analyzer)
    assert len(update.passages) == 2 == len(update.tokens)
    for passage, terms in zip(update.passages, update.tokens, strict=True):
        assert terms.count("festiv") == analyzer.title_weight  # from the title, every passage
        assert terms[: -analyzer.title_weight * 2] == analyzer.index_terms(passage.text)


def test_batches_keep_each_documents_own_terms(analyzer: Analyzer) -> None:
    docs = [Document(id=f"d{n}", title=title, text=text) for n, (title, text) in enumerate(
        [("Pool hours", "The pool opens at seven."), ("图书馆", "借书期限为三周。")])]
    first, second = with_tokens([split(d, 1500, 1) for d in docs], analyzer)
    assert "pool" in first.tokens[0] and "图书馆" not in first.tokens[0]
    assert "图书馆" in second.tokens[0] and "pool" not in second.tokens[0]


def test_scan_and_fingerprint_see_documents_not_hidden_or_other_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("secret", encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("?", encoding="utf-8")
    files, passed = scan(tmp_path)
    assert [f.rel for f in files] == ["a.md"]
    assert passed == [("notes.xyz", "unsupported file type .xyz")]
    before = fingerprint(tmp_path)
    (tmp_path / "a.md").write_text("# A\n\nMore text.", encoding="utf-8")
    assert fingerprint(tmp_path) != before
