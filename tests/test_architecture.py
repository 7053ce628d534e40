"""The five parts keep to their boundaries: import-linter's contracts (pyproject.toml) hold, and
a crossing is caught, so the check is no formality."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PARTS = ("core", "sources", "store", "engine", "faces")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the package under root, as CI runs it."""
    script = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run([sys.executable, "-c", script, "--config", str(root / "pyproject.toml"),
                           "--no-cache"], cwd=root, env={"PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=300)


def test_every_contract_is_kept() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("core/models.py", "import sqlite3", "bot.core is not allowed to import sqlite3"),
    ("core/answering.py", "from bot.engine import metrics",
     "bot.core.answering -> bot.engine.metrics"),
    ("faces/console.py", "from bot.core.ranking import Ranker",
     "bot.faces is not allowed to import bot.core.ranking"),
    ("sources/folder.py", "from bot.store import database",
     "bot.sources.folder -> bot.store.database"),
])
def test_a_crossing_is_caught(tmp_path: Path, module: str, line: str, contract: str) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "bot" / module
    text = target.read_text(encoding="utf-8")
    head, _, rest = text.partition("from __future__ import annotations\n")
    target.write_text(f"{head}from __future__ import annotations\n{line}\n{rest}",
                      encoding="utf-8")
    done = _lint(copy)
    assert done.returncode != 0
    assert contract in done.stdout, done.stdout


def test_each_part_says_what_it_owns_and_must_never_import() -> None:
    for part in PARTS:
        doc = (ROOT / "bot" / part / "__init__.py").read_text(encoding="utf-8")
        assert "Owns" in doc and "never import" in doc.lower().replace("\n", " "), part
