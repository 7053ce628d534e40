"""A small fake Telegram Bot API server on 127.0.0.1, for real HTTP round trips in tests.

It implements the methods the bot calls, answers as Telegram does (`{"ok": true, "result":
...}`), records every request, and serves pushed updates through long-polling `getUpdates`.
It keeps every message pushed or sent (`messages`, by chat id and message id) as Telegram
would: a sent message is answered with the whole Message object (its text as parsed, its
entities, its topic, the message it replies to), and edits find it, change it, or are refused
("message to edit not found", "message is not modified") as Telegram refuses them. A button
press (`callback`) is on a real message, and `reply` and `message(..., thread=)` push a reply
to one of the bot's messages or a message in a forum topic.
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
import copy
import itertools
import json
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.faces.telegram import bot_api_limits

BOT_USER: dict[str, Any] = {
    "id": 4242, "is_bot": True, "first_name": "Docs", "username": "docs_answer_bot",
    "can_join_groups": True, "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
USER: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Lin", "language_code": "en"}
PRIVATE: dict[str, Any] = {"id": 1001, "type": "private", "first_name": "Lin"}
OTHER: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Mo", "language_code": "en"}
OTHER_CHAT: dict[str, Any] = {"id": 2002, "type": "private", "first_name": "Mo"}
GROUP: dict[str, Any] = {"id": -100500, "type": "supergroup", "title": "Volunteers"}
FORUM: dict[str, Any] = {"id": -100600, "type": "supergroup", "title": "Help desk", "is_forum": True}
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")

# Longest getUpdates wait: short, because stopping the bot waits for the poll in flight.
LONG_POLL_CAP = 0.25
_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "results", "scope",
                "commands", "allowed_updates", "entities", "button", "show_alert", "is_personal",
                "drop_pending_updates", "disable_notification"}
_CHUNK = 64 * 1024  # bytes a download writes at a time
_INT_FIELDS = {"chat_id", "offset", "timeout", "limit", "message_id", "cache_time",
               "message_thread_id"}


@dataclass(frozen=True)
class Call:
    """One request the bot made, and the fake's answer to it once given."""

    method: str
    params: dict[str, Any]
    at: float = 0.0  # time.perf_counter() when it arrived
    # The answer's JSON body ({"ok": ..., "result" or "description": ...}); empty until sent.
    answer: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Kept:
    """A message as the fake keeps it: Telegram's Message object as it stands now, and the
    text it was last sent or edited with (HTML when `parse_mode` is "HTML")."""

    message: dict[str, Any]
    source: str | None = None
    parse_mode: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        """(chat id, message id)."""
        return self.message["chat"]["id"], self.message["message_id"]

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """Its inline keyboard, or None."""
        return self.message.get("reply_markup")

    @property
    def message_thread_id(self) -> int | None:
        """The forum topic it is in, or None."""
        return self.message.get("message_thread_id")

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent it."""
        return bool(self.message.get("from", {}).get("id") == BOT_USER["id"])

    def visible(self, folded: bool = False) -> str:
        """What a person sees of it now (see bot_api_limits.visible_text)."""
        return _shown(self.source or "", self.parse_mode, folded)


class _BadRequest(Exception):
    """Refused with Telegram's 400 answer "Bad Request: <the message>"."""


def _bad_request(description: str) -> tuple[int, dict[str, Any]]:
    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


def _shown(text: str, parse_mode: str | None, folded: bool) -> str:
    if parse_mode != "HTML":
        return text
    return bot_api_limits.visible_text(text, folded)


def _quoted(message: dict[str, Any]) -> dict[str, Any]:
    """A message as another's reply_to_message: Telegram leaves out its own reply_to_message."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def _keyboard(markup: Any) -> dict[str, Any] | None:
    """The inline keyboard a message shows after a send or edit with this reply_markup."""
    return markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for a condition on state the test cannot be notified of (a thread's progress, the
    Application's queue), looking at every turn of the event loop and every millisecond."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.001)


class FakeBotAPI:
    """Records calls; `push` queues updates for getUpdates; `reject` fakes a Bad Request;
    `messages` holds every message pushed or sent, as it stands now."""

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
        self._message_of: dict[int, tuple[int, int]] = {}  # update id: its message's key
        self._handled: set[int] = set()  # those the bot reports done (see `handled`)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(500)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._files: dict[str, bytes] = {}
        self._answered: set[str] = set()  # callback queries answered
        self.messages: dict[tuple[int, int], Kept] = {}  # by (chat id, message id)
        self.chats: dict[int, dict[str, Any]] = {
            c["id"]: c for c in (PRIVATE, OTHER_CHAT, GROUP, FORUM)}
        self._topics: dict[tuple[int, int], dict[str, Any]] = {}  # their forum_topic_created
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
        """Queue an update; returns its update_id. The messages in it are kept (`messages`)."""
        update = {"update_id": next(self._update_ids), **update}
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if kind in update:
                body = update[kind]
                key = (body["chat"]["id"], body["message_id"])
                self.chats.setdefault(key[0], body["chat"])
                self.messages[key] = Kept(copy.deepcopy(body), body.get("text", body.get("caption")))
                self._message_of[update["update_id"]] = key
        self._updates.append(update)
        self._pushed.append(update["update_id"])
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def message(self, text: str | None, chat: dict[str, Any] = PRIVATE,
                user: dict[str, Any] = USER, thread: int | None = None, **extra: Any) -> int:
        """Push a new message (text, or any other content through extra); `thread` puts it in
        that forum topic of `chat` (FORUM), as Telegram does: message_thread_id,
        is_topic_message, and a reply to the topic's first message unless it replies to another."""
        topic = self.topic(chat=chat, thread=thread) if thread is not None else None
        body: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                "chat": chat, "from": user}
        if topic is not None:
            body.update(message_thread_id=topic["message_id"], is_topic_message=True,
                        reply_to_message=_quoted(topic))
        body.update(extra)
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                body["entities"] = [{"type": "bot_command", "offset": 0,
                                     "length": len(command.encode("utf-16-le")) // 2}]
        return self.push({"message": body})

    def topic(self, name: str = "Questions", chat: dict[str, Any] = FORUM,
              user: dict[str, Any] = USER, thread: int | None = None) -> dict[str, Any]:
        """The forum topic `thread` of `chat` (a new one, made by `user`, when None or not yet
        made): its first message, whose message_id is the topic's message_thread_id."""
        if thread is not None and (chat["id"], thread) in self._topics:
            return self._topics[(chat["id"], thread)]
        if not chat.get("is_forum"):
            raise ValueError(f"chat {chat['id']} is no forum")
        thread = next(self._message_ids) if thread is None else thread
        created = {"message_id": thread, "date": int(time.time()), "chat": chat, "from": user,
                   "message_thread_id": thread, "is_topic_message": True,
                   "forum_topic_created": {"name": name, "icon_color": 7322096}}
        self._topics[(chat["id"], thread)] = created
        self.chats.setdefault(chat["id"], chat)
        self.messages[(chat["id"], thread)] = Kept(created)
        return created

    def reply(self, text: str, to: Call | Kept | dict[str, Any], chat: dict[str, Any] | None = None,
              user: dict[str, Any] = USER, **extra: Any) -> int:
        """Push a message replying to `to` (a call that sent or edited a message, a kept message,
        or a Message object) as Telegram sends it: reply_to_message is that message as it
        stands (from BOT_USER when the bot sent it), and a reply in a forum topic is in the
        topic too. `chat` defaults to the replied message's chat."""
        replied = self.kept(to).message if not isinstance(to, dict) else to
        chat = chat or replied["chat"]
        if replied.get("is_topic_message"):
            extra = {"message_thread_id": replied["message_thread_id"], "is_topic_message": True,
                     **extra}
        return self.message(text, chat=chat, user=user, reply_to_message=_quoted(replied),
                            **extra)

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

    def callback(self, data: str, user: dict[str, Any] = USER, chat: dict[str, Any] = PRIVATE,
                 message: Call | Kept | dict[str, Any] | None = None) -> int:
        """Push a button press with this callback data on a message the bot sent: `message`
        (a call that sent or edited it, a kept message, or a Message object), by default the
        last message the bot sent in `chat`, as it stands now. With none there, the press is on
        a message the fake knows nothing about (message_id 9), which edits cannot find."""
        if message is None:
            last = self.last_sent(chat["id"])
            body = last.message if last else {"message_id": 9, "date": 0, "chat": chat,
                                              "from": BOT_USER, "text": "…"}
        else:
            body = self.kept(message).message if not isinstance(message, dict) else message
        return self.push({"callback_query": {
            "id": f"cb{next(self._message_ids)}", "from": user, "chat_instance": "x", "data": data,
            "message": copy.deepcopy(body),
        }})

    def delete(self, update_id: int) -> None:
        """The user deletes the message of a pushed update: it is no longer kept, so replies to
        it are refused, as Telegram refuses them, unless they allow sending without the reply."""
        self.messages.pop(self._message_of[update_id], None)

    def kept(self, what: Call | Kept | tuple[int, int]) -> Kept:
        """The kept message, as it stands now, that a call sent or edited (KeyError if the call
        was refused or made none), or at a (chat id, message id)."""
        if isinstance(what, Kept):
            what = what.key
        elif isinstance(what, Call):
            result = what.answer.get("result")
            if not isinstance(result, dict):
                raise KeyError(f"{what.method} made no message: {what.answer}")
            what = (result["chat"]["id"], result["message_id"])
        return self.messages[what]

    def last_sent(self, chat_id: int) -> Kept | None:
        """The last message the bot sent in a chat, as it stands now."""
        return next((k for k in reversed(self.messages.values())
                     if k.from_bot and k.key[0] == chat_id), None)

    def visible(self, what: Call | Kept | tuple[int, int], folded: bool = False) -> str:
        """What a person sees of a message: for a call, the text it sent or edited in; for a
        kept message or a (chat id, message id), its text as it stands now. With `folded`, each
        `<blockquote expandable>` shows only its first lines (bot_api_limits.fold)."""
        if isinstance(what, Call):
            return _shown(what.params.get("text", what.params.get("caption", "")),
                          what.params.get("parse_mode"), folded)
        return self.kept(what).visible(folded)

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
        call = Call(method, params, time.perf_counter())
        if method != "getUpdates":
            self.calls.append(call)
            self._counts[method] += 1
            await self._notify()
        status, body = await self._answer(request, method, params)
        call.answer.update(body)
        if status is None:  # the connection was dropped
            return web.Response(status=500)
        return web.json_response(body, status=status)

    async def _answer(self, request: web.Request, method: str, params: dict[str, Any]
                      ) -> tuple[int | None, dict[str, Any]]:
        """The HTTP status and JSON body of the answer to a call (status None: no answer)."""
        pending = self.faults.get(method)
        if pending:
            fault = pending.pop(0)
            if fault == "429":
                return 429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 1},
                             "description": "Too Many Requests: retry after 1"}
            if fault == "500":
                return 500, {"ok": False, "error_code": 500,
                             "description": "Internal Server Error"}
            if fault == "reset" and request.transport is not None:
                request.transport.abort()  # the connection drops without an answer
                return None, {}
        if method == "answerCallbackQuery":  # Telegram takes one answer a press
            if params.get("callback_query_id") in self._answered:
                return _bad_request("query is too old and response timeout expired or query ID "
                                    "is invalid")
            self._answered.add(params.get("callback_query_id"))
        problem = self.reject(method, params)
        if not problem:
            problem = bot_api_limits.problem(method, params)
            if problem:
                self.refused.append((method, problem))
        if problem:
            return _bad_request(problem)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404,
                         "description": "Not Found: method not in the fake"}
        try:
            return 200, {"ok": True, "result": await handler(params)}
        except _BadRequest as exc:  # the state of the chat refuses it (an edit's message, ...)
            return _bad_request(str(exc))

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

    def _content(self, params: dict[str, Any]) -> dict[str, Any]:
        """A message's text and entities as Telegram makes them of a call's text."""
        text = params.get("text", "")
        if params.get("parse_mode") == "HTML":
            parsed = bot_api_limits.parse_html(text)  # bot_api_limits.problem let it through
            text, entities = parsed.text, [e.as_json() for e in parsed.entities]
        else:
            entities = params.get("entities") or []
        return {"text": text, "entities": entities} if entities else {"text": text}

    def _edited(self, params: dict[str, Any]) -> Kept:
        """The kept message an edit is for, or Telegram's refusal."""
        kept = self.messages.get((params.get("chat_id", 0), params.get("message_id", 0)))
        if kept is None:
            raise _BadRequest("message to edit not found")
        if not kept.from_bot:
            raise _BadRequest("message can't be edited")
        return kept

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = params["chat_id"]
        chat = self.chats.get(chat_id) or {**PRIVATE, "id": chat_id}
        reply = params.get("reply_parameters") or {}
        replied = None
        if reply:
            replied = self.messages.get((reply.get("chat_id", chat_id), reply["message_id"]))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise _BadRequest("message to be replied not found")
        thread = params.get("message_thread_id")
        if thread is None and replied is not None and replied.message.get("is_topic_message"):
            thread = replied.message_thread_id  # a reply goes to the topic of what it replies to
        topic = self._topics.get((chat_id, thread)) if thread is not None else None
        if thread is not None and topic is None:
            raise _BadRequest("message thread not found")
        body: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                "chat": chat, "from": BOT_USER, **self._content(params)}
        if topic is not None:
            body.update(message_thread_id=thread, is_topic_message=True)
        # In a topic, a message replies to the topic's first one unless it replies to another.
        quoted = replied.message if replied is not None else topic
        if quoted is not None:
            body["reply_to_message"] = _quoted(quoted)
        if _keyboard(params.get("reply_markup")):
            body["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, body["message_id"])] = Kept(
            body, params.get("text", ""), params.get("parse_mode"))
        return copy.deepcopy(body)

    async def _editMessageText(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id"):
            return True
        kept = self._edited(params)
        content, markup = self._content(params), _keyboard(params.get("reply_markup"))
        now = {k: kept.message[k] for k in ("text", "entities") if k in kept.message}
        if content == now and markup == kept.reply_markup:
            raise _BadRequest(NOT_MODIFIED)
        message = {k: v for k, v in kept.message.items() if k not in {"text", "entities",
                                                                      "reply_markup"}}
        message.update(content, edit_date=int(time.time()))
        if markup:
            message["reply_markup"] = markup
        kept.message, kept.source, kept.parse_mode = (message, params.get("text", ""),
                                                      params.get("parse_mode"))
        return copy.deepcopy(message)

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id"):
            return True
        kept = self._edited(params)
        markup = _keyboard(params.get("reply_markup"))
        if markup == kept.reply_markup:
            raise _BadRequest(NOT_MODIFIED)
        kept.message = {k: v for k, v in kept.message.items() if k != "reply_markup"}
        kept.message["edit_date"] = int(time.time())
        if markup:
            kept.message["reply_markup"] = markup
        return copy.deepcopy(kept.message)

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
