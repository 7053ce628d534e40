"""The CC-CEDICT tables: cached in the bot's own folder, read back, and never trusted when the
file is damaged or the folder is not the bot's alone."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.analysis import Analyzer
from bot.core.translation import Dictionary, Entry
from bot.sources import cedict


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> tuple[Dictionary, list[int]]:
    """A two-entry dictionary in place of CC-CEDICT, and a count of how often it is built."""
    analyzer = Analyzer()
    small = Dictionary([Entry("医院", ("hospital",)), Entry("学费", ("tuition fee",))], analyzer)
    builds: list[int] = []
    monkeypatch.setattr(cedict, "build", lambda a: builds.append(1) or small)
    monkeypatch.setattr(cedict, "_built", {})  # no dictionary from earlier tests in memory
    return small, builds


def test_cached_tables_load_back_and_damaged_ones_are_rebuilt(
        tmp_path: Path, small: tuple[Dictionary, list[int]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected, builds = small
    analyzer = Analyzer()
    cedict.load_dictionary(analyzer, tmp_path)
    (cache,) = tmp_path.glob("cedict-*.json")
    monkeypatch.setattr(cedict, "_built", {})  # a new process: only the file is left
    loaded = cedict.load_dictionary(analyzer, tmp_path)
    assert builds == [1]  # the second start read the file
    assert loaded.tables == expected.tables
    assert loaded.expand("hospital fee", {"医院": 1, "学费": 1}.get) == [
        ("hospit", "医院"), ("fee", "学费")]
    # an older layout (a list a key) or a broken file is rebuilt, never trusted
    for text in ('[{"hospit": ["医院"]}, {}, {}, {}]', '{"not": "tables"', "[]"):
        cache.write_text(text, encoding="utf-8")
        monkeypatch.setattr(cedict, "_built", {})
        assert cedict.load_dictionary(analyzer, tmp_path).tables == expected.tables
    assert len(builds) == 4


def test_a_process_builds_the_dictionary_once(
        tmp_path: Path, small: tuple[Dictionary, list[int]]) -> None:
    expected, builds = small
    first = cedict.load_dictionary(Analyzer(), tmp_path)
    assert cedict.load_dictionary(Analyzer(), tmp_path) is first
    assert builds == [1]


def test_the_cache_name_changes_with_what_builds_the_tables(
        monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = Analyzer()
    key = cedict.cache_key(analyzer)
    assert cedict.cache_key(Analyzer(stem=False)) != key
    monkeypatch.setattr(cedict.translation, "TABLES_VERSION", -1)
    assert cedict.cache_key(analyzer) != key


def test_nothing_is_read_from_a_folder_others_may_write(
        tmp_path: Path, small: tuple[Dictionary, list[int]]) -> None:
    expected, builds = small
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    planted = shared / f"cedict-{cedict.cache_key(Analyzer())}.json"
    planted.write_text('[{"hospit": "毒药"}, {"hospital": "毒药"}, {}, {}]', encoding="utf-8")
    loaded = cedict.load_dictionary(Analyzer(), shared)
    assert loaded.tables == expected.tables and builds == [1]  # built, the plant ignored
    assert "毒药" not in loaded.to_chinese("hospital")
    assert planted.read_text(encoding="utf-8").count("毒药") == 2  # and nothing written there


def test_tables_of_older_code_are_removed_when_new_ones_are_written(
        tmp_path: Path, small: tuple[Dictionary, list[int]]) -> None:
    stale = tmp_path / "cedict-0123456789abcdef.json"
    stale.write_text("[{}, {}, {}, {}]", encoding="utf-8")
    other = tmp_path / "notes.json"
    other.write_text("{}", encoding="utf-8")
    cedict.load_dictionary(Analyzer(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"cedict-{cedict.cache_key(Analyzer())}.json", "notes.json"])


def test_the_key_needs_no_source_files(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_source(module: object) -> str:
        raise OSError("could not get source code")

    key = cedict.cache_key(Analyzer())
    monkeypatch.setattr(cedict.inspect, "getsource", no_source)
    compiled = cedict.cache_key(Analyzer())  # an install of .pyc files only still starts
    assert len(compiled) == 16 and compiled != key


def test_a_cache_planted_in_the_shared_temporary_folder_is_never_read(
        tmp_path: Path, small: tuple[Dictionary, list[int]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected, builds = small
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    key = cedict.cache_key(Analyzer())
    poison = '[{"hospit": ["毒药"]}, {"hospital": ["毒药"]}, {}, {}]'
    for name in (f"cedict-{key}.json", f"cedict-{key}.{os.getpid()}.tmp", "cedict.json"):
        (shared / name).write_text(poison, encoding="utf-8")  # the names earlier code used
    before = sorted(p.name for p in shared.iterdir())
    monkeypatch.delenv("CACHE_DIR")  # the default: beside the database
    own = Settings(database_path=tmp_path / "data" / "bot.sqlite3").cache_folder
    loaded = cedict.load_dictionary(Analyzer(), own)
    assert "毒药" not in loaded.to_chinese("hospital") and builds == [1]
    assert sorted(p.name for p in shared.iterdir()) == before  # nothing read, nothing written
    assert [p.name for p in own.iterdir()] == [f"cedict-{key}.json"]
