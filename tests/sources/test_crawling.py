"""A site's pages from its sitemap, robots.txt or links, served by a local HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.config import Settings
from bot.engine.service import QAService, UploadStatus
from bot.sources import crawling
from bot.sources.fetching import FetchError

TOPICS = {"ferry": "The ferry to the island leaves every hour from pier two.",
          "library": "The library lends books for three weeks and opens at nine.",
          "pool": "The swimming pool is closed on Mondays for cleaning."}


def _page(topic: str, links: str = "") -> str:
    return (f"<html><head><title>{topic.title()} notice</title></head><body><article>"
            f"<h1>{topic.title()} notice</h1><p>{TOPICS[topic]}</p><p>{links}</p>"
            "</article></body></html>")


def site_app(with_sitemap: bool) -> web.Application:
    """The test site: a home page linking two topics (one links the third); with
    `with_sitemap`, robots.txt names a sitemap index of the three and a page elsewhere."""
    app = web.Application()

    async def home(request: web.Request) -> web.Response:
        links = ('<a href="/ferry">Ferry</a> <a href="/library#hours">Library</a> '
                 '<a href="https://elsewhere.example/x">Elsewhere</a>')
        return web.Response(text=_page("ferry", links), content_type="text/html")

    async def topic(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        links = '<a href="/pool">Pool</a>' if name == "library" else ""
        return web.Response(text=_page(name, links), content_type="text/html")

    async def robots(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(text=f"User-agent: *\nSitemap: {base}/maps/index.xml\n",
                            content_type="text/plain")

    async def index(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(content_type="application/xml", text=(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9"><sitemap><loc>{base}/maps/pages.xml</loc></sitemap>'
            "</sitemapindex>"))

    async def pages(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        locs = "".join(f"<url><loc>{base}/{t}</loc></url>" for t in TOPICS)
        return web.Response(content_type="application/xml", text=(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/'
            f'0.9">{locs}<url><loc>https://elsewhere.example/y</loc></url></urlset>'))

    app.router.add_get("/", home)
    app.router.add_get("/{name:ferry|library|pool}", topic)
    if with_sitemap:
        app.router.add_get("/robots.txt", robots)
        app.router.add_get("/maps/index.xml", index)
        app.router.add_get("/maps/pages.xml", pages)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture(params=[True, False], ids=["sitemap", "links"])
async def site(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    runner, base = await serve(site_app(request.param))
    yield base
    await runner.cleanup()


def _crawler(settings: Settings) -> Settings:
    return settings.model_copy(update={"fetch_allow_private": True, "crawl_delay_seconds": 0})


async def test_a_site_is_added_from_its_root_same_host_only(
    site: str, settings: Settings
) -> None:
    service = await QAService.start(_crawler(settings))
    progress: list[str] = []
    try:
        results = await service.add_site(f"{site}/", progress.append)
        added = {r.name for r in results if r.status is UploadStatus.ADDED}
        topics = {f"web/127.0.0.1/{t}.html" for t in TOPICS}
        # By links, the root is a page of the site too; a sitemap lists only the topics.
        assert topics <= added <= topics | {"web/127.0.0.1/index.html"}
        assert not any("elsewhere" in r.name for r in results)
        assert progress  # said what it did as it went
        answer = service.ask("When is the swimming pool closed?")
        assert answer.passages[0].hit.passage.url == f"{site}/pool"
        assert Path(settings.knowledge_dir, "web/127.0.0.1/pool.html").is_file()
    finally:
        await service.close()


async def test_the_page_limit_holds(site: str, settings: Settings) -> None:
    service = await QAService.start(_crawler(settings).model_copy(
        update={"crawl_max_pages": 2}))
    try:
        assert len(await service.add_site(f"{site}/")) == 2
    finally:
        await service.close()


def test_a_sitemap_with_entities_is_not_read() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><urlset><url><loc>&lol2;</loc></url></urlset>')
    with pytest.raises(FetchError, match="document type or entities"):
        crawling.read_sitemap(bomb)
    with pytest.raises(FetchError, match="not valid XML"):
        crawling.read_sitemap(b"<urlset><url><loc>x</url>")


def test_robots_sitemaps_and_page_links() -> None:
    assert crawling.robots_sitemaps("User-agent: *\nsitemap: https://a.example/s.xml\n") == [
        "https://a.example/s.xml"]
    links = crawling.page_links('<a href="/x#top">x</a><a href="y">y</a><a href="/x">x</a>',
                                "https://a.example/dir/page")
    assert links == ["https://a.example/x", "https://a.example/dir/y"]
    assert crawling.is_site("https://a.example/") and crawling.is_site("https://a.example/s.xml")
    assert not crawling.is_site("https://a.example/page")


async def test_a_site_on_a_private_address_is_refused_with_the_reason(
    settings: Settings
) -> None:
    service = await QAService.start(settings)
    try:
        (result,) = await service.add_site("http://10.0.0.5/")
        assert result.status is UploadStatus.REFUSED
        assert "a private address" in result.reason or "no pages" in result.reason
    finally:
        await service.close()


async def test_a_site_is_fetched_once_a_page_and_reloaded_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = site_app(False)  # by links: every page is read for its links first
    hits: dict[str, int] = {}

    @web.middleware
    async def count(request: web.Request, handler: Any) -> web.StreamResponse:
        hits[request.path] = hits.get(request.path, 0) + 1
        return await handler(request)

    app.middlewares.append(count)
    runner, base = await serve(app)
    service = await QAService.start(_crawler(settings))
    reloads = []
    sync = service._sync

    async def counted(*args: Any, **kwargs: Any) -> Any:
        reloads.append(1)
        return await sync(*args, **kwargs)

    monkeypatch.setattr(service, "_sync", counted)
    try:
        results = await service.add_site(f"{base}/")
        assert {r.status for r in results} == {UploadStatus.ADDED} and len(results) == 4
        assert {path: n for path, n in hits.items() if path != "/robots.txt"
                and path != "/sitemap.xml"} == {"/": 1, "/ferry": 1, "/library": 1, "/pool": 1}
        assert len(reloads) == 1
        again = await service.add_site(f"{base}/")  # already there: left as it is
        assert {r.status for r in again} == {UploadStatus.DUPLICATE}
    finally:
        await service.close()
        await runner.cleanup()
