"""Web pages fetched for the knowledge folder: from a local HTTP server, and every address and
limit a URL could get past refused with its reason. No test reaches the internet."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.config import Settings
from bot.engine.service import QAService, UploadStatus
from bot.sources import fetching
from bot.sources.fetching import FetchError, FetchLimits, fetch
from bot.sources.parsing import split_front_matter
from tests.conftest import make_pdf

PAGE = """<!doctype html><html><head><title>Harbour opening hours</title>
<meta property="og:site_name" content="Port Office"></head><body>
<nav>Home | News | Contact</nav>
<article><h1>Harbour opening hours</h1>
<p>The harbour office opens at eight every weekday and closes at six in the evening.</p>
<p>On Sundays the ferry desk alone is open, from ten until two, for tickets only.</p>
</article><footer>© Port Office</footer></body></html>"""
LOCAL = FetchLimits(allow_private=True, seconds=10)


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """A small web site on 127.0.0.1: its base URL."""
    never = asyncio.Event()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def pdf(request: web.Request) -> web.Response:
        body = make_pdf(["The lighthouse keeper rings the harbour bell at noon."],
                        title="Lighthouse rules")
        return web.Response(body=body, content_type="application/pdf")

    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="just text", content_type="text/plain")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()  # no Content-Length: only the reader can stop it
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"<p>" + b"x" * 65536 + b"</p>")
        return response

    async def bomb(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(b"<p>" + b"0" * 20_000_000),
                            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/page")

    async def missing(request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    async def slow(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response(text="late")

    app = web.Application()
    for path, handler in (("/page", page), ("/doc.pdf", pdf), ("/plain", plain),
                          ("/huge", huge), ("/bomb", bomb), ("/loop", loop),
                          ("/moved", moved), ("/missing", missing), ("/slow", slow)):
        app.router.add_get(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    never.set()
    await runner.cleanup()


async def test_a_page_is_fetched_after_its_redirect(site: str) -> None:
    page = await fetch(f"{site}/moved", LOCAL)
    assert page.url == f"{site}/page" and page.suffix == ".html"
    assert b"harbour office opens at eight" in page.data
    assert page.fetched_at.endswith("Z")


async def test_a_pdf_is_kept_as_a_pdf(site: str) -> None:
    page = await fetch(f"{site}/doc.pdf", LOCAL)
    assert page.suffix == ".pdf" and page.data.startswith(b"%PDF")


@pytest.mark.parametrize(("path", "reason"), [
    ("/plain", "not a web page or a PDF (content type text/plain)"),
    ("/huge", "over 1 MB"),
    ("/bomb", "over 1 MB"),
    ("/loop", "more than 5 redirects"),
    ("/missing", "answered 404"),
])
async def test_what_is_not_a_page_to_keep_is_refused_with_the_reason(
    site: str, path: str, reason: str
) -> None:
    with pytest.raises(FetchError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        await fetch(f"{site}{path}", FetchLimits(allow_private=True, max_bytes=1024 * 1024))


async def test_a_page_that_never_comes_is_given_up(site: str) -> None:
    with pytest.raises(FetchError, match="longer than"):
        await fetch(f"{site}/slow", FetchLimits(allow_private=True, seconds=0.2))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://[::1]/", "http://10.1.2.3/", "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/", "http://[fe80::1]/",
])
async def test_private_loopback_and_link_local_addresses_are_never_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="pages there are not fetched"):
        await fetch(url)


async def test_localhost_is_refused_after_resolving_it() -> None:
    with pytest.raises(FetchError, match="localhost is a loopback address"):
        await fetch("http://localhost:1/")


async def test_a_name_with_one_private_address_among_public_ones_is_refused() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(FetchError, match="a private address"):
        await fetch("http://mixed.example/", resolve=resolve)


async def test_the_connection_goes_to_the_checked_address_and_redirects_are_checked() -> None:
    lookups: list[str] = []
    seen: list[httpx.Request] = []

    async def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["93.184.216.34"]  # a public address: no connection is made to it here

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    with pytest.raises(FetchError, match="169.254.169.254 is a link-local address"):
        await fetch("http://public.example/start", resolve=resolve,
                    transport=httpx.MockTransport(server))
    (request,) = seen  # the redirect target was never asked
    assert request.url.host == "93.184.216.34" and request.headers["host"] == "public.example"
    assert lookups == ["public.example"]  # looked up once, not again to connect


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd",
                                 "http://user:pw@example.org/", "not a url", "http://"])
async def test_only_http_urls_without_credentials(url: str) -> None:
    with pytest.raises(FetchError):
        await fetch(url)


def test_public_addresses_pass_the_check() -> None:
    for text in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"):
        assert fetching.refused_address(ipaddress.ip_address(text)) is None


def test_file_names_stay_under_web_and_the_host() -> None:
    assert fetching.file_name("https://Port.example/news/hours.html?x=1", ".html") == (
        "web/port.example", "news-hours-x=1.html")
    assert fetching.file_name("https://port.example/", ".pdf") == ("web/port.example", "index.pdf")


async def test_an_added_page_is_saved_as_fetched_and_answers_with_its_url(
    site: str, settings: Settings
) -> None:
    settings = settings.model_copy(update={"fetch_allow_private": True})
    service = await QAService.start(settings)
    try:
        result = await service.add_page(f"{site}/page")
        assert result.status is UploadStatus.ADDED, result.reason
        assert result.name == "web/127.0.0.1/page.html"
        saved = Path(settings.knowledge_dir, result.name).read_text("utf-8")
        stated, body = split_front_matter(saved)
        assert stated["url"] == f"{site}/page" and stated["fetched"].endswith("Z")
        assert "<nav>Home | News | Contact</nav>" in body  # the page itself, as fetched
        answer = service.ask("When does the harbour office open?")
        assert answer.passages and answer.passages[0].hit.passage.url == f"{site}/page"
        assert "opens at eight" in answer.message
        again = await service.add_page(f"{site}/page")
        assert again.status is UploadStatus.DUPLICATE  # the same text is not added twice
        pdf = await service.add_page(f"{site}/doc.pdf")
        assert pdf.status is UploadStatus.ADDED and pdf.name.endswith(".pdf")
        assert service.ask("When is the harbour bell rung?").passages[0].hit.passage.url == (
            f"{site}/doc.pdf")
    finally:
        await service.close()


async def test_a_refused_page_adds_nothing_and_the_rest_keeps_working(
    site: str, settings: Settings
) -> None:
    service = await QAService.start(settings)  # FETCH_ALLOW_PRIVATE unset: 127.0.0.1 refused
    try:
        before = service.document_count
        result = await service.add_page(f"{site}/page")
        assert result.status is UploadStatus.REFUSED and "loopback" in result.reason
        assert service.document_count == before
        assert not (settings.knowledge_dir / "web").exists()
        assert service.ask("Who did Fu Linlin take to the hospital?").passages
    finally:
        await service.close()
