"""Fixtures that build on each other: a knowledge folder, settings, a running service.

Every test runs with none of the bot's settings in its environment (a developer's shell may set
STRICTNESS or BM25_K1) but CACHE_DIR, which points at one cache folder for the whole session,
so the dictionary is built once and subprocesses find it too."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.core import analysis
from bot.engine.service import QAService
from bot.sources.cache import prepare_jieba

# A fixed seed and a modest count in CI; HYPOTHESIS_PROFILE=long for the long run by hand.
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None)
hypothesis_settings.register_profile("long", max_examples=10_000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "knowledge"
DATA = Path(__file__).resolve().parent / "data"
EN_SEED = "000_8c4ed84407d39b0c.txt"
ZH_SEED = "003_a5b605149d222604.txt"


def make_pdf(lines: Sequence[str], title: str | None = None) -> bytes:
    """A real one-page PDF whose text layer holds `lines` (Latin-1, Helvetica), made by hand
    with pypdf's writer: it has no API for drawing text, so the content stream is written out."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    escaped = (line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
               for line in lines)
    stream = DecodedStreamObject()
    stream.set_data(("BT /F1 12 Tf 72 800 Td 14 TL " + " ".join(f"({t}) '" for t in escaped)
                     + " ET").encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's cache folder (private, as the bot's own is); jieba is loaded with it."""
    folder = tmp_path_factory.mktemp("cache")
    folder.chmod(0o700)
    prepare_jieba(folder)
    return folder


@pytest.fixture(autouse=True)
def clean_environment(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting of the bot from the developer's environment, the session's cache folder."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("CACHE_DIR", str(cache_dir))


@pytest.fixture(scope="session")
def analyzer(cache_dir: Path) -> analysis.Analyzer:
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
    return Settings(knowledge_dir=knowledge, database_path=tmp_path / "db" / "bot.sqlite3")


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[QAService]:
    """A started service over the seed documents."""
    svc = await QAService.start(settings)
    yield svc
    await svc.close()
