"""The search index saved next to the database, so a restart neither re-reads every passage nor
re-counts or re-weighs a term.

I/O edge. The files live in one folder (`bot.sqlite3.index/`): an .npy per array (the ranker's
postings and weights, the passage table's columns), the vocabulary as UTF-8 lines, the
documents' citation data as JSON, every passage text end to end in `texts.bin` (read through
mmap when serving), and `manifest.json` with the key the set was built under and each file's
BLAKE2 digest. The key names the database's passages version (`Database.passages_version`,
changed in the same transaction as any passage) and the BM25 settings; a key, size or digest
that does not match means the files are stale or damaged: they are ignored and rebuilt, never
trusted. No SQL is involved, so the schema is untouched.

Several processes may save and load at once (`bot reload` from cron while the bot starts):
each save writes a folder of its own beside the index and renames it into place whole, and a
load opens every file of a set through one handle on its folder before reading any, so it
sees one complete set or none, never files of two.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import glob
import hashlib
import json
import logging
import mmap
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from bot.core.index import Citation, PassageTable, SearchIndex
from bot.core.models import StoredPassage
from bot.core.postings import Postings
from bot.core.ranking import Ranker

log = logging.getLogger(__name__)

FORMAT = 3  # 3: each document's collection
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.txt"
DOCUMENTS = "documents.json"
TEXTS = "texts.bin"
RANKER_ARRAYS = ("offsets", "passages", "frequencies", "lengths", "idf", "best")
TABLE_ARRAYS = ("ids", "doc", "position", "count", "text_offsets")


class MappedTexts:
    """Passage texts stored end to end in one UTF-8 file and read through mmap, so only the
    pages of passages actually shown are ever in memory."""

    def __init__(self, file: IO[bytes], offsets: np.ndarray) -> None:
        self._offsets = offsets
        # mmap refuses an empty file; an index of empty texts needs no mapping. The mapping
        # outlives the file object and the file's name, so a later swap cannot change it.
        self._map: mmap.mmap | bytes = (
            mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if int(offsets[-1]) else b""
        )

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self._map[int(self._offsets[i]) : int(self._offsets[i + 1])].decode("utf-8")



def folder_for(database_path: str | Path) -> Path | None:
    """Where the index of a database file is kept; None for an in-memory database."""
    if str(database_path) == ":memory:":
        return None
    return Path(f"{database_path}.index")


def key_for(passages_version: str, variant: str, k1: float, b: float) -> str:
    """The key of an index: which stored passages it covers and how it weighs them."""
    return f"format={FORMAT};passages={passages_version};variant={variant};k1={k1!r};b={b!r}"


def arrays(ranker: Ranker) -> dict[str, np.ndarray]:
    """The ranker's arrays that are saved, by file name."""
    p = ranker.postings
    return {"offsets": p.offsets, "passages": p.passages, "frequencies": p.frequencies,
            "lengths": p.lengths, "idf": ranker.term_idf, "best": ranker.best}


def save(folder: Path, index: SearchIndex, key: str) -> MappedTexts:
    """Write the index under the key, replacing any older set whole; the texts it wrote,
    mapped (still the same ones if another process's set replaces this one)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(folder)
    # A folder of this save's own: another process saving at the same time never shares it.
    tmp = Path(tempfile.mkdtemp(prefix=f"{folder.name}.tmp-{os.getpid()}-", dir=folder.parent))
    try:
        texts = _write(tmp, index, key)
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing left there once swapped in
    return texts


def _write(tmp: Path, index: SearchIndex, key: str) -> MappedTexts:
    """The whole set in the folder, the manifest last: a set without one is never loaded."""
    table, ranker = index.table, index.ranker
    offsets = np.zeros(len(table) + 1, dtype=np.int64)
    with (tmp / TEXTS).open("wb") as f:
        for i in range(len(table)):
            offsets[i + 1] = offsets[i] + f.write(table.texts[i].encode("utf-8"))
    columns = {"ids": table.ids, "doc": table.doc, "position": table.position,
               "count": table.count, "text_offsets": offsets}
    for name, array in {**arrays(ranker), **columns}.items():
        np.save(tmp / f"{name}.npy", array, allow_pickle=False)
    (tmp / VOCABULARY).write_text("\n".join(ranker.postings.vocabulary), encoding="utf-8")
    docs = [[d.doc_id, d.title, d.source, d.url, d.date, d.collection] for d in table.docs]
    (tmp / DOCUMENTS).write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    files = {path.name: _file_digest(path) for path in sorted(tmp.iterdir())}
    manifest = {"format": FORMAT, "key": key, "variant": ranker.variant, "k1": ranker.k1,
                "b": ranker.b, "files": files}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    with (tmp / TEXTS).open("rb") as f:
        return MappedTexts(f, offsets)


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()


def _swap_in(tmp: Path, folder: Path) -> None:
    """Put the new set in the folder's place. The old set is renamed aside first, since a
    folder cannot be renamed over one that holds files."""
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        folder.rename(old)
    except FileNotFoundError:  # a first save, or another process moved it aside just now
        pass
    try:
        tmp.rename(folder)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        # Another process put its complete set in place between the two renames: it stays.
        log.info("another process saved the index in %s at the same time; keeping its set",
                 folder)
    finally:
        shutil.rmtree(old, ignore_errors=True)


_LEFTOVER = re.compile(r"\.(?:tmp|old)-(\d+)-")


def _remove_abandoned(folder: Path) -> None:
    """Remove the sets of saves whose process has died (killed while writing): they are never
    loaded, only take room."""
    for path in folder.parent.glob(f"{glob.escape(folder.name)}.*-*-*"):
        match = _LEFTOVER.match(path.name, len(folder.name))
        if match and not _alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def load(folder: Path, key: str, size: int) -> SearchIndex | None:
    """The saved index when it matches the key and the passage count and is intact, else
    None."""
    # Twice: a save elsewhere may remove the set about to be read, and then a newer one is there.
    for _ in range(2):
        try:
            # Every file is opened through this handle: a folder swapped meanwhile does not
            # change which set is read.
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            return _load(fd, key, size)
        except FileNotFoundError:
            continue
        except Exception as exc:  # anything unreadable is rebuilt, whatever the damage
            log.warning("ignoring the saved index in %s: %s", folder, exc)
            return None
        finally:
            os.close(fd)
    return None


def _load(folder_fd: int, key: str, size: int) -> SearchIndex | None:
    """The set in the open folder, checked; None when its key is another."""

    def open_file(name: str) -> IO[bytes]:
        return open(name, "rb", opener=lambda p, flags: os.open(p, flags, dir_fd=folder_fd))

    with contextlib.ExitStack() as stack:
        with open_file(MANIFEST) as f:
            manifest: dict[str, Any] = json.loads(f.read().decode("utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("key") != key:
            return None
        # All opened before any is read: a save that removes this set meanwhile cannot take
        # a file away half-way through.
        files = {name: stack.enter_context(open_file(name)) for name in manifest["files"]}
        for name, expected in manifest["files"].items():
            if hashlib.file_digest(files[name], "blake2b").hexdigest() != expected:
                raise ValueError(f"{name} does not match its digest")
            files[name].seek(0)
        a = {n: np.load(files[f"{n}.npy"], allow_pickle=False)
             for n in RANKER_ARRAYS + TABLE_ARRAYS}
        text = files[VOCABULARY].read().decode("utf-8")
        terms = text.split("\n") if text else []
        vocabulary = {term: t for t, term in enumerate(terms)}
        docs = tuple(Citation(*d) for d in json.loads(files[DOCUMENTS].read().decode("utf-8")))
        offsets, lengths = a["offsets"], a["lengths"]
        rows = {len(a[n]) for n in ("lengths", "ids", "doc", "position", "count")}
        if (len(vocabulary) != len(terms) or len(offsets) != len(terms) + 1
                or rows != {size} or len(a["text_offsets"]) != size + 1
                or int(a["text_offsets"][-1]) != os.fstat(files[TEXTS].fileno()).st_size
                or (size and int(a["doc"].max()) >= len(docs))
                or offsets[0] != 0 or offsets[-1] != len(a["passages"])
                or len(a["passages"]) != len(a["frequencies"])
                or len(a["idf"]) != len(terms) or len(a["best"]) != len(terms)):
            raise ValueError("array shapes do not fit together")
        postings = Postings(vocabulary, offsets, a["passages"], a["frequencies"], lengths)
        ranker = Ranker.from_postings(postings, manifest["variant"], manifest["k1"],
                                      manifest["b"], a["idf"], a["best"])
        texts = MappedTexts(files[TEXTS], a["text_offsets"])
    table = PassageTable(a["ids"], a["doc"], a["position"], a["count"], docs, texts)
    return SearchIndex.of(table, ranker)


def build_and_save(
    rows: Iterable[tuple[StoredPassage, Sequence[str]]], folder: Path | None, key: str,
    variant: str, k1: float, b: float,
) -> SearchIndex:
    """A new index over the (passage, terms) rows, read once, so they may stream from the
    database; saved for the next start and then served from the saved files (texts mapped,
    not held), or kept in memory when it cannot be saved."""
    passages: list[StoredPassage] = []

    def terms() -> Iterator[Sequence[str]]:
        for passage, tokens in rows:
            passages.append(passage)
            yield tokens

    ranker = Ranker(terms(), variant, k1, b)
    index = SearchIndex.build(passages, ranker=ranker)
    if folder is None:
        return index
    try:
        texts = save(folder, index, key)
    except OSError as exc:  # a read-only disk costs the next start time, nothing else
        log.warning("cannot save the index in %s: %s", folder, exc)
        return index
    # Served from the file just written from now on; the arrays are already in memory.
    return SearchIndex.of(dataclasses.replace(index.table, texts=texts), ranker)
