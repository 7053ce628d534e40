"""Fixtures that build on each other: a knowledge folder, settings, a running service."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot import analysis
from bot.config import Settings
from bot.service import QAService

# A fixed seed and a modest count in CI; HYPOTHESIS_PROFILE=long for the long run by hand.
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None)
hypothesis_settings.register_profile("long", max_examples=10_000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"
EN_SEED = "000_8c4ed84407d39b0c.txt"
ZH_SEED = "003_a5b605149d222604.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run the slow profiles too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow profile: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def analyzer() -> analysis.Analyzer:
    analysis.warm_up()
    return analysis.Analyzer()


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A private copy of the seed documents."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name in (EN_SEED, ZH_SEED):
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.fixture
def settings(tmp_path: Path, knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the private folder and a fresh database, ignoring any .env."""
    monkeypatch.chdir(tmp_path)
    for var in ("TELEGRAM_BOT_TOKEN", "KNOWLEDGE_DIR", "DATABASE_PATH", "TOP_K"):
        monkeypatch.delenv(var, raising=False)
    return Settings(knowledge_dir=knowledge, database_path=tmp_path / "db" / "bot.sqlite3")


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[QAService]:
    """A started service over the seed documents."""
    svc = await QAService.start(settings)
    yield svc
    await svc.close()
