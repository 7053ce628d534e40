"""The aiohttp transport on its own: forms and files arrive as Telegram would read them,
failures become python-telegram-bot's errors; and the bot still runs on httpx when asked."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.faces.telegram.transport import AiohttpRequest
from bot.faces.telegram.transport import _value as transport_value
from tests.faces.telegram.fake_bot_api import FakeBotAPI


async def _echo(request: web.Request) -> web.Response:
    if request.content_type == "application/json":
        return web.json_response({"method": request.method, "type": request.content_type,
                                  "fields": await request.json()})
    form = await request.post()
    fields: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            fields[name] = {"file_name": value.filename, "type": value.content_type,
                            "data": value.file.read().decode()}
        else:
            fields[name] = value
    return web.json_response({"method": request.method, "type": request.content_type,
                              "fields": fields, "agent": request.headers.get("User-Agent", "")})


async def _slow(request: web.Request) -> web.Response:
    await request.app[RELEASE].wait()  # until the test is over
    return web.json_response({})


RELEASE = web.AppKey("release", asyncio.Event)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app[RELEASE] = asyncio.Event()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/slow", _slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    app[RELEASE].set()
    await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    transport = AiohttpRequest()
    await transport.initialize()
    yield transport
    await transport.shutdown()


def _data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_parameters_go_as_a_json_body(server: str, request_: AiohttpRequest) -> None:
    markup = {"inline_keyboard": [[{"text": "👍", "callback_data": "fb:1:1"}]]}
    text = "东原 & <b> \ud800"  # a lone surrogate (Telegram's JSON can carry one) included
    data = _data(chat_id=1001, text=text, reply_markup=markup, disable_notification=True)
    status, body = await request_.do_request(f"{server}/echo", "POST", data)
    assert status == 200
    echoed = request_.parse_json_payload(body)
    assert echoed["type"] == "application/json"
    assert echoed["fields"] == {"chat_id": 1001, "text": text, "reply_markup": markup,
                                "disable_notification": True}


async def test_files_go_as_multipart_with_the_other_fields(
    server: str, request_: AiohttpRequest
) -> None:
    data = _data(chat_id=1001, document=InputFile(b"hello", filename="notes.txt"))
    status, body = await request_.do_request(f"{server}/echo", "POST", data)
    echoed = request_.parse_json_payload(body)
    fields = echoed["fields"]
    assert echoed["type"] == "multipart/form-data"
    assert echoed["agent"] == AiohttpRequest.USER_AGENT
    assert status == 200 and fields["chat_id"] == "1001"
    attached = next(v for v in fields.values() if isinstance(v, dict))
    assert attached == {"file_name": "notes.txt", "type": "text/plain", "data": "hello"}


async def test_a_get_without_data(server: str, request_: AiohttpRequest) -> None:
    status, body = await request_.do_request(f"{server}/echo", "GET")
    assert status == 200 and request_.parse_json_payload(body)["method"] == "GET"


async def test_a_proxy_from_the_environment_is_used(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server)  # the echo server stands in for the proxy
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        status, body = await transport.do_request("http://api.telegram.invalid/echo", "POST",
                                                  _data(chat_id=1))
    finally:
        await transport.shutdown()
    assert status == 200 and transport.parse_json_payload(body)["fields"] == {"chat_id": 1}


async def test_a_slow_answer_times_out(server: str, request_: AiohttpRequest) -> None:
    with pytest.raises(TimedOut):
        await request_.do_request(f"{server}/slow", "GET", read_timeout=0.05)


async def test_a_refused_connection_is_a_network_error(request_: AiohttpRequest) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError) as caught:
        await request_.do_request(f"http://127.0.0.1:{port}/", "POST", _data(a=1))
    assert not isinstance(caught.value, TimedOut)


async def test_it_can_be_shut_down_and_started_again(server: str) -> None:
    transport = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await transport.do_request(f"{server}/echo", "GET")
    await transport.initialize()
    await transport.shutdown()
    await transport.initialize()
    status, _ = await transport.do_request(f"{server}/echo", "GET")
    await transport.shutdown()
    assert status == 200


async def test_the_bot_runs_on_python_telegram_bots_own_httpx_by_default(
    bot_app: Application,
) -> None:
    assert isinstance(bot_app.bot.request, HTTPXRequest)


async def test_the_bot_answers_over_aiohttp_when_asked(start_bot: Any, fake_api: FakeBotAPI
                                                       ) -> None:
    app: Application = await start_bot(telegram_http_client="aiohttp")
    assert isinstance(app.bot.request, AiohttpRequest)
    fake_api.message("Who did Fu Linlin take to the hospital?")
    (reply,) = await fake_api.wait_for("sendMessage")
    assert "Fu Linlin" in reply.params["text"]


async def test_timeouts_left_unset_arrive_as_the_public_sentinel(
    fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-telegram-bot passes `BaseRequest.DEFAULT_NONE` for a timeout nobody set: the
    transport recognises that public sentinel (not a private class) and uses its own."""
    seen: list[object] = []
    real = AiohttpRequest.do_request

    async def recording(self: AiohttpRequest, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("read_timeout"))
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(AiohttpRequest, "do_request", recording)
    bot = Bot(fake_api.token, base_url=fake_api.base_url, request=AiohttpRequest(),
              get_updates_request=AiohttpRequest())
    async with bot:
        await bot.get_me()
    assert seen and all(t is BaseRequest.DEFAULT_NONE for t in seen)
    assert transport_value(BaseRequest.DEFAULT_NONE, 5.0) == 5.0
    assert transport_value(None, 5.0) is None and transport_value(2.0, 5.0) == 2.0
