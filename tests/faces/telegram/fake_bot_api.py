"""A small fake Telegram Bot API server on 127.0.0.1, for real HTTP round trips in tests.

It implements the methods the bot calls, answers as Telegram does (`{"ok": true, "result":
...}`), records every request, and serves pushed updates through long-polling `getUpdates`.
Files sent to the bot (`document`) are served through `getFile` and Telegram's download path
`/file/bot<token>/<file_path>`.
An unknown method gets Telegram's 404 answer, so a test notices a call the fake lacks.

Tests run it in their own event loop. A load benchmark runs it in a process of its own
(`python -m tests.faces.telegram.fake_bot_api`), as Telegram's servers are not the bot's CPU; it is
then driven over HTTP through the `/fake/...` routes (see `serve`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.faces.telegram import bot_api_limits

BOT_USER = {
    "id": 4242, "is_bot": True, "first_name": "Docs", "username": "docs_answer_bot",
    "can_join_groups": True, "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
USER = {"id": 1001, "is_bot": False, "first_name": "Lin", "language_code": "en"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Lin"}
OTHER = {"id": 2002, "is_bot": False, "first_name": "Mo", "language_code": "en"}
OTHER_CHAT = {"id": 2002, "type": "private", "first_name": "Mo"}
GROUP = {"id": -100500, "type": "supergroup", "title": "Volunteers"}

# Longest getUpdates wait: short, because stopping the bot waits for the poll in flight.
LONG_POLL_CAP = 0.25
_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "results", "scope",
                "commands", "allowed_updates", "entities", "button", "show_alert", "is_personal",
                "drop_pending_updates", "disable_notification"}
_CHUNK = 64 * 1024  # bytes a download writes at a time
_INT_FIELDS = {"chat_id", "offset", "timeout", "limit", "message_id", "cache_time"}


@dataclass(frozen=True)
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = 0.0  # time.perf_counter() when it arrived


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for a condition on state the test cannot be notified of (a thread's progress, the
    Application's queue), looking at every turn of the event loop and every millisecond."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.001)


class FakeBotAPI:
    """Records calls; `push` queues updates for getUpdates; `reject` fakes a Bad Request."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[Call] = []
        self._counts: Counter[str] = Counter()  # calls by method, for cheap waits under load
        self.reject: Callable[[str, dict[str, Any]], str | None] = lambda method, params: None
        # Calls refused for breaking one of Telegram's limits (bot_api_limits), with the reason:
        # the fixture fails any test that leaves one here.
        self.refused: list[tuple[str, str]] = []
        # Faults to answer the next calls of a method with, in order: "429", "500", "reset".
        self.faults: dict[str, list[str]] = {}
        self._updates: list[dict[str, Any]] = []
        self._pushed: list[int] = []  # every update id queued so far
        self._handled: set[int] = set()  # those the bot reports done (see `handled`)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(500)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._files: dict[str, bytes] = {}
        self._answered: set[str] = set()  # callback queries answered
        self._deleted: set[tuple[int, int]] = set()  # (chat id, message id) of deleted messages
        self._announced: dict[str, int] = {}  # the size Telegram states for each file
        self.downloads: list[str] = []
        self.served: dict[str, int] = {}  # bytes of each download written before it ended
        self.base_url = ""
        self.file_base_url = ""
        self.control_url = ""

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1, on a free port unless one is given."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_post("/fake/messages", self._control_messages)
        app.router.add_get("/fake/calls/{method}", self._control_calls)
        app.router.add_get("/fake/counts", self._control_counts)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.control_url = f"http://127.0.0.1:{port}/fake"
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.file_base_url = f"http://127.0.0.1:{port}/file/bot"

    async def stop(self) -> None:
        """Close the server."""
        if self._runner:
            await self._runner.cleanup()

    # ---- what tests use -------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._pushed.append(update["update_id"])
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def message(self, text: str | None, chat: dict[str, Any] = PRIVATE,
                user: dict[str, Any] = USER, **extra: Any) -> int:
        """Push a new message (text, or any other content through extra)."""
        body: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                "chat": chat, "from": user, **extra}
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                body["entities"] = [{"type": "bot_command", "offset": 0,
                                     "length": len(command.encode("utf-16-le")) // 2}]
        return self.push({"message": body})

    def document(self, file_name: str, data: bytes, caption: str | None = None,
                 file_size: int | None = None, chat: dict[str, Any] = PRIVATE,
                 user: dict[str, Any] = USER) -> int:
        """Push a message carrying a file; `file_size` is what Telegram reports, in the message
        and in getFile (default: the true size)."""
        file_id = f"file{len(self._files) + 1}"
        self._files[file_id] = data
        self._announced[file_id] = len(data) if file_size is None else file_size
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "file_size": self._announced[file_id]}
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self.message(None, chat=chat, user=user, **extra)

    def callback(self, data: str, user: dict[str, Any] = USER,
                 chat: dict[str, Any] = PRIVATE) -> int:
        """Push a button press with this callback data, on a message the bot sent."""
        return self.push({"callback_query": {
            "id": f"cb{next(self._message_ids)}", "from": user, "chat_instance": "x", "data": data,
            "message": {"message_id": 9, "date": 0, "chat": chat, "from": BOT_USER, "text": "…"},
        }})

    def delete(self, update_id: int) -> None:
        """The user deletes the message of a pushed update: replies to it are refused, as
        Telegram refuses them, unless they allow sending without the reply."""
        message = next(u["message"] for u in self._updates if u["update_id"] == update_id)
        self._deleted.add((message["chat"]["id"], message["message_id"]))

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """The calls of one method so far."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Wait until the bot has called `method` at least `count` times in all."""
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._counts[method] >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.sent(method)

    @property
    def unfetched(self) -> int:
        """Updates the bot has not acknowledged (by asking for later ones) yet."""
        return len(self._updates)

    async def handled(self, update_id: int) -> None:
        """Called by the bot under test (its update processor, tests/faces/telegram/conftest.py)
        once it has done everything it does for an update."""
        self._handled.add(update_id)
        await self._notify()

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait until the bot has handled every update pushed so far, whatever it did with
        them: after this, a call it did not make is one it never makes, on any machine."""
        wanted = set(self._pushed)

        async def done() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: wanted <= self._handled)

        await asyncio.wait_for(done(), timeout)

    # ---- the server -----------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            value = str(value)
            if key in _JSON_FIELDS:
                params[key] = json.loads(value)
            elif key in _INT_FIELDS:
                params[key] = int(value)
            else:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method != "getUpdates":
            self.calls.append(Call(method, params, time.perf_counter()))
            self._counts[method] += 1
            await self._notify()
        pending = self.faults.get(method)
        if pending:
            fault = pending.pop(0)
            if fault == "429":
                return web.json_response(
                    {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                     "description": "Too Many Requests: retry after 1"}, status=429)
            if fault == "500":
                return web.json_response({"ok": False, "error_code": 500,
                                          "description": "Internal Server Error"}, status=500)
            if fault == "reset" and request.transport is not None:
                request.transport.abort()  # the connection drops without an answer
                return web.Response(status=500)
        if method == "answerCallbackQuery":  # Telegram takes one answer a press
            if params.get("callback_query_id") in self._answered:
                return web.json_response({"ok": False, "error_code": 400, "description":
                                          "Bad Request: query is too old and response timeout "
                                          "expired or query ID is invalid"}, status=400)
            self._answered.add(params.get("callback_query_id"))
        reply = params.get("reply_parameters") or {}
        if ((params.get("chat_id"), reply.get("message_id")) in self._deleted
                and not reply.get("allow_sending_without_reply")):
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: message to be replied not "
                                      "found"}, status=400)
        problem = self.reject(method, params)
        if not problem:
            problem = bot_api_limits.problem(method, params)
            if problem:
                self.refused.append((method, problem))
        if problem:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: {problem}"}, status=400)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404,
                                      "description": "Not Found: method not in the fake"},
                                     status=404)
        return web.json_response({"ok": True, "result": await handler(params)})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """The file's bytes, streamed in chunks with no Content-Length (as a server may), so
        only the reader decides how much of it is read; `served` counts what went out."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        data = self._files.get(path.rsplit("/", 1)[-1])
        if data is None:
            return web.Response(status=404)
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        self.served[path] = 0
        try:
            for start in range(0, len(data), _CHUNK):
                await response.write(data[start : start + _CHUNK])
                self.served[path] += len(data[start : start + _CHUNK])
            await response.write_eof()
        except ConnectionError:  # the reader stopped reading and hung up
            pass
        return response

    async def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                "file_size": self._announced[file_id], "file_path": f"documents/{file_id}"}

    async def _getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    # ---- driven from another process (benchmarks) ------------------------------------------

    async def _control_messages(self, request: web.Request) -> web.Response:
        """POST {"messages": [{"text", "chat", "user"}, ...]}: push them as new messages, and
        answer with the time each was pushed, on this process's clock (as `Call.at`)."""
        pushed = []
        for item in (await request.json())["messages"]:
            self.message(item["text"], chat=item.get("chat", PRIVATE), user=item.get("user", USER))
            pushed.append(time.perf_counter())
        return web.json_response({"pushed_at": pushed})

    async def _control_calls(self, request: web.Request) -> web.Response:
        """GET /fake/calls/METHOD?count=N&timeout=S: wait for N calls of METHOD, then answer
        with every call of it so far as [{"params", "at"}]."""
        method = request.match_info["method"]
        count = int(request.query.get("count", "0"))
        timeout = float(request.query.get("timeout", "60"))
        try:
            calls = await self.wait_for(method, count, timeout)
        except TimeoutError:
            return web.json_response({"error": f"{self._counts[method]} {method} calls, "
                                      f"not {count}, in {timeout} s"}, status=504)
        return web.json_response([{"params": c.params, "at": c.at} for c in calls])

    async def _control_counts(self, request: web.Request) -> web.Response:
        """GET /fake/counts: how many calls of each method (getUpdates not counted)."""
        return web.json_response(dict(self._counts))

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset", 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            try:
                async with self._changed:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates)),
                        min(float(params.get("timeout", 0)), LONG_POLL_CAP),
                    )
            except TimeoutError:
                pass
        return self._updates[: params.get("limit", 100)]

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat = GROUP if params["chat_id"] == GROUP["id"] else {**PRIVATE, "id": params["chat_id"]}
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": BOT_USER, "text": params.get("text", "")}

    async def _editMessageText(self, params: dict[str, Any]) -> Any:
        return await self._sendMessage(params)

    async def _true(self, params: dict[str, Any]) -> Any:
        return True

    _sendChatAction = _answerCallbackQuery = _answerInlineQuery = _true
    _setMyCommands = _deleteWebhook = _setWebhook = _true


async def serve(port: int = 0) -> None:
    """Run the fake until SIGTERM or SIGINT; the first line printed is a JSON object with its
    token, base_url and control_url."""
    api = FakeBotAPI()
    await api.start(port)
    print(json.dumps({"token": api.token, "base_url": api.base_url,
                      "control_url": api.control_url}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await api.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The fake Bot API in a process of its own.")
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(serve(parser.parse_args().port))
