"""Channel posts and forwards as documents: every post of a channel in SOURCE_CHANNEL_IDS,
new or edited, and an admin's forward of any message in a private chat; where each is kept
and what its file says is bot/sources/channels.py.

Nobody is answered in a channel: a post that cannot be kept is logged, never replied to (the
error handler would reply in the channel itself).
"""

from __future__ import annotations

import logging

from telegram import (
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.constants import ParseMode

from bot.core import messages
from bot.faces.telegram import handlers
from bot.faces.telegram.admin import _failed, _result_html
from bot.faces.telegram.handlers import Context, is_admin, service_of, settings_of
from bot.sources import channels

log = logging.getLogger(__name__)


async def channel_post(update: Update, context: Context) -> None:
    """A listed channel's post becomes its document; an edit replaces it, and removes it when
    no text is left."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if chat.id not in settings_of(context).source_channel_ids:  # the access gate stops these
        log.info("ignored post %s of channel %s: not in SOURCE_CHANNEL_IDS", message.message_id,
                 chat.id)
        return
    post = channels.channel_post(chat.id, chat.username, chat.title, message.message_id,
                                 message.date, message.text or message.caption or "")
    data = channels.post_file(post)
    if data is None and update.channel_post is not None:
        log.info("post %s of channel %s has no text: nothing to keep", message.message_id, chat.id)
        return
    # Updates are handled concurrently: a new post never overwrites its file, which then
    # holds an edit handled first.
    edited = update.edited_channel_post is not None
    try:
        (result,) = await service_of(context).put_files({post.path: data}, replace=edited)
    except Exception:  # logged, not replied: a reply would go to the channel's readers
        log.exception("could not keep post %s of channel %s", message.message_id, chat.id)
        return
    log.info("post %s of channel %s: %s %s %s", message.message_id, chat.id,
             result.status.value, result.name, result.reason)


def _origin_post(origin: MessageOrigin, text: str) -> channels.Post:
    """The forwarded message as a post: a channel's with its link, anyone else's without."""
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        return channels.channel_post(chat.id, chat.username, chat.title, origin.message_id,
                                     origin.date, text)
    sender = None
    if isinstance(origin, MessageOriginUser):
        sender = origin.sender_user.full_name
    elif isinstance(origin, MessageOriginHiddenUser):
        sender = origin.sender_user_name
    elif isinstance(origin, MessageOriginChat):
        sender = origin.sender_chat.title or origin.sender_chat.username
    return channels.forwarded_post(sender, origin.date, text)


async def forwarded(update: Update, context: Context) -> None:
    """A forward in a private chat: an admin's is added as a post, with the original's link
    and date when Telegram gives them; anyone else's is a question (or not text) as ever."""
    message = update.effective_message
    if message is None or message.forward_origin is None:
        return
    if not is_admin(update, context):
        if message.text is not None:
            await handlers.private_text(update, context)
        else:
            await handlers.not_text(update, context)
        return
    post = _origin_post(message.forward_origin, message.text or message.caption or "")
    data = channels.post_file(post)
    if data is None:
        await message.reply_text(messages.bilingual("forward_no_text"), parse_mode=None)
        return
    try:
        (result,) = await service_of(context).put_files({post.path: data})
    except Exception as exc:  # the old files are back and nothing changed: say why
        await _failed(message, exc)
        return
    await message.reply_text(_result_html(result), parse_mode=ParseMode.HTML)
