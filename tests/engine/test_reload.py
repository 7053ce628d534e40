from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.analysis import Analyzer
from bot.store.database import Database
from bot.engine.reload import sync_folder
from bot.sources.folder import FolderError
from tests.conftest import EN_SEED, ZH_SEED

NOTE = "---\ntitle: Pool hours\n---\nThe swimming pool opens at seven and closes at nine.\n"


async def _sync(db: Database, folder: Path, analyzer: Analyzer):
    return await sync_folder(db, folder, analyzer, passage_size=600)


async def test_first_sync_adds_the_seeds(tmp_path: Path, knowledge: Path, analyzer: Analyzer):
    db = await Database.open(tmp_path / "db.sqlite3")
    report = await _sync(db, knowledge, analyzer)
    assert sorted(report.added) == [EN_SEED, ZH_SEED]
    assert report.passages == len((await db.corpus())[0]) > 4
    again = await _sync(db, knowledge, analyzer)
    assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 2)
    assert not again.touched
    await db.close()


async def test_changes_additions_and_removals(tmp_path: Path, knowledge: Path, analyzer: Analyzer):
    db = await Database.open(tmp_path / "db.sqlite3")
    await _sync(db, knowledge, analyzer)
    (knowledge / "sub").mkdir()
    (knowledge / "sub" / "pool.md").write_text(NOTE, encoding="utf-8")
    (knowledge / ZH_SEED).unlink()
    en = knowledge / EN_SEED
    en.write_text(en.read_text(encoding="utf-8") + "\nA new closing line was added here.\n",
                  encoding="utf-8")
    report = await _sync(db, knowledge, analyzer)
    assert report.added == ["sub/pool.md"]
    assert report.changed == [EN_SEED]
    assert report.removed == [ZH_SEED]
    titles = {p.title for p in (await db.corpus())[0]}
    assert "Pool hours" in titles and not any("王小容" in t for t in titles)
    await db.close()


async def test_touched_but_unchanged_file_is_not_reparsed(
    tmp_path: Path, knowledge: Path, analyzer: Analyzer
):
    db = await Database.open(tmp_path / "db.sqlite3")
    await _sync(db, knowledge, analyzer)
    before = (await db.corpus())[0]
    path = knowledge / EN_SEED
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report = await _sync(db, knowledge, analyzer)
    assert report.unchanged == 2 and not report.touched
    assert (await db.corpus())[0] == before
    assert (await db.file_states())[EN_SEED].mtime_ns == path.stat().st_mtime_ns
    await db.close()


async def test_bad_files_are_skipped_with_reasons_and_others_load(
    tmp_path: Path, knowledge: Path, analyzer: Analyzer
):
    (knowledge / "empty.txt").write_bytes(b"")
    (knowledge / "binary.txt").write_bytes(os.urandom(3000))
    (knowledge / "latin.txt").write_bytes(b"\xff\xfe\xfd" * 50)
    (knowledge / "image.png").write_bytes(b"\x89PNG")
    (knowledge / "chrome.html").write_text("<html><body><nav>Home</nav></body></html>")
    (knowledge / ".hidden.txt").write_text("secret notes that are never indexed")
    (knowledge / "gbk.txt").write_bytes("社区图书馆每天早上九点开门，借书期限为三周。".encode("gb18030"))
    db = await Database.open(tmp_path / "db.sqlite3")
    report = await _sync(db, knowledge, analyzer)
    reasons = dict(report.skipped)
    assert set(reasons) == {"empty.txt", "binary.txt", "latin.txt", "image.png", "chrome.html"}
    assert "empty" in reasons["empty.txt"]
    assert "unsupported" in reasons["image.png"]
    assert sorted(report.added) == [EN_SEED, ZH_SEED, "gbk.txt"]
    await db.close()


async def test_file_that_breaks_keeps_its_last_good_version(
    tmp_path: Path, knowledge: Path, analyzer: Analyzer
):
    db = await Database.open(tmp_path / "db.sqlite3")
    await _sync(db, knowledge, analyzer)
    before = (await db.corpus())[0]
    (knowledge / EN_SEED).write_bytes(os.urandom(2000))
    report = await _sync(db, knowledge, analyzer)
    assert report.skipped and report.skipped[0][0] == EN_SEED
    assert "previous version" in report.skipped[0][1]
    assert report.removed == [] and (await db.corpus())[0] == before
    await db.close()


async def test_duplicate_ids_are_reported(tmp_path: Path, knowledge: Path, analyzer: Analyzer):
    (knowledge / "a.md").write_text("---\nid: same\n---\nFirst file about the pool hours.\n")
    (knowledge / "b.md").write_text("---\nid: same\n---\nSecond file about the library.\n")
    db = await Database.open(tmp_path / "db.sqlite3")
    report = await _sync(db, knowledge, analyzer)
    assert ("b.md", "id 'same' is already used by a.md") in report.skipped
    await db.close()


async def test_missing_folder_changes_nothing(tmp_path: Path, knowledge: Path, analyzer: Analyzer):
    db = await Database.open(tmp_path / "db.sqlite3")
    await _sync(db, knowledge, analyzer)
    before = (await db.corpus())[0]
    with pytest.raises(FolderError, match="does not exist"):
        await _sync(db, tmp_path / "nowhere", analyzer)
    assert (await db.corpus())[0] == before
    await db.close()


async def test_new_analyzer_rebuilds_terms(tmp_path: Path, knowledge: Path, analyzer: Analyzer):
    db = await Database.open(tmp_path / "db.sqlite3")
    await _sync(db, knowledge, analyzer)
    plain = Analyzer(stem=False)
    report = await _sync(db, knowledge, plain)
    assert sorted(report.changed) == [EN_SEED, ZH_SEED]
    tokens = {t for terms in (await db.corpus())[1] for t in terms}
    assert "volunteers" in tokens and "volunt" not in tokens
    await db.close()


async def test_a_50_mb_single_line_file_is_skipped_and_the_rest_loads(
    tmp_path: Path, knowledge: Path, analyzer: Analyzer
):
    with (knowledge / "huge.txt").open("w") as f:
        for _ in range(50):
            f.write("lantern " * (2**20 // 8))  # one line, 50 MB
    db = await Database.open(tmp_path / "db.sqlite3")
    report = await _sync(db, knowledge, analyzer)
    assert dict(report.skipped)["huge.txt"].startswith("too large (50 MB")
    assert sorted(report.added) == [EN_SEED, ZH_SEED]
    await db.close()
