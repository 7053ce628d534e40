"""Refreshing the pages added from the web, against a local HTTP server whose pages change, go
away or redirect where no page is fetched from: conditional requests (ETag, Last-Modified),
a rewrite and one reload for what changed, nothing for what did not, gone pages kept."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from multidict import CIMultiDict

from bot.config import Settings
from bot.engine.refresh import LAST_ROUND_KEY, every
from bot.engine.service import QAService, UploadStatus
from bot.sources import fetching
from bot.sources.parsing import split_front_matter
from bot.sources.refreshing import Outcome, next_round_in, web_page
from tests.conftest import make_pdf
from tests.sources.test_crawling import serve

LAST_MODIFIED = "Mon, 04 Mar 2024 09:00:00 GMT"


def html(title: str, text: str, stamp: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{text}</p></article><!-- {stamp} --></body></html>")


@dataclass
class Site:
    """Pages by path (None: gone), where some redirect to, and every request's headers."""

    pages: dict[str, str | None] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)  # Last-Modified by path
    requests: list[tuple[str, CIMultiDict[str]]] = field(default_factory=list)
    base: str = ""

    def app(self) -> web.Application:
        """An ETag server under /etag/, a Last-Modified one under /dated/, and pages with
        neither (always sent whole) under /plain/."""

        async def page(request: web.Request) -> web.StreamResponse:
            path = request.path
            self.requests.append((path, request.headers.copy()))
            if path in self.redirects:
                raise web.HTTPFound(self.redirects[path])
            body = self.pages.get(path)
            if body is None:
                raise web.HTTPGone()
            headers = {}
            if path.startswith("/etag/"):
                headers["ETag"] = f'"{hashlib.sha256(body.encode()).hexdigest()[:12]}"'
                if request.headers.get("If-None-Match") == headers["ETag"]:
                    return web.Response(status=304, headers=headers)
            elif path.startswith("/dated/"):
                headers["Last-Modified"] = self.modified.get(path, LAST_MODIFIED)
                if request.headers.get("If-Modified-Since") == headers["Last-Modified"]:
                    return web.Response(status=304, headers=headers)
            if path.endswith(".pdf"):
                return web.Response(body=make_pdf([body], title="Ferry rules"),
                                    content_type="application/pdf", headers=headers)
            return web.Response(text=body, content_type="text/html", headers=headers)

        app = web.Application()
        app.router.add_get("/{tail:.*}", page)
        return app


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site(pages={
        "/etag/ferry": html("Ferry timetable", "The ferry to the island leaves at nine."),
        "/dated/pool": html("Pool notice", "The swimming pool is closed on Mondays."),
        "/plain/library": html("Library notice", "The library lends books for three weeks."),
        "/etag/museum": html("Museum notice", "The museum opens at ten on Sundays."),
    })
    runner, state.base = await serve(state.app())
    yield state
    await runner.cleanup()


@pytest.fixture
async def web_service(settings: Settings) -> AsyncIterator[QAService]:
    service = await QAService.start(settings.model_copy(
        update={"fetch_allow_private": True, "crawl_delay_seconds": 0}))
    yield service
    await service.close()


async def _add(service: QAService, site: Site, path: str) -> Path:
    result = await service.add_page(site.base + path)
    assert result.status is UploadStatus.ADDED, result.reason
    return service.settings.knowledge_dir / result.name


def _reloads(service: QAService) -> float:
    return service.metrics.reloads.labels("ok")._value.get()


@pytest.mark.parametrize(("path", "header"), [("/etag/ferry", "If-None-Match"),
                                              ("/dated/pool", "If-Modified-Since")])
async def test_an_unchanged_page_is_asked_for_conditionally_and_left_alone(
    site: Site, web_service: QAService, path: str, header: str
) -> None:
    file = await _add(web_service, site, path)
    before, mtime, reloads = file.read_bytes(), file.stat().st_mtime_ns, _reloads(web_service)
    report = await web_service.refresh_web()
    assert [(p.url, p.outcome) for p in report.pages] == [(site.base + path, Outcome.UNCHANGED)]
    assert header in site.requests[-1][1]  # a conditional request, answered 304
    assert report.reload is None and _reloads(web_service) == reloads
    assert file.read_bytes() == before and file.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(("path", "question", "old", "new"), [
    ("/etag/ferry", "When does the ferry to the island leave?", "nine", "eleven"),
    ("/dated/pool", "When is the swimming pool closed?", "Mondays", "Tuesdays"),
])
async def test_a_changed_page_is_rewritten_and_answered_from(
    site: Site, web_service: QAService, path: str, question: str, old: str, new: str
) -> None:
    file = await _add(web_service, site, path)
    assert old in web_service.ask(question).message
    stated_before = split_front_matter(file.read_text())[0]
    site.pages[path] = site.pages[path].replace(old, new)  # type: ignore[union-attr]
    site.modified[path] = "Tue, 05 Mar 2024 09:00:00 GMT"
    report = await web_service.refresh_web()
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED]
    assert report.reload is not None and report.reload.changed == [file.relative_to(
        web_service.settings.knowledge_dir).as_posix()]
    assert new in web_service.ask(question).message
    stated = split_front_matter(file.read_text())[0]
    assert stated["url"] == site.base + path
    assert stated["fetched"] >= stated_before["fetched"]
    if path.startswith("/etag/"):
        assert stated["etag"] != stated_before["etag"]
    else:
        assert stated["last_modified"] == "Tue, 05 Mar 2024 09:00:00 GMT"
    # The next round sends the new validators, and finds nothing to do.
    again = await web_service.refresh_web()
    assert [p.outcome for p in again.pages] == [Outcome.UNCHANGED] and again.reload is None


async def test_changed_pages_are_reloaded_once_for_the_round(
    site: Site, web_service: QAService
) -> None:
    for path in ("/etag/ferry", "/etag/museum", "/dated/pool"):
        await _add(web_service, site, path)
    site.pages["/etag/ferry"] = html("Ferry timetable", "The ferry leaves at eleven.")
    site.pages["/etag/museum"] = html("Museum notice", "The museum opens at noon on Sundays.")
    reloads = _reloads(web_service)
    report = await web_service.refresh_web()
    assert sorted(p.outcome.value for p in report.pages) == ["changed", "changed", "unchanged"]
    assert _reloads(web_service) == reloads + 1
    assert report.reload is not None and len(report.reload.changed) == 2


async def test_a_page_sent_whole_with_the_same_text_is_not_rewritten(
    site: Site, web_service: QAService
) -> None:
    file = await _add(web_service, site, "/plain/library")
    before = file.read_bytes()
    # New markup around the same text (a time stamp in a comment): nothing worth a reload.
    site.pages["/plain/library"] = html("Library notice", "The library lends books for three "
                                        "weeks.", stamp="rendered at 10:02")
    report = await web_service.refresh_web()
    assert [p.outcome for p in report.pages] == [Outcome.UNCHANGED]
    assert report.reload is None and file.read_bytes() == before
    assert "If-None-Match" not in site.requests[-1][1]  # it has no validators to send


async def test_a_gone_page_is_kept_and_reported(site: Site, web_service: QAService) -> None:
    file = await _add(web_service, site, "/etag/ferry")
    before = file.read_bytes()
    site.pages["/etag/ferry"] = None  # 410 Gone
    report = await web_service.refresh_web()
    (gone,) = report.kept
    assert gone.outcome is Outcome.GONE and "410" in gone.reason
    assert file.read_bytes() == before and report.reload is None
    assert "nine" in web_service.ask("When does the ferry to the island leave?").message


async def test_a_redirect_to_where_no_page_is_fetched_is_refused_and_the_page_kept(
    site: Site, web_service: QAService
) -> None:
    file = await _add(web_service, site, "/etag/ferry")
    before = file.read_bytes()
    site.redirects["/etag/ferry"] = "file:///etc/passwd"
    report = await web_service.refresh_web()
    (kept,) = report.kept
    assert kept.outcome is Outcome.FAILED and "only http:// and https://" in kept.reason
    assert file.read_bytes() == before


async def test_a_private_address_is_refused_at_refresh_too(
    site: Site, web_service: QAService, settings: Settings
) -> None:
    await _add(web_service, site, "/etag/ferry")
    strict = await QAService.start(settings)  # FETCH_ALLOW_PRIVATE unset
    try:
        report = await strict.refresh_web()
    finally:
        await strict.close()
    (kept,) = report.kept
    assert kept.outcome is Outcome.FAILED and "loopback address" in kept.reason


async def test_a_pdf_is_refreshed_by_the_url_in_its_document_information(
    site: Site, web_service: QAService
) -> None:
    site.pages["/plain/rules.pdf"] = "The ferry carries bicycles for free."
    file = await _add(web_service, site, "/plain/rules.pdf")
    page = web_page(file.relative_to(web_service.settings.knowledge_dir).as_posix(),
                    file.read_bytes())
    assert page is not None and page.url == site.base + "/plain/rules.pdf"
    site.pages["/plain/rules.pdf"] = "The ferry carries bicycles for two dollars."
    report = await web_service.refresh_web()
    assert [p.outcome for p in report.pages] == [Outcome.CHANGED]
    assert "two dollars" in web_service.ask("Does the ferry carry bicycles?").message


async def test_files_that_name_no_url_are_not_fetched(
    site: Site, web_service: QAService
) -> None:
    folder = web_service.settings.knowledge_dir / "web" / "by-hand"
    folder.mkdir(parents=True)
    (folder / "notes.html").write_text("<p>The garden opens at eight in summer.</p>")
    (folder / "notes.txt").write_text("url: https://a.example/\nThe garden closes at dusk.")
    report = await web_service.refresh_web()
    assert report.pages == () and not site.requests


def test_web_page_reads_the_url_and_validators_back() -> None:
    data = b"---\nurl: https://a.example/x\netag: '\"abc\"'\nlast_modified: Mon\n---\n<p>x</p>"
    page = web_page("web/a.example/x.html", data)
    assert page is not None and (page.url, page.etag, page.last_modified) == (
        "https://a.example/x", '"abc"', "Mon")
    assert web_page("x.html", data) is None  # not added from the web
    assert web_page("team/web/a.example/x.html", data) is not None  # a collection's pages
    assert web_page("a/b/web/a.example/x.html", data) is None
    assert web_page("web/a.example/y.html", b"---\nurl: file:///etc/passwd\n---\n<p>x</p>") is None
    assert fetching.conditional_headers('"abc"', None) == {"If-None-Match": '"abc"'}


async def test_a_conditional_fetch_reports_not_modified_and_keeps_the_host_header(
    site: Site
) -> None:
    limits = fetching.FetchLimits(allow_private=True, seconds=10)
    page = await fetching.fetch(site.base + "/etag/ferry", limits)
    answer = await fetching.fetch_if_changed(
        site.base + "/etag/ferry", {"If-None-Match": page.etag or "", "host": "evil.example"},
        limits)
    assert answer == fetching.NotModified(site.base + "/etag/ferry")
    assert site.requests[-1][1].getall("Host") == [site.base.removeprefix("http://")]
    with pytest.raises(fetching.FetchError) as gone:
        site.pages["/etag/ferry"] = None
        await fetching.fetch(site.base + "/etag/ferry", limits)
    assert gone.value.status == 410


async def test_bot_refresh_prints_what_it_did(site: Site, tmp_path: Path,
                                              knowledge: Path) -> None:
    from tests.faces.test_cli import run_bot

    env = {"FETCH_ALLOW_PRIVATE": "true", "CRAWL_DELAY_SECONDS": "0"}
    args = ("--knowledge", str(knowledge), "--db", str(tmp_path / "cli.db"))
    for path in ("/etag/ferry", "/dated/pool"):
        added = await asyncio.to_thread(run_bot, "add", site.base + path, *args, cwd=tmp_path,
                                        env=env)
        assert added.returncode == 0, added.stderr
    site.pages["/etag/ferry"] = html("Ferry timetable", "The ferry leaves at eleven.")
    site.pages["/dated/pool"] = None
    result = await asyncio.to_thread(run_bot, "refresh", *args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 web pages refreshed in ")
    assert "1 changed, 1 gone" in lines[0]
    assert "changed: web/127.0.0.1/etag-ferry.html" in lines
    assert any(line.startswith("gone, kept: web/127.0.0.1/dated-pool.html") for line in lines)
    assert lines[-1].startswith("reloaded: 0 added, 1 changed")


def test_the_next_round_is_a_period_after_the_last_began_whatever_restarts_came_between() -> None:
    hour = 3600.0
    assert next_round_in(None, hour, 10_000.0) == hour  # none yet: the pages are new
    assert next_round_in("9000.0", hour, 10_000.0) == 2600.0
    assert next_round_in("1000.0", hour, 10_000.0) == 0.0  # overdue: at once
    assert next_round_in("99999.0", hour, 10_000.0) == hour  # a clock set back: one period
    assert next_round_in("yesterday", hour, 10_000.0) == hour


async def test_rounds_run_on_their_period_and_each_one_sets_its_time(
    site: Site, web_service: QAService
) -> None:
    await _add(web_service, site, "/etag/ferry")
    await web_service.refresh_web()  # a round now: the next is a period later
    assert float(await web_service.db.get_meta(LAST_ROUND_KEY) or 0) > 0
    rounds: list[float] = []
    ran = asyncio.Event()

    async def round_() -> None:
        rounds.append(asyncio.get_running_loop().time())
        await web_service.refresh_web()
        if len(rounds) == 2:
            ran.set()

    task = asyncio.create_task(every(0.2, round_, web_service.db))
    try:
        await asyncio.wait_for(ran.wait(), 10)
    finally:
        task.cancel()
    assert rounds[1] - rounds[0] >= 0.15  # a period apart, not back to back
