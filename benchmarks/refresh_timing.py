"""How long a refresh round of the pages added from the web takes, through the same
QAService.refresh_web that `bot refresh` and REFRESH_HOURS use, against a site served on
127.0.0.1 (nothing leaves the machine).

    python benchmarks/refresh_timing.py [--pages 20] [--changed 5] [--trials 3]

The site's pages send an ETag and answer a matching If-None-Match with 304. The pages are
added from its sitemap into a temporary knowledge folder; then each trial times a round where
nothing changed (every page 304) and one where `--changed` pages changed (rewritten, one
reload), in seconds of wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import tempfile
import time
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.engine.service import QAService


def site(pages: int, version: list[int], changed: int) -> web.Application:
    """`pages` notices and their sitemap; the first `changed` read otherwise at each version."""

    def text(n: int) -> str:
        news = f" Updated, version {version[0]}." if n < changed and version[0] else ""
        return (f"<html><head><title>Notice {n}</title></head><body><article><h1>Notice {n}"
                f"</h1><p>Room {n} of the community centre opens at {n % 12 + 1} o'clock."
                f"{news}</p></article></body></html>")

    async def page(request: web.Request) -> web.Response:
        body = text(int(request.match_info["n"]))
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:12] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=body, content_type="text/html", headers={"ETag": etag})

    async def sitemap(request: web.Request) -> web.Response:
        locs = "".join(f"<url><loc>http://{request.host}/notice/{n}</loc></url>"
                       for n in range(pages))
        return web.Response(content_type="application/xml", text=(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</urlset>"))

    app = web.Application()
    app.router.add_get("/notice/{n}", page)
    app.router.add_get("/sitemap.xml", sitemap)
    return app


async def main(pages: int, changed: int, trials: int) -> None:
    version = [0]
    runner = web.AppRunner(site(pages, version, changed), access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Path(tmp, "knowledge")
        knowledge.mkdir()
        settings = Settings(knowledge_dir=knowledge, database_path=Path(tmp, "bot.sqlite3"),
                            fetch_allow_private=True, crawl_delay_seconds=0,
                            crawl_max_pages=pages)
        service = await QAService.start(settings)
        try:
            added = await service.add_site(f"http://127.0.0.1:{port}/sitemap.xml")
            print(f"{len(added)} pages added from the local site's sitemap")
            for trial in range(1, trials + 1):
                started = time.perf_counter()
                same = await service.refresh_web()
                same_s = time.perf_counter() - started
                version[0] = trial
                started = time.perf_counter()
                new = await service.refresh_web()
                new_s = time.perf_counter() - started
                print(f"trial {trial}: nothing changed {same_s:.2f} s ({same.summary()}); "
                      f"{changed} changed {new_s:.2f} s, reload "
                      f"{new.reload.seconds if new.reload else 0:.2f} s")
        finally:
            await service.close()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.pages, args.changed, args.trials))
