"""The bot's own cache folder: what is built from installed data (the CC-CEDICT tables,
jieba's parsed dictionary) and slow to build again, kept next to the database.

A cache is only as trustworthy as the folder it lives in. The folder is made private (0700)
when it is created, and one that another user owns or may write to is refused: nothing is
read from it, and the tables are built in memory instead (jieba gets a fresh private folder).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

import jieba

from bot.core import analysis

log = logging.getLogger(__name__)


def private_folder(path: Path) -> Path | None:
    """The folder, created private if missing, when only this user can write to it; else None
    (logged), so that nothing another local user could have planted is read."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError as exc:
        log.warning("cannot use the cache folder %s: %s", path, exc)
        return None
    writable_by_others = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or writable_by_others:
        log.warning("not using the cache folder %s: it must be a folder of this user's that "
                    "no one else can write to (chmod 700)", path)
        return None
    return path


def use_jieba_folder(folder: str) -> None:
    """Point jieba's cache at a folder already checked (the parent process's, in a tokenising
    worker) and load its dictionary."""
    if not analysis.jieba_folder():
        jieba.dt.tmp_dir = folder
        jieba.dt.cache_file = f"jieba-{jieba.__version__}.cache"
    analysis.warm_up()


def prepare_jieba(cache_dir: Path) -> None:
    """Load jieba's dictionary with its cache in the bot's cache folder (or, when that folder
    cannot be trusted, in a private temporary one removed at exit), never in the shared
    temporary folder under the name jieba would choose."""
    folder = private_folder(cache_dir)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="docs-answer-bot-jieba-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    use_jieba_folder(str(folder))
