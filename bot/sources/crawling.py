"""Which pages of a site to add: from its sitemap (given, named in robots.txt, or at
/sitemap.xml), else from the links of its pages, followed to a depth. Same host only, at most
a page limit. Reading a sitemap and the links of a page is pure; `site_pages` fetches, through
bot/sources/fetching.py, so every request is checked as a page's is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from bot.sources.fetching import Fetched, FetchError

SITEMAP_KINDS = {"application/xml": ".xml", "text/xml": ".xml"}
ROBOTS_KINDS = {"text/plain": ".txt"}
# A sitemap index points at sitemaps: these many are read at the most.
MAX_SITEMAPS = 20

Fetch = Callable[[str, dict[str, str] | None], Awaitable[Fetched]]


def is_site(url: str) -> bool:
    """The URL names a whole site: a sitemap (….xml) or a site's root."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.lower().endswith(".xml") or path in {"", "/"}


def same_host(url: str, host: str) -> bool:
    """The URL is an http(s) page on exactly this host."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and (parts.hostname or "").lower() == host


def read_sitemap(data: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, sitemap URLs) a sitemap or sitemap index lists. A document type or an
    entity declaration is refused: a sitemap needs neither, and they are how XML bombs work."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise FetchError("the sitemap declares a document type or entities; not read")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FetchError(f"the sitemap is not valid XML: {exc}") from exc
    pages: list[str] = []
    maps: list[str] = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "loc" or not (element.text or "").strip():
            continue
        target = maps if root.tag.rsplit("}", 1)[-1] == "sitemapindex" else pages
        target.append(element.text.strip())  # type: ignore[union-attr]
    return pages, maps


def robots_sitemaps(text: str) -> list[str]:
    """The sitemaps robots.txt names ("Sitemap: URL" lines)."""
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def page_links(html: str, base: str) -> list[str]:
    """The page's links, absolute and without fragments, in order, once each."""
    parser = _Links()
    parser.feed(html)
    links = (urldefrag(urljoin(base, h))[0] for h in parser.hrefs)
    return list(dict.fromkeys(links))


async def site_pages(start: str, fetch: Fetch, limit: int, depth: int = 2,
                     progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Up to `limit` page URLs of the site `start` is on: a sitemap's pages when `start` is one
    or the site has one, else the pages its links reach within `depth` links of `start`."""
    host = (urlsplit(start).hostname or "").lower()
    root = f"{urlsplit(start).scheme}://{urlsplit(start).netloc}"
    candidates: list[str] = []
    if urlsplit(start).path.lower().endswith(".xml"):
        candidates = [start]
    elif urlsplit(start).path in {"", "/"}:
        try:
            robots = await fetch(f"{root}/robots.txt", ROBOTS_KINDS)
            candidates = robots_sitemaps(robots.data.decode("utf-8", "replace"))
        except FetchError:
            pass
        candidates = candidates or [f"{root}/sitemap.xml"]
    pages = await _from_sitemaps(candidates, host, fetch, limit, progress)
    if pages or urlsplit(start).path.lower().endswith(".xml"):
        return pages
    return await _by_links(start, host, fetch, limit, depth, progress)


async def _from_sitemaps(maps: list[str], host: str, fetch: Fetch, limit: int,
                         progress: Callable[[str], None]) -> list[str]:
    pages: list[str] = []
    seen: set[str] = set()
    queue = [m for m in maps if same_host(m, host)]
    while queue and len(seen) < MAX_SITEMAPS and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            found, more = read_sitemap((await fetch(url, SITEMAP_KINDS)).data)
        except FetchError as exc:
            progress(f"sitemap {url}: {exc}")
            continue
        progress(f"sitemap {url}: {len(found)} pages")
        queue += [m for m in more if same_host(m, host)]
        pages += [p for p in found if same_host(p, host) and p not in pages]
    return pages[:limit]


async def _by_links(start: str, host: str, fetch: Fetch, limit: int, depth: int,
                    progress: Callable[[str], None]) -> list[str]:
    pages = [start]
    frontier = [start]
    for level in range(depth):
        following: list[str] = []
        for url in frontier:
            if len(pages) >= limit:
                return pages
            try:
                page = await fetch(url, None)
            except FetchError:
                continue
            if page.suffix != ".html":
                continue
            for link in page_links(page.data.decode("utf-8", "replace"), page.url):
                if same_host(link, host) and link not in pages and len(pages) < limit:
                    pages.append(link)
                    following.append(link)
        progress(f"links, depth {level + 1}: {len(pages)} pages")
        frontier = following
    return pages[:limit]
