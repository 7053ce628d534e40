"""ALLOWED_IDS, checked once for every update before any handler sees it.

`gate` runs in the first handler group (app.py) for every update of any kind: messages,
commands, edits, button presses, inline queries, channel posts. An update from outside the
list is answered politely without a word about the documents, and stopped
(ApplicationHandlerStop), so no handler, however it is registered, can leak what they hold.
Admins (TELEGRAM_ADMIN_IDS) always pass: they run the bot.
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultsButton, Update
from telegram.ext import ApplicationHandlerStop

from bot.config import Settings
from bot.core import messages
from bot.faces.telegram.handlers import Context, settings_of, wants_reply
from bot.faces.telegram.limits import Once

log = logging.getLogger(__name__)

NOTICES = "access_notices"  # bot_data key: who was told recently (Once)
# Where the inline "not available" button leads: /start in a private chat, which says why.
START_PARAMETER = "members"


def _is_channel_post(update: Update) -> bool:
    return update.channel_post is not None or update.edited_channel_post is not None


def allowed(update: Update, settings: Settings) -> bool:
    """Everyone when ALLOWED_IDS is empty; else the sender or the chat must be listed. A
    channel post has no sender: only those of SOURCE_CHANNEL_IDS pass."""
    if _is_channel_post(update):
        chat = update.effective_chat
        return chat is not None and chat.id in settings.source_channel_ids
    if not settings.allowed_ids:
        return True
    user = update.effective_user
    chat = update.effective_chat
    if user is not None and user.id in settings.telegram_admin_ids:
        return True
    return bool({user.id if user else None, chat.id if chat else None} & settings.allowed_ids)


async def _refuse(update: Update, context: Context) -> None:
    """Tell the sender, once a minute per chat at most, that the bot is not for them."""
    text = messages.bilingual("not_allowed")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.inline_query is not None:
        await update.inline_query.answer(
            [], cache_time=60, is_personal=True,
            button=InlineQueryResultsButton(messages.text("members_only", "en"),
                                            start_parameter=START_PARAMETER))
    elif update.message is not None and wants_reply(update.message, context.bot.id,
                                                    context.bot.username):
        notices: Once = context.bot_data.setdefault(NOTICES, Once())
        if notices.first(update.message.chat.id):
            await update.message.reply_text(text, parse_mode=None)


async def gate(update: object, context: Context) -> None:
    """Let allowed updates through; answer the rest briefly and stop them there."""
    if not isinstance(update, Update) or allowed(update, settings_of(context)):
        return
    user = update.effective_user
    chat = update.effective_chat
    listed = "SOURCE_CHANNEL_IDS" if _is_channel_post(update) else "ALLOWED_IDS"
    log.info("refused update %s from user %s in chat %s (not in %s)", update.update_id,
             user.id if user else None, chat.id if chat else None, listed)
    await _refuse(update, context)
    raise ApplicationHandlerStop
