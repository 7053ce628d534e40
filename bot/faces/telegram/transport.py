"""python-telegram-bot's Bot API requests over aiohttp instead of httpx.

python-telegram-bot lets the HTTP client be swapped (`BaseRequest`); its default, httpx over
httpcore, spends about 2 ms of CPU on each request, which at a few hundred answers a second is
as much as answering the question. aiohttp (its HTTP parser is C) makes the same request in
about 0.4 ms. Everything above the transport is python-telegram-bot's own: it gathers the
parameters, reads Telegram's JSON and raises its errors for 4xx/5xx answers
(`BaseRequest._request_wrapper`); this module only sends and receives, and turns aiohttp's
failures into python-telegram-bot's `TimedOut` and `NetworkError`, which the rate limiter and
`handlers._reply` retry.

It is chosen with `TELEGRAM_HTTP_CLIENT=aiohttp`; python-telegram-bot's own httpx client stays
the default, being the one its maintainers test against Telegram.
"""

from __future__ import annotations

import json
import ssl

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


_JSON = {"Content-Type": "application/json"}


def _value(given: object, default: float | None) -> float | None:
    """A timeout python-telegram-bot passed, or ours when it passed none: its documented test
    is `parameter is BaseRequest.DEFAULT_NONE` (the public name of the sentinel)."""
    return default if given is BaseRequest.DEFAULT_NONE else given  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of keep-alive connections; the timeouts and pool size
    mean what they mean for python-telegram-bot's HTTPXRequest, with the same defaults."""

    def __init__(self, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0
                 ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout, which python-telegram-bot adds to getUpdates' long poll."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            # certifi's roots, as httpx uses, so HTTPS works the same on hosts without CA files.
            context = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=context),
                headers={"User-Agent": self.USER_AGENT},
                # HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, as httpx reads them.
                trust_env=True,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, read: object, write: object, connect: object, pool: object,
                 files: bool) -> aiohttp.ClientTimeout:
        read_s = _value(read, self._read_timeout)
        write_s = _value(write, self._media_write_timeout if files else self._write_timeout)
        connect_s = _value(connect, self._connect_timeout)
        pool_s = _value(pool, self._pool_timeout)
        phases = (read_s, write_s, connect_s, pool_s)
        return aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the sum of the phases bounds a stalled upload.
            total=None if None in phases else sum(phases),  # type: ignore[arg-type]
            # Waiting for a free connection and opening one.
            connect=None if pool_s is None or connect_s is None else pool_s + connect_s,
            sock_connect=connect_s,
            sock_read=read_s,
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; Telegram's status code and body, as python-telegram-bot expects."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        data: aiohttp.FormData | bytes | None = None
        headers = None
        files = bool(request_data and request_data.contains_files)
        if request_data is not None:
            if files:  # the one case the Bot API needs multipart/form-data for
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (file_name, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=file_name, content_type=mime)
                data = form
            else:
                # A JSON body, which the Bot API takes as well as a form: encoding it is one C
                # call, where percent-encoding a form goes byte by byte in Python. ASCII with
                # escapes, so even a lone surrogate in a text cannot fail to encode.
                data = json.dumps(request_data.parameters).encode("ascii")
                headers = _JSON
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        try:
            async with self._session.request(method, url, data=data, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own time-outs are TimeoutErrors too
            raise TimedOut(f"aiohttp: {type(exc).__name__}") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
