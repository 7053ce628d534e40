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
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import mmap
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from bot.core.index import Citation, PassageTable, SearchIndex
from bot.core.models import StoredPassage
from bot.core.postings import Postings
from bot.core.ranking import Ranker

log = logging.getLogger(__name__)

FORMAT = 2
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.txt"
DOCUMENTS = "documents.json"
TEXTS = "texts.bin"
RANKER_ARRAYS = ("offsets", "passages", "frequencies", "lengths", "idf", "best")
TABLE_ARRAYS = ("ids", "doc", "position", "count", "text_offsets")


class MappedTexts:
    """Passage texts stored end to end in one UTF-8 file and read through mmap, so only the
    pages of passages actually shown are ever in memory."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self._offsets = offsets
        with path.open("rb") as f:
            # mmap refuses an empty file; an index of empty texts needs no mapping.
            self._map: mmap.mmap | bytes = (
                mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if int(offsets[-1]) else b""
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


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()


def arrays(ranker: Ranker) -> dict[str, np.ndarray]:
    """The ranker's arrays that are saved, by file name."""
    p = ranker.postings
    return {"offsets": p.offsets, "passages": p.passages, "frequencies": p.frequencies,
            "lengths": p.lengths, "idf": ranker.term_idf, "best": ranker.best}


def save(folder: Path, index: SearchIndex, key: str) -> None:
    """Write the index under the key, replacing any older set."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
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
    docs = [[d.doc_id, d.title, d.source, d.url, d.date] for d in table.docs]
    (tmp / DOCUMENTS).write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    files = {path.name: _file_digest(path) for path in sorted(tmp.iterdir())}
    manifest = {"format": FORMAT, "key": key, "variant": ranker.variant, "k1": ranker.k1,
                "b": ranker.b, "files": files}
    # The manifest goes last: a set without one is never loaded.
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def load(folder: Path, key: str, size: int) -> SearchIndex | None:
    """The saved index when it matches the key and the passage count and is intact, else
    None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("key") != key:
            return None
        for name, expected in manifest["files"].items():
            if _file_digest(folder / name) != expected:
                raise ValueError(f"{name} does not match its digest")
        a = {n: np.load(folder / f"{n}.npy", allow_pickle=False)
             for n in RANKER_ARRAYS + TABLE_ARRAYS}
        text = (folder / VOCABULARY).read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        vocabulary = {term: t for t, term in enumerate(terms)}
        docs = tuple(Citation(*d) for d in
                     json.loads((folder / DOCUMENTS).read_text(encoding="utf-8")))
        offsets, lengths = a["offsets"], a["lengths"]
        rows = {len(a[n]) for n in ("lengths", "ids", "doc", "position", "count")}
        if (len(vocabulary) != len(terms) or len(offsets) != len(terms) + 1
                or rows != {size} or len(a["text_offsets"]) != size + 1
                or int(a["text_offsets"][-1]) != (folder / TEXTS).stat().st_size
                or (size and int(a["doc"].max()) >= len(docs))
                or offsets[0] != 0 or offsets[-1] != len(a["passages"])
                or len(a["passages"]) != len(a["frequencies"])
                or len(a["idf"]) != len(terms) or len(a["best"]) != len(terms)):
            raise ValueError("array shapes do not fit together")
        postings = Postings(vocabulary, offsets, a["passages"], a["frequencies"], lengths)
        ranker = Ranker.from_postings(postings, manifest["variant"], manifest["k1"],
                                      manifest["b"], a["idf"], a["best"])
        table = PassageTable(a["ids"], a["doc"], a["position"], a["count"], docs,
                             MappedTexts(folder / TEXTS, a["text_offsets"]))
        return SearchIndex.of(table, ranker)
    except FileNotFoundError:
        return None
    except Exception as exc:  # anything unreadable is rebuilt, whatever the damage
        log.warning("ignoring the saved index in %s: %s", folder, exc)
        return None


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
        save(folder, index, key)
    except OSError as exc:  # a read-only disk costs the next start time, nothing else
        log.warning("cannot save the index in %s: %s", folder, exc)
        return index
    # Served from the file just written from now on; the arrays are already in memory.
    offsets = np.load(folder / "text_offsets.npy", allow_pickle=False)
    table = dataclasses.replace(index.table, texts=MappedTexts(folder / TEXTS, offsets))
    return SearchIndex.of(table, ranker)
