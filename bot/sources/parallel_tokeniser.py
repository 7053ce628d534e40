"""The parallel tokeniser: index terms of many passages at once, on every core, with a progress
bar for long batches.

jieba is the slow step of a reload: a big batch is split across a process pool (each worker
loads its own analyzer once); a small one stays in-process, where a pool's start-up would cost
more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from tqdm import tqdm

from bot.core import analysis
from bot.sources.cache import use_jieba_folder

# Below this many texts one process is quicker than starting workers (each loads jieba).
PARALLEL_FROM = 5000
# Below this many texts no progress bar is drawn.
PROGRESS_FROM = 3000
_CHUNK = 500

_worker: analysis.Analyzer | None = None


def _start_worker(options: tuple[bool, bool, str, int, bool], jieba_folder: str) -> None:
    global _worker
    use_jieba_folder(jieba_folder)
    _worker = analysis.Analyzer(*options)


def _tokenise_chunk(texts: Sequence[str]) -> list[list[str]]:
    assert _worker is not None, "worker not started"
    return [_worker.index_terms(text) for text in texts]


def tokenise_all(
    texts: Sequence[str], analyzer: analysis.Analyzer, workers: int | None = None,
    label: str = "tokenising",
) -> list[list[str]]:
    """Index terms of every text, in order; big batches use every core and show progress."""
    return list(tokenise_stream(texts, analyzer, workers, label))


def tokenise_stream(
    texts: Sequence[str], analyzer: analysis.Analyzer, workers: int | None = None,
    label: str = "tokenising",
) -> Iterator[list[str]]:
    """`tokenise_all` one text's terms at a time, so a caller that stores or counts them as
    they come never holds a whole collection's terms."""
    workers = workers or os.cpu_count() or 1
    with tqdm(total=len(texts), desc=label, unit="passage", disable=len(texts) < PROGRESS_FROM,
              mininterval=1.0) as bar:
        if workers < 2 or len(texts) < PARALLEL_FROM:
            for text in texts:
                yield analyzer.index_terms(text)
                bar.update()
            return
        folder = analysis.jieba_folder()
        if folder is None:  # a worker could not load jieba: say so here, not in a broken pool
            raise RuntimeError("jieba's cache folder is not set: call "
                               "bot.sources.cache.prepare_jieba before tokenising")
        chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
        # spawn, not fork: the caller may hold threads (aiosqlite, asyncio) a fork would copy.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(analyzer.options, folder)) as pool:
            for tokens in pool.map(_tokenise_chunk, chunks):
                bar.update(len(tokens))
                # Interned: terms come back from a worker as new strings, one object per
                # occurrence; a million passages' worth would take gigabytes.
                for terms in tokens:
                    yield list(map(sys.intern, terms))
