"""Saving and loading the index while other saves run: no shared temporary folder, a load sees
one whole set, and nothing is left behind by a save that failed or whose process died."""

from __future__ import annotations

import dataclasses
import errno
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.core.index import SearchIndex
from bot.store import index_store
from tests.processes import start_together
from tests.store.test_index_store import KEY, TOKENS, stored

OTHER_TOKENS = [["lantern", "festival"], ["moon", "cake"], ["lantern"], ["tea", "moon"]]
OTHER_KEY = index_store.key_for("v2", "lucene", 1.2, 0.75)
SAVE = ("import sys; from pathlib import Path; from bot.core.index import SearchIndex; "
        "from bot.store import index_store; from tests.store.test_index_store import KEY, "
        "TOKENS, stored; index = SearchIndex.build(stored(TOKENS), TOKENS); "
        "print('ready', flush=True); sys.stdin.readline(); "
        "index_store.save(Path(sys.argv[1]), index, KEY)")


def _other() -> SearchIndex:
    passages = [dataclasses.replace(p, text=f"other {p.text}") for p in stored(TOKENS)]
    return SearchIndex.build(passages, OTHER_TOKENS)


def _in_thread(name: str, target: Callable[..., object],
               *args: object) -> tuple[threading.Thread, list[object]]:
    """Run target in a thread of that name; its result or exception lands in the list."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(target(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result.append(exc)

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, result


def test_a_save_overtaken_by_another_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ix"
    written, overtaken = threading.Event(), threading.Event()
    real_save = np.save

    def pause_first_saver(path: object, *args: object, **kwargs: object) -> None:
        real_save(path, *args, **kwargs)
        if threading.current_thread().name == "first" and not written.is_set():
            written.set()  # part of its files written, then the other save runs whole
            assert overtaken.wait(30)

    monkeypatch.setattr(np, "save", pause_first_saver)
    first, result = _in_thread("first", index_store.save, folder, _other(), OTHER_KEY)
    assert written.wait(30)
    index_store.save(folder, SearchIndex.build(stored(TOKENS), TOKENS), KEY)
    overtaken.set()
    first.join(30)
    # Before the fix: FileNotFoundError, the other save had removed the shared .tmp folder.
    assert not isinstance(result[0], BaseException), result
    loaded = index_store.load(folder, OTHER_KEY, len(TOKENS))  # the last one swapped in
    assert loaded is not None and loaded.table.texts[0].startswith("other ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]


def test_a_load_started_on_one_set_never_returns_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ix"
    index_store.save(folder, SearchIndex.build(stored(TOKENS), TOKENS), KEY)
    reading, replaced = threading.Event(), threading.Event()
    real_load = np.load

    def pause_reader(file: object, *args: object, **kwargs: object) -> object:
        if threading.current_thread().name == "reader" and not reading.is_set():
            reading.set()  # manifest and digests read, then the set is replaced
            assert replaced.wait(30)
        return real_load(file, *args, **kwargs)

    monkeypatch.setattr(np, "load", pause_reader)
    reader, result = _in_thread("reader", index_store.load, folder, KEY, len(TOKENS))
    assert reading.wait(30)
    index_store.save(folder, _other(), KEY)  # same key and size: only the content differs
    replaced.set()
    reader.join(30)
    loaded = result[0]
    # Before the fix: the first manifest's key over the second set's arrays and texts.
    assert isinstance(loaded, SearchIndex)
    assert [loaded.table[i] for i in range(4)] == stored(TOKENS)


def test_a_failed_save_leaves_no_folder_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ix"
    index_store.save(folder, SearchIndex.build(stored(TOKENS), TOKENS), KEY)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        index_store.save(folder, _other(), OTHER_KEY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]
    assert index_store.load(folder, KEY, len(TOKENS)) is not None  # the old set stays


def test_sets_left_by_dead_processes_are_removed(tmp_path: Path) -> None:
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)
    dead = [tmp_path / f"ix.tmp-{gone}-abcd1234", tmp_path / f"ix.old-{gone}-00ff"]
    alive = tmp_path / "ix.tmp-1-efgh5678"  # init's: a running process
    unrelated = tmp_path / "ix.notes-1-2"
    for path in (*dead, alive, unrelated):
        path.mkdir()
        (path / "texts.bin").write_bytes(b"x")
    index_store.save(tmp_path / "ix", SearchIndex.build(stored(TOKENS), TOKENS), KEY)
    assert not any(p.exists() for p in dead)
    assert alive.exists() and unrelated.exists()


@pytest.mark.parametrize("rounds", [1, pytest.param(30, marks=pytest.mark.slow)])
def test_processes_saving_at_once_all_succeed(tmp_path: Path, rounds: int) -> None:
    for n in range(rounds):
        folder = tmp_path / f"ix{n}"
        done = [c.wait_done() for c in start_together([[SAVE, str(folder)]] * 3, cwd=tmp_path)]
        assert [d.returncode for d in done] == [0] * 3, [d.stderr for d in done]
        assert index_store.load(folder, KEY, len(TOKENS)) is not None
    assert {p.name for p in tmp_path.iterdir()} == {f"ix{n}" for n in range(rounds)}
