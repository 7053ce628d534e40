"""A full disk is named as such, with the folder and the room left, never answered with "restore
a backup"; a write that finds no room changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.analysis import Analyzer
from bot.store.database import Database, DiskFullError
from bot.store.errors import explain
from tests.conftest import DATA, ROOT
from tests.store.test_database import TEXT, _update


async def test_a_write_that_finds_no_room_names_the_folder_and_changes_nothing(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        await db.apply([_update(analyzer, "a", TEXT)])
        pages = (await db.connection.execute_fetchall("PRAGMA page_count"))[0][0]
        # SQLite's own "database or disk is full", as on a disk with no room left.
        await db.connection.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFullError) as info:
            await db.apply([_update(analyzer, "b", TEXT * 50)], removals=["a"])
        assert [d.id for d in await db.documents()] == ["a"]
    finally:
        await db.close()
    message = str(info.value)
    assert "database or disk is full" in message and "bot restore" not in message
    assert "(" in message and "free)" in message  # the room left on the disk it names
    assert str(tmp_path.resolve()) in message or "temporary folder" in message


def test_other_failures_keep_their_own_advice(tmp_path: Path) -> None:
    path = str(tmp_path / "a.sqlite3")
    corrupt = explain(path, Exception("file is not a database"))
    assert not isinstance(corrupt, DiskFullError) and "bot restore" in str(corrupt)
    # Plenty of room here: an I/O error is not blamed on the disk being full.
    assert "bot restore" in str(explain(path, Exception("disk I/O error")))
    assert "another program holds a lock" in str(explain(path, Exception("database is locked")))
    assert isinstance(explain(path, OSError(28, "No space left on device")), DiskFullError)


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("unshare") is None,
                    reason="needs unshare to mount a small tmpfs")
@pytest.mark.parametrize("size", [pytest.param("8k", marks=pytest.mark.slow),  # at opening
                                  "200k"])  # while storing: a traceback before the fix
def test_eval_with_a_full_temporary_folder_says_what_is_full(tmp_path: Path, size: str) -> None:
    small = tmp_path / "small"
    small.mkdir()
    script = (f"mount -t tmpfs -o size={size} tmpfs {small} && TMPDIR={small} "
              f"exec {sys.executable} -m bot eval {DATA / 'cmrc2018_dev_slice.json'} --limit 5")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "CROSS_LINGUAL": "false"})
    if done.returncode and done.stderr.startswith(("unshare:", "mount:")):
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 1, done.stderr
    # Before the fix: "restore a backup with `bot restore FILE`" (or a traceback).
    assert f"the disk holding the temporary folder {small} (0 bytes free) is full" in done.stderr
    assert "set TMPDIR" in done.stderr and "bot restore" not in done.stderr
    assert "Traceback" not in done.stderr
