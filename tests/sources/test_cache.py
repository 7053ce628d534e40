"""The bot's cache folder: private when made, refused when others may write to it, and jieba's
cache kept there instead of the shared temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from bot.sources.cache import private_folder
from tests.conftest import ROOT


def test_a_new_cache_folder_is_private(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "data" / "cache")
    assert folder is not None
    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_folder_others_may_write_is_refused(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(mode)
    assert private_folder(folder) is None


def test_a_file_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    assert private_folder(tmp_path / "cache") is None


def test_jieba_keeps_its_cache_in_the_bots_folder_not_the_shared_one(tmp_path: Path) -> None:
    shared, cache = tmp_path / "tmp", tmp_path / "cache"
    shared.mkdir()
    # A planted cache in the shared temporary folder, under the name jieba would look for.
    (shared / "jieba.cache").write_bytes(b"planted")
    code = ("import sys; from pathlib import Path; from bot.sources.cache import prepare_jieba;"
            "import jieba; prepare_jieba(Path(sys.argv[1])); print(jieba.lcut('王小容在水利局'))")
    env = {**os.environ, "TMPDIR": str(shared)}
    done = subprocess.run([sys.executable, "-c", code, str(cache)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "水利局" in done.stdout
    assert [p.name for p in cache.iterdir()] == [f"jieba-{jieba.__version__}.cache"]
    assert sorted(p.name for p in shared.iterdir()) == ["jieba.cache"]  # untouched, unread


def test_jieba_refuses_to_start_without_a_folder() -> None:
    code = "from bot.core.analysis import Analyzer; Analyzer().tokens('王小容')"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "cache folder is not set" in done.stderr
