"""What went wrong with the database file, and what to do about it.

    StorageError        the database cannot be used; the message says why and the fix
    └── DiskFullError   no room left where it writes (its folder, or the temporary folder
                        SQLite also writes to); the message names which, with the room left
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

# Less room than this where SQLite writes counts as full: it grows files a page at a time,
# and a "disk I/O error" there is most likely a write that found no room.
_LOW_BYTES = 1024 * 1024


class StorageError(RuntimeError):
    """The database file cannot be used (newer schema, corrupt file)."""


class DiskFullError(StorageError):
    """The disk holding the database, or the temporary folder, has no room left."""


def explain(path: str, exc: BaseException) -> StorageError:
    """The error to raise for a failure on the database file: what happened and the fix."""
    text = str(exc)
    full = _full_folders(path)
    # SQLite says "database or disk is full"; a bare "full" could be part of a path in the text.
    if "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC or (
            "disk I/O error" in text and full):
        return DiskFullError(f"cannot use database {path}: {text}. Fix: {_no_room(path, full)}")
    if "locked" in text or "busy" in text:
        fix = "another program holds a lock on it (a second bot?); stop it and try again"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        fix = "make the file and its folder writable, or point DATABASE_PATH / --db elsewhere"
    else:
        fix = ("restore a backup with `bot restore FILE`, or move the file away and start "
               "again: the database is rebuilt from the knowledge folder")
    return StorageError(f"cannot use database {path}: {text}. Fix: {fix}")


def _no_room(path: str, full: list[Path]) -> str:
    """Which folders are full, and how to make room; both when it is not clear which."""
    folders = full or _folders(path)
    moves = ["set TMPDIR to a folder with room" if _is_temporary(f)
             else "point DATABASE_PATH / --db at a disk with room" for f in folders]
    verb = "is" if full and len(folders) == 1 else "may be"
    return (f"{' and '.join(_room(f) for f in folders)} {verb} full: free space there, or "
            f"{' and '.join(moves)}")


def _folders(path: str) -> list[Path]:
    """Where SQLite writes for this database: its folder (or the temporary folder it is in)
    and the temporary folder, once each when they are on one disk."""
    temporary = Path(tempfile.gettempdir()).resolve()
    own = Path(path).resolve().parent
    folders: list[Path] = []
    devices: set[int] = set()
    for folder in (temporary if own.is_relative_to(temporary) else own, temporary):
        try:
            device = os.stat(_existing(folder)).st_dev
        except OSError:
            continue
        if device not in devices:
            devices.add(device)
            folders.append(folder)
    return folders


def _full_folders(path: str) -> list[Path]:
    """The folders SQLite writes to that have (almost) no room left."""
    return [f for f in _folders(path) if _free(f) < _LOW_BYTES]


def _is_temporary(folder: Path) -> bool:
    return folder == Path(tempfile.gettempdir()).resolve()


def _existing(folder: Path) -> Path:
    """The folder, or its nearest parent that exists (a database folder not made yet)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _free(folder: Path) -> int:
    """Bytes free on the folder's disk; when that cannot be learnt, enough not to blame it."""
    try:
        return shutil.disk_usage(_existing(folder)).free
    except OSError:
        return _LOW_BYTES


def _room(folder: Path) -> str:
    """"the disk holding /tmp (12 kB free)"."""
    free = _free(folder)
    for unit in ("bytes", "kB", "MB", "GB"):
        if free < 1024 or unit == "GB":
            break
        free //= 1024
    kind = "temporary folder" if _is_temporary(folder) else "folder"
    return f"the disk holding the {kind} {folder} ({free} {unit} free)"
