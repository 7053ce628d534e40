"""GET /healthz, /readyz and /metrics on a small HTTP server in the bot's own event loop.

Tornado is already installed with python-telegram-bot's webhook support and runs on asyncio,
so the endpoints can ask the service directly whether the index and database are ready.
"""

from __future__ import annotations

import logging

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from tornado.httpserver import HTTPServer

from bot.engine.service import QAService

log = logging.getLogger(__name__)


class _Base(tornado.web.RequestHandler):
    def initialize(self, service: QAService) -> None:
        self.service = service

    def _plain(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(text + "\n")


class Healthz(_Base):
    """Alive: the process answers HTTP."""

    def get(self) -> None:
        self._plain(200, "ok")


class Readyz(_Base):
    """Ready: the index is loaded and the database answers; 503 otherwise."""

    async def get(self) -> None:
        if await self.service.ready():
            self._plain(200, f"ready: {self.service.document_count} documents, "
                             f"{self.service.passage_count} passages")
        else:
            self._plain(503, "not ready")


class MetricsHandler(_Base):
    """Prometheus text format."""

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(self.service.metrics_text())


def start_health_server(service: QAService, listen: str, port: int) -> HTTPServer:
    """Listen on listen:port in the running event loop; returns the server to stop later."""
    app = tornado.web.Application(
        [(r"/healthz", Healthz, {"service": service}),
         (r"/readyz", Readyz, {"service": service}),
         (r"/metrics", MetricsHandler, {"service": service})],
    )
    server = HTTPServer(app)
    server.listen(port, address=listen)
    log.info("health and metrics on http://%s:%d/", listen, port)
    return server
