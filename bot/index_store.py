"""The ranker's arrays saved next to the database, so a restart neither re-counts nor re-weighs.

I/O edge. The files live in one folder (`bot.sqlite3.index/`): an .npy per array, the
vocabulary as UTF-8 lines, and `manifest.json` with a fingerprint of what they were built from
(every passage id and its terms, the BM25 settings, the file format) and each file's BLAKE2
digest. A fingerprint or digest that does not match means the files are stale or damaged: they
are ignored and rebuilt, never trusted. No SQL is involved, so the schema is untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.models import StoredPassage
from bot.postings import Postings
from bot.ranking import Ranker

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.txt"
ARRAYS = ("offsets", "passages", "frequencies", "lengths", "idf", "best")
_BATCH = 20_000


def folder_for(database_path: str | Path) -> Path | None:
    """Where the index of a database file is kept; None for an in-memory database."""
    if str(database_path) == ":memory:":
        return None
    return Path(f"{database_path}.index")


def fingerprint(passages: Sequence[StoredPassage], variant: str, k1: float, b: float) -> str:
    """A digest of everything the arrays depend on: passage ids and terms, BM25 settings."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"format={FORMAT};variant={variant};k1={k1!r};b={b!r}\n".encode())
    for start in range(0, len(passages), _BATCH):
        batch = passages[start : start + _BATCH]
        digest.update("".join(f"{p.id}\t{' '.join(p.tokens)}\n" for p in batch).encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()


def arrays(ranker: Ranker) -> dict[str, np.ndarray]:
    """The arrays that are saved, by file name."""
    p = ranker.postings
    return {"offsets": p.offsets, "passages": p.passages, "frequencies": p.frequencies,
            "lengths": p.lengths, "idf": ranker.term_idf, "best": ranker.best}


def save(folder: Path, ranker: Ranker, key: str) -> None:
    """Write the ranker's arrays under the fingerprint key, replacing any older set."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {}
    for name, array in arrays(ranker).items():
        np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        files[f"{name}.npy"] = _file_digest(tmp / f"{name}.npy")
    (tmp / VOCABULARY).write_text("\n".join(ranker.postings.vocabulary), encoding="utf-8")
    files[VOCABULARY] = _file_digest(tmp / VOCABULARY)
    manifest = {"format": FORMAT, "fingerprint": key, "variant": ranker.variant,
                "k1": ranker.k1, "b": ranker.b, "files": files}
    # The manifest goes last: a set without one is never loaded.
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def load(folder: Path, key: str, size: int) -> Ranker | None:
    """The saved ranker when it matches the key and is intact, else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("fingerprint") != key:
            return None
        for name, expected in manifest["files"].items():
            if _file_digest(folder / name) != expected:
                raise ValueError(f"{name} does not match its digest")
        arrays = {n: np.load(folder / f"{n}.npy", allow_pickle=False) for n in ARRAYS}
        text = (folder / VOCABULARY).read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        vocabulary = {term: t for t, term in enumerate(terms)}
        offsets, lengths = arrays["offsets"], arrays["lengths"]
        if (len(vocabulary) != len(terms) or len(offsets) != len(terms) + 1
                or len(lengths) != size or offsets[0] != 0
                or offsets[-1] != len(arrays["passages"])
                or len(arrays["passages"]) != len(arrays["frequencies"])
                or len(arrays["idf"]) != len(terms) or len(arrays["best"]) != len(terms)):
            raise ValueError("array shapes do not fit together")
        postings = Postings(vocabulary, offsets, arrays["passages"], arrays["frequencies"],
                            lengths)
        return Ranker.from_postings(postings, manifest["variant"], manifest["k1"],
                                    manifest["b"], arrays["idf"], arrays["best"])
    except FileNotFoundError:
        return None
    except Exception as exc:  # anything unreadable is rebuilt, whatever the damage

        log.warning("ignoring the saved index in %s: %s", folder, exc)
        return None


def load_or_build(
    passages: Sequence[StoredPassage], folder: Path | None, variant: str, k1: float, b: float
) -> Ranker:
    """The saved ranker for these passages, or a new one (saved for next time)."""
    if folder is None:
        return Ranker([p.tokens for p in passages], variant, k1, b)
    key = fingerprint(passages, variant, k1, b)
    ranker = load(folder, key, len(passages))
    if ranker is None:
        ranker = Ranker([p.tokens for p in passages], variant, k1, b)
        try:
            save(folder, ranker, key)
        except OSError as exc:  # a read-only disk costs the next start time, nothing else
            log.warning("cannot save the index in %s: %s", folder, exc)
    return ranker
