"""One `async def name(update, context)` per kind of update; `app.py` registers them.

Long-lived objects (the service, the question limiter, the result store) live in
`context.bot_data`, created in post_init.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import time

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.core import follow_up, messages
from bot.core.language import detect_language
from bot.config import Settings
from bot.core.collections import Scope
from bot.core.models import Answer, CitedPassage, Status, VoteResult
from bot.engine.conversations import Conversations
from bot.engine.service import QAService
from bot.faces.telegram import callbacks, render
from bot.faces.telegram.flood import Abandoned
from bot.faces.telegram.results import ResultStore, Shown
from bot.faces.telegram.typing_indicator import typing_if_slow

log = logging.getLogger(__name__)

SETTINGS, SERVICE, LIMITER, RESULTS = "settings", "service", "limiter", "results"
# The question behind each answer message, so a reply to it is read in its context.
CONVERSATIONS = "conversations"
# Passages fetched per question: the first TOP_K are shown, "More results" pages the rest
# in the same message.
FETCH = 10
INLINE_RESULTS = 10
MAX_INLINE_QUERY = 256
INLINE_TITLE = 100
CONTEXT_PER_ROW = 5
HELP_TITLES, HELP_TITLE = 20, 100  # titles /help shows, and characters of each

Context = ContextTypes.DEFAULT_TYPE


def service_of(context: Context) -> QAService:
    """The running service, created in post_init."""
    return context.bot_data[SERVICE]


def settings_of(context: Context) -> Settings:
    """The settings the Application was built with."""
    return context.bot_data[SETTINGS]


def is_admin(update: Update, context: Context) -> bool:
    """The sender is in TELEGRAM_ADMIN_IDS; checked again on every admin path, buttons too."""
    user = update.effective_user
    return user is not None and user.id in settings_of(context).telegram_admin_ids


def scope_of(update: Update, context: Context) -> Scope:
    """What this update may search and list: a group's (or channel's) own collections, the
    user's in a private chat or inline (COLLECTIONS, /use; bot/core/collections.py)."""
    chat, user = update.effective_chat, update.effective_user
    return service_of(context).scope(
        chat.id if chat else None, chat is not None and chat.type != ChatType.PRIVATE,
        user.id if user else None, is_admin(update, context))


def is_private(update: Update) -> bool:
    """The update comes from a private chat (its reply is read by the sender alone)."""
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


# Sends that fail on the network (5xx, time-outs, resets) are tried again after these pauses;
# Telegram's own "retry after" answers are waited out by the rate limiter.
RETRY_PAUSES = (0.5, 1.0, 2.0)


async def _reply(message: Message, text: str, **options: object) -> Message:
    """reply_text, tried again when the network or Telegram's servers fail."""
    for pause in (*RETRY_PAUSES, None):
        try:
            return await message.reply_text(text, **options)  # type: ignore[arg-type]
        except NetworkError as exc:
            if pause is None or isinstance(exc, BadRequest):
                raise
            log.warning("sending failed (%s); trying again in %.1fs", exc, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable: the last try raises")


async def _send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None,
                quote: bool = False, context: Context | None = None) -> Message:
    """Send one HTML message with its buttons; a message whose markup Telegram rejects is
    sent again as plain text, so the reply is never lost. In a forum topic the reply goes to
    the topic of the message it answers (reply_text passes its message_thread_id)."""
    options = {"do_quote": quote, "reply_markup": markup}
    try:
        return await _reply(message, text, parse_mode=ParseMode.HTML, **options)
    except BadRequest as exc:
        if "parse entities" not in str(exc).lower():
            raise
        log.warning("HTML rejected (%s); sending plain text", exc)
        if context is not None:
            service_of(context).count_telegram_error("bad_request")
        return await _reply(message, render.strip_html(text), parse_mode=None, **options)


async def edit_in_place(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None,
                        context: Context) -> None:
    """Show another page in the pressed message; plain text when Telegram rejects the HTML,
    and nothing when the message already shows it (a second press on the same button) or is
    gone (deleted since: the press was answered, there is nothing to show it in)."""
    try:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            log.warning("HTML rejected (%s); editing as plain text", exc)
            service_of(context).count_telegram_error("bad_request")
            await query.edit_message_text(render.strip_html(text), parse_mode=None,
                                          reply_markup=markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:
            return
        if "message to edit not found" in reason:
            log.info("a pressed message is gone: %s", exc)
            return
        raise


def _keyboard(key: str, item: Shown, page: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ between pages ("More results ▶" on the first), 👍 👎, and a Context button for
    each passage of the page."""
    answer = item.answer
    rows = []
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=callbacks.turn(key, page - 1)))
    if page + 1 < len(item.pages):
        label = messages.text("more", answer.language, answer.traditional) if page == 0 else ""
        nav.append(InlineKeyboardButton(f"{label} ▶".strip(),
                                        callback_data=callbacks.turn(key, page + 1)))
    if nav:
        rows.append(nav)
    if item.question_id is not None:
        rows.append(_votes(item.question_id))
    ctx = messages.text("context", answer.language, answer.traditional)
    row = [InlineKeyboardButton(f"📄 {ctx} [{c.number}]",
                                callback_data=callbacks.context(key, c.number))
           for c in item.pages[page]]
    # Telegram takes at most 8 buttons a row; TOP_K may show 10 passages.
    rows += [row[i : i + CONTEXT_PER_ROW] for i in range(0, len(row), CONTEXT_PER_ROW)]
    return InlineKeyboardMarkup(rows) if any(rows) else None


def _votes(question_id: int) -> list[InlineKeyboardButton]:
    """👍 / 👎 for a logged question; the callback carries only the log's row id."""
    return [InlineKeyboardButton(mark, callback_data=callbacks.vote(question_id, value))
            for mark, value in (("👍", 1), ("👎", -1))]


async def _record(update: Update, context: Context, answer: Answer, seconds: float) -> int | None:
    """Log the question; a failing log must not cost the user the answer."""
    chat = update.effective_chat.type if update.effective_chat else "unknown"
    user = update.effective_user.id if update.effective_user else None
    try:
        return await service_of(context).record(answer, chat, user, seconds)
    except Exception:
        log.exception("could not log a question")
        return None


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer from the current index, and reply with the first page of the answer and its
    buttons (ALLOWED_IDS and the per-user limit were checked before any handler: access.py,
    throttle.py)."""
    message = update.effective_message
    if message is None:
        return
    settings = settings_of(context)
    k = settings.top_k
    conversations: Conversations = context.bot_data[CONVERSATIONS]
    earlier = _replied_to(message, context.bot.id, conversations)
    started = time.perf_counter()
    async with typing_if_slow(lambda: message.chat.send_action(ChatAction.TYPING),
                              settings.typing_delay_seconds):
        full = await asyncio.to_thread(service_of(context).ask, question, max(FETCH, k),
                                       earlier=earlier, scope=scope_of(update, context))
        pages = render.paginate(full, k)
        shown = dataclasses.replace(full, passages=pages[0] if pages else ())
        question_id = await _record(update, context, shown, time.perf_counter() - started)
    if update.effective_user is None:  # the log knows no asker, so nobody could vote
        question_id = None
    markup = None
    if full.status is Status.ANSWERED:
        item = Shown(full, tuple(pages), message.chat.id, question_id)
        key = context.bot_data[RESULTS].put(item)
        markup = _keyboard(key, item, 0)
    elif full.status is Status.NO_MATCH and question_id is not None:
        markup = InlineKeyboardMarkup([_votes(question_id)])
    text = render.fitted_page(full, pages[0], True) if pages else render.answer_html(full, k)
    sent = await _send(message, text, markup, quote=not is_private(update), context=context)
    if full.status in {Status.ANSWERED, Status.NO_MATCH}:  # a search a reply can go on from
        conversations.remember(message.chat.id, sent.message_id,
                               follow_up.chained(full.question, full.context))


def _replied_to(message: Message, bot_id: int, conversations: Conversations) -> str | None:
    """The question behind the bot's answer that this message replies to, while the bot
    remembers it (in memory: a restart, or hours, forget it)."""
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or reply.from_user.id != bot_id:
        return None
    return conversations.earlier(message.chat.id, reply.message_id)


async def help_command(update: Update, context: Context) -> None:
    """/start and /help: what the bot knows and how to ask, in English and Chinese."""
    docs = await service_of(context).documents(scope_of(update, context))
    text = html.escape(messages.bilingual("help", documents=len(docs)))
    if is_admin(update, context):
        text += "\n\n" + html.escape(messages.bilingual("admin_help"))
    if docs:
        # The first titles, cut short, as many as fit: /sources lists them all.
        heading = f"{messages.text('documents', 'en')} / {messages.text('documents', 'zh')}"
        titles = [f"• {html.escape(render.short(' '.join(d.title.split()), HELP_TITLE))}"
                  for d in docs[:HELP_TITLES]]

        def listed(n: int) -> str:
            more = f"\n… (+{len(docs) - n})" if len(docs) > n else ""
            return f"\n\n<b>{heading}</b>\n" + "\n".join(titles[:n]) + more

        shown = len(titles)
        while shown and render.utf16_len(text + listed(shown)) > render.MAX_MESSAGE:
            shown -= 1
        text += listed(shown)
    if update.effective_message:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def ask_command(update: Update, context: Context) -> None:
    """/ask QUESTION: the way to ask in a group where privacy mode hides plain messages."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    parts = message.text.split(maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        await message.reply_text(messages.bilingual("ask_usage"), parse_mode=None)
        return
    await answer_question(update, context, parts[1])


async def private_text(update: Update, context: Context) -> None:
    """In a private chat every text message is a question."""
    if update.effective_message and update.effective_message.text is not None:
        await answer_question(update, context, update.effective_message.text)


def user_language(user: User | None) -> str:
    """The language of a user's Telegram app, for replies that answer no text of theirs."""
    code = (user.language_code if user else None) or "en"
    return "zh" if code.startswith("zh") else "en"


def wants_reply(message: Message, bot_id: int, username: str | None) -> bool:
    """A new message the bot answers: anything in a private chat; in groups, commands for it
    (not another bot's) and messages addressed to it, never the group's own chatter nor
    inline results shared through a bot."""
    if message.via_bot is not None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    text = message.text or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        _, at, target = command.partition("@")
        return not at or (username is not None and target.lower() == username.lower())
    return addressed_question(message, bot_id, username) is not None


def addressed_question(message: Message, bot_id: int, username: str | None) -> str | None:
    """The question in a group message meant for the bot (mention or reply), else None."""
    text = message.text or ""
    if username:
        handle = f"@{username}".lower()
        mentions = [
            (e, value) for e, value in message.parse_entities([MessageEntity.MENTION]).items()
            if value.lower() == handle
        ]
        if mentions:
            for entity, _ in sorted(mentions, key=lambda m: -m[0].offset):
                # Entity offsets are in UTF-16 units; cut in those units.
                units = text.encode("utf-16-le")
                text = (units[: 2 * entity.offset] + units[2 * (entity.offset + entity.length):]
                        ).decode("utf-16-le")
            return text
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return text
    return None


async def group_text(update: Update, context: Context) -> None:
    """In groups, answer only messages that mention the bot or reply to it."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is not None:
        await answer_question(update, context, question)


async def _kept(update: Update, context: Context, key: str,
                ) -> tuple[CallbackQuery, Shown] | None:
    """The press and the answer kept under key, or None once the press is answered "expired"
    (the answer was forgotten, belongs to another chat, or its message is gone)."""
    query = update.callback_query
    chat = update.effective_chat.id if update.effective_chat else None
    item = context.bot_data[RESULTS].get(key, chat)
    if query is None or item is None or not isinstance(query.message, Message):
        if query is not None:
            await query.answer(messages.bilingual("expired"))
        return None
    return query, item


async def _still_current(query: CallbackQuery, context: Context, item: Shown,
                         passages: tuple[CitedPassage, ...], scope: Scope) -> bool:
    """The passages are served as they were when the answer was sent; else the press is
    answered with why nothing is shown (a different version must not pass for the cited one,
    nor a passage of a collection the chat no longer sees)."""
    if service_of(context).unchanged([c.hit.passage for c in passages], scope):
        return True
    await query.answer(messages.text("changed", item.answer.language, item.answer.traditional),
                       show_alert=True)
    return False


async def turn_button(update: Update, context: Context, press: callbacks.Turn) -> None:
    """A press on "More results", ◀, ▶ or "Back": that page of the answer, in the same
    message."""
    found = await _kept(update, context, press.key)
    if found is None:
        return
    query, item = found
    if press.page >= len(item.pages):
        await query.answer(messages.text("no_more", item.answer.language,
                                         item.answer.traditional))
        return
    page = item.pages[press.page]
    if not await _still_current(query, context, item, page, scope_of(update, context)):
        return
    await query.answer()
    text = render.fitted_page(item.answer, page, press.page == 0)
    markup = _keyboard(press.key, item, press.page)
    await edit_in_place(query, text, markup, context)


async def context_button(update: Update, context: Context, press: callbacks.Context) -> None:
    """A press on "Context": the passage with its neighbours in its document, in the same
    message, with a button back to the page it was on."""
    found = await _kept(update, context, press.key)
    if found is None:
        return
    query, item = found
    language, traditional = item.answer.language, item.answer.traditional
    at = next(((n, c) for n, page in enumerate(item.pages) for c in page
               if c.number == press.number), None)
    if at is None:
        await query.answer(messages.text("expired", language, traditional))
        return
    number, cited = at
    scope = scope_of(update, context)
    if not await _still_current(query, context, item, (cited,), scope):
        return
    await query.answer()
    p = cited.hit.passage
    text = render.context_message(p, service_of(context).around(p, scope), language,
                                  traditional)
    back = messages.text("back", language, traditional)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        f"◀ {back}", callback_data=callbacks.turn(press.key, number))]])
    await edit_in_place(query, text, markup, context)


async def vote_button(update: Update, context: Context, press: callbacks.Vote) -> None:
    """A press on 👍 or 👎: stored with the question it belongs to, and acknowledged."""
    query = update.callback_query
    if query is None:
        return
    result = await service_of(context).vote(press.question_id, query.from_user.id, press.value)
    key = {VoteResult.STORED: "feedback_thanks", VoteResult.NOT_ASKER: "vote_not_yours",
           VoteResult.NO_QUESTION: "expired"}[result]
    await query.answer(messages.text(key, user_language(query.from_user)))


async def inline_query(update: Update, context: Context) -> None:
    """@bot question in any chat: the top passages as results, each with its citation."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()[:MAX_INLINE_QUERY]
    if not text:
        await query.answer([], cache_time=5, is_personal=True)
        return
    # The asking user's own collections: inline results may be shared into any chat.
    answer = await asyncio.to_thread(service_of(context).ask, text, INLINE_RESULTS,
                                     scope=scope_of(update, context))
    results = []
    for c in answer.passages[:50]:
        single = dataclasses.replace(answer, passages=(dataclasses.replace(c, number=1),))
        body = render.answer_html(single, 1)
        results.append(InlineQueryResultArticle(
            id=f"{c.hit.passage.id}",
            title=render.short(f"[{c.number}] {' '.join(c.hit.passage.title.split())}",
                               INLINE_TITLE),
            description=render.inline_description(c),
            input_message_content=InputTextMessageContent(body, parse_mode=ParseMode.HTML),
        ))
    # Telegram serves cached results to anyone typing the same query, without asking the bot:
    # with ALLOWED_IDS or collections set they must be cached for this user only.
    personal = bool(settings_of(context).allowed_ids) or service_of(context).scoped
    await query.answer(results, cache_time=30, is_personal=personal)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos and the like: a short hint in private chats, silence in groups."""
    if is_private(update) and update.effective_message:
        await update.effective_message.reply_text(messages.bilingual("text_only"), parse_mode=None)


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in a private chat: point to /help."""
    if update.effective_message:
        await help_command(update, context)


async def on_error(update: object, context: Context) -> None:
    """Log any failure with its update id and tell the user, in their language."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Abandoned):  # the bot is stopping: nobody to tell
        log.warning("update %s: a reply waiting for its chat's flood limit was dropped at "
                    "shutdown", update_id, extra={"update_id": update_id})
        return
    log.error("update %s failed", update_id, exc_info=context.error,
              extra={"update_id": update_id})
    service = context.bot_data.get(SERVICE)
    if service is not None:
        kind = type(context.error).__name__ if context.error else "unknown"
        is_telegram = isinstance(context.error, TelegramError)
        service.count_telegram_error(kind if is_telegram else "handler")
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        # The client shows a spinner until a press is answered: answer it with the apology,
        # unless the handler already had (Telegram takes one answer), then say it in the chat.
        try:
            await update.callback_query.answer(
                messages.text("error", user_language(update.callback_query.from_user)))
            return
        except TelegramError:
            pass
    if update.effective_message is None:
        return
    language, traditional = detect_language(update.effective_message.text or "")
    try:
        await update.effective_message.reply_text(
            messages.text("error", language, traditional), parse_mode=None
        )
    except Exception:  # the chat may be gone; the error is logged already
        log.exception("could not report the failure of update %s", update_id)
