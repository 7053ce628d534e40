"""The pages added from the web, fetched again: each file under web/ that names its URL is
re-fetched with a conditional request (its ETag and Last-Modified), rewritten in place when
its document changed, and kept as it is when the page is gone or cannot be fetched, so an
admin decides whether to remove it. One reload for the whole round, when a page changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.engine.reload import SyncReport
from bot.sources import uploads
from bot.sources.fetching import Fetched, FetchError, NotModified, conditional_headers
from bot.sources.folder import read, scan
from bot.sources.parsing import DocumentError
from bot.sources.refreshing import (
    Outcome,
    WebPage,
    in_web_folder,
    next_round_in,
    outcome_of,
    refreshed,
    web_page,
)
from bot.store.database import Database

log = logging.getLogger(__name__)

Fetch = Callable[[str, Mapping[str, str]], Awaitable[Fetched | NotModified]]
# Meta key: when the last round began (Unix time), in whichever process it ran.
LAST_ROUND_KEY = "web_refreshed_at"


@dataclass(frozen=True)
class PageResult:
    """One page of the round: its file, its URL, and what became of it."""

    rel: str
    url: str
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True)
class RefreshReport:
    """A whole round: every page, the one reload it needed (None when no page changed)."""

    pages: tuple[PageResult, ...]
    reload: SyncReport | None
    seconds: float

    def having(self, *outcomes: Outcome) -> list[PageResult]:
        """The pages with one of these outcomes."""
        return [p for p in self.pages if p.outcome in outcomes]

    @property
    def kept(self) -> list[PageResult]:
        """Pages gone or out of reach, kept as they were: what the admins are told of."""
        return self.having(Outcome.GONE, Outcome.FAILED)

    def summary(self) -> str:
        """One line summing up the round."""
        counts = ", ".join(f"{len(self.having(o))} {o.value}" for o in Outcome)
        return f"{len(self.pages)} web pages refreshed in {self.seconds:.2f}s: {counts}"


async def refresh_page(page: WebPage, path: Path, old: bytes, fetch: Fetch) -> PageResult:
    """Fetch one page again and rewrite its file when its document changed."""
    try:
        answer = await fetch(page.url, conditional_headers(page.etag, page.last_modified))
    except FetchError as exc:
        return PageResult(page.rel, page.url, outcome_of(exc), str(exc))
    if isinstance(answer, NotModified):
        return PageResult(page.rel, page.url, Outcome.UNCHANGED)
    try:
        new = await asyncio.to_thread(refreshed, page, old, answer)
    except DocumentError as exc:
        return PageResult(page.rel, page.url, Outcome.FAILED, str(exc))
    if new is None:
        return PageResult(page.rel, page.url, Outcome.UNCHANGED)
    await asyncio.to_thread(uploads.rewrite, path, new)
    return PageResult(page.rel, page.url, Outcome.CHANGED)


async def refresh_pages(folder: Path, fetch: Fetch, delay: float = 0.0,
                        progress: Callable[[str], None] = lambda _: None) -> list[PageResult]:
    """Every page under web/ fetched again, one request every `delay` seconds."""
    found = await asyncio.to_thread(scan, folder)
    results: list[PageResult] = []
    for file in (f for f in found.files if in_web_folder(f.rel)):
        try:
            old = await asyncio.to_thread(read, file)
        except OSError as exc:
            log.warning("cannot read %s to refresh it: %s", file.rel, exc.strerror)
            continue
        page = web_page(file.rel, old)
        if page is None:  # put there by hand, or no URL stated: nothing to fetch
            continue
        if results and delay > 0:
            await asyncio.sleep(delay)  # polite to the sites, as a crawl is
        result = await refresh_page(page, file.path, old, fetch)
        progress(f"{result.outcome.value}: {result.rel} ({result.url})"
                 + (f": {result.reason}" if result.reason else ""))
        results.append(result)
    return results


async def refresh_round(folder: Path, fetch: Fetch, reload: Callable[[], Awaitable[SyncReport]],
                        delay: float = 0.0, progress: Callable[[str], None] = lambda _: None,
                        ) -> RefreshReport:
    """Every page fetched again, then one reload if any changed."""
    started = time.perf_counter()
    pages = await refresh_pages(folder, fetch, delay, progress)
    changed = any(p.outcome is Outcome.CHANGED for p in pages)
    report = await reload() if changed else None
    return RefreshReport(tuple(pages), report, time.perf_counter() - started)


async def every(period: float, round_: Callable[[], Awaitable[object]], db: Database) -> None:
    """Run a round a `period` after the last one began (`LAST_ROUND_KEY`, which each round
    sets as it begins), until cancelled; a round that fails is logged, and the next one is a
    period later."""
    while True:
        try:
            wait = next_round_in(await db.get_meta(LAST_ROUND_KEY), period, time.time())
        except Exception:
            log.exception("cannot tell when the web pages were last refreshed")
            wait = period
        await asyncio.sleep(wait)
        try:
            await round_()
        except Exception:
            log.exception("refreshing the web pages failed; the next round tries again")
