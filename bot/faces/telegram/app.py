"""Build the python-telegram-bot Application, register every handler, and run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.faces.health import start_health_server
from bot.engine.service import QAService
from bot.faces.telegram import (
    access,
    admin,
    buttons,
    channels,
    handlers,
    listing,
    scopes,
    throttle,
)
from bot.faces.telegram.flood import FloodLimiter
from bot.faces.telegram.results import ResultStore
from bot.engine.conversations import Conversations
from bot.engine.refresh import every
from bot.faces.telegram.refresh_report import refresh_round
from bot.faces.telegram.slots import UpdateSlots
from bot.faces.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)

HEALTH = "health"
ACCESS_GROUP, LIMITS_GROUP = -2, -1  # handler groups before the handlers' own (0)
WATCHER = "watcher"
REFRESHER = "refresher"  # the REFRESH_HOURS task

COMMANDS = [
    BotCommand("help", "How to ask / 如何提问"),
    BotCommand("ask", "Ask a question (in groups) / 提问（群组中）"),
    BotCommand("sources", "The documents I know / 文档列表"),
]
ADMIN_COMMANDS = [
    BotCommand("reload", "Re-read the knowledge folder / 重新加载"),
    BotCommand("add", "Add a web page by its URL / 按网址添加网页"),
    BotCommand("docs", "Documents with ids / 文档与 ID"),
    BotCommand("remove", "Remove a document / 删除文档"),
    BotCommand("stats", "Usage statistics / 使用统计"),
    BotCommand("collections", "Collections and who sees them / 文档集"),
    BotCommand("use", "Set the collections a chat searches / 设置文档集"),
]


async def post_init(application: Application) -> None:
    """Open the database and load the index once, before the first update."""
    settings: Settings = application.bot_data[handlers.SETTINGS]
    # A restart serves the saved index at once and syncs the folder in the background.
    application.bot_data[handlers.SERVICE] = await QAService.start(settings, serve_first=True)
    application.bot_data.update(throttle.limiters(settings.questions_per_minute))
    application.bot_data[handlers.RESULTS] = ResultStore()
    application.bot_data[handlers.CONVERSATIONS] = Conversations()
    if settings.serve_health:
        application.bot_data[HEALTH] = start_health_server(
            application.bot_data[handlers.SERVICE], settings.health_listen, settings.health_port
        )
    if settings.watch_seconds > 0:
        service = application.bot_data[handlers.SERVICE]
        application.bot_data[WATCHER] = asyncio.create_task(service.watch(settings.watch_seconds))
    if settings.refresh_hours > 0:
        application.bot_data[REFRESHER] = asyncio.create_task(every(
            settings.refresh_hours * 3600, lambda: refresh_round(application),
            application.bot_data[handlers.SERVICE].db))
    await application.bot.set_my_commands(COMMANDS)
    for admin_id in settings.telegram_admin_ids:
        # Admins see their commands in the menu; the handlers check the id again regardless.
        try:
            await application.bot.set_my_commands(COMMANDS + ADMIN_COMMANDS,
                                                  scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
            log.warning("could not set the admin menu for %s: %s", admin_id, exc)
    log.info("serving %d documents as @%s", application.bot_data[handlers.SERVICE].document_count,
             application.bot.username)


async def post_shutdown(application: Application) -> None:
    """Stop watching the folder, refreshing the web pages and the health server, then close
    the database after the last update."""
    for name in (WATCHER, REFRESHER):
        task = application.bot_data.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    health = application.bot_data.pop(HEALTH, None)
    if health is not None:
        health.stop()
    service = application.bot_data.pop(handlers.SERVICE, None)
    if service is not None:
        await service.close()


class BotApplication(Application):  # type: ignore[type-arg]
    """python-telegram-bot's Application, stopping in seconds however busy a group is."""

    async def stop(self) -> None:
        """Abandon sends still waiting for their chat's flood limit (FloodLimiter), then stop
        as usual: every update in hand is finished, which no longer means minutes."""
        limiter = self.bot.rate_limiter
        if isinstance(limiter, FloodLimiter):
            limiter.abandon_waits()
        await super().stop()


def build_application(settings: Settings) -> Application:
    """The Application with every handler; the token and API URL come from settings."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = ApplicationBuilder()
    if settings.telegram_http_client == "aiohttp":
        # The pool sizes python-telegram-bot gives its own client: one connection for the long
        # poll, 256 for everything else.
        builder = (builder.request(AiohttpRequest(connection_pool_size=256))
                   .get_updates_request(AiohttpRequest(connection_pool_size=1)))
    application = (
        builder
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .application_class(BotApplication)
        # Several updates at once, so other chats do not wait for one slow question or send;
        # but a bounded number: answering is CPU work, and updates started beyond what the CPU
        # can answer only queue for it (each with its typing timer running and competing for
        # the GIL). A send waiting for its chat's flood limit gives its slot back meanwhile.
        .concurrent_updates(UpdateSlots(settings.concurrent_updates))
        # Flood limits on outgoing calls, per chat; a 429 "retry after" is waited out and
        # tried again.
        .rate_limiter(FloodLimiter(max_retries=3))
        # A reply quotes its question in groups; a question deleted meanwhile still gets it.
        .defaults(Defaults(parse_mode=ParseMode.HTML, allow_sending_without_reply=True,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[handlers.SETTINGS] = settings

    # Before any handler, for every update of any kind: ALLOWED_IDS, then the per-user limits.
    # Each gate stops what it refuses (ApplicationHandlerStop), so no handler below can be
    # reached around them.
    application.add_handler(TypeHandler(Update, access.gate), group=ACCESS_GROUP)
    application.add_handler(TypeHandler(Update, throttle.gate), group=LIMITS_GROUP)

    new = filters.UpdateType.MESSAGE  # edited messages are ignored everywhere
    # Text sent through an inline bot is a result being shared (often our own answer), not a
    # question: answering it would answer the bot's answer.
    text = new & filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
    # Order matters: commands first, then text by chat type, then everything else that is new.
    application.add_handler(CommandHandler(["start", "help"], handlers.help_command, filters=new))
    application.add_handler(CommandHandler("sources", listing.sources_command, filters=new))
    application.add_handler(CommandHandler("ask", handlers.ask_command, filters=new))
    # Admin commands: registered for everyone, so others get a polite refusal, not /help.
    application.add_handler(CommandHandler("reload", admin.reload_command, filters=new))
    application.add_handler(CommandHandler("add", admin.add_command, filters=new))
    application.add_handler(CommandHandler("docs", admin.docs_command, filters=new))
    application.add_handler(CommandHandler("remove", admin.remove_command, filters=new))
    application.add_handler(CommandHandler("stats", admin.stats_command, filters=new))
    application.add_handler(CommandHandler("collections", scopes.collections_command,
                                           filters=new))
    application.add_handler(CommandHandler("use", scopes.use_command, filters=new))
    # A file in a private chat is an upload (admins only); before the "not text" hint.
    application.add_handler(MessageHandler(new & filters.Document.ALL & filters.ChatType.PRIVATE,
                                           admin.upload_document))
    # Posts of SOURCE_CHANNEL_IDS, new and edited, become documents; so does an admin's
    # forward in a private chat (others' go on as questions): before the text handlers.
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS,
                                           channels.channel_post))
    application.add_handler(MessageHandler(
        new & filters.FORWARDED & ~filters.COMMAND & filters.ChatType.PRIVATE, channels.forwarded))
    # A private message that is only a link: an admin is offered to add the page; before the
    # catch-all below, which would take it as a question (link_message does, for others).
    application.add_handler(MessageHandler(
        text & filters.ChatType.PRIVATE & filters.Regex(admin.LINK.pattern + "$"),
        admin.link_message))
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, handlers.private_text))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, handlers.group_text))
    application.add_handler(MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE,
                                           handlers.unknown_command))
    application.add_handler(MessageHandler(new & ~filters.TEXT, handlers.not_text))
    # Every button through one handler, which reads the callback data once and refuses the rest.
    application.add_handler(CallbackQueryHandler(buttons.press))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.on_error)
    return application


def run(settings: Settings) -> None:
    """Run until Ctrl-C or SIGTERM: webhook mode when WEBHOOK_URL is set, else long polling."""
    application = build_application(settings)
    if settings.webhook_url:
        secret = settings.webhook_secret_token
        log.info("webhook mode on %s:%d/%s", settings.webhook_listen, settings.webhook_port,
                 settings.webhook_path)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("long-polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
