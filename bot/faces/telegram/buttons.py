"""Every button press, read once (`callbacks.parse`) and handed to the handler of its kind."""

from __future__ import annotations

import logging

from telegram import Update

from bot.core import messages
from bot.faces.telegram import admin, callbacks, handlers, listing
from bot.faces.telegram.handlers import Context

log = logging.getLogger(__name__)


async def press(update: Update, context: Context) -> None:
    """A press on any of the bot's buttons; data no button of ours carries is refused with a
    reason, so the press is still answered (the client shows a spinner until it is)."""
    query = update.callback_query
    if query is None:
        return
    pressed = callbacks.parse(query.data)
    if isinstance(pressed, callbacks.Turn):
        await handlers.turn_button(update, context, pressed)
    elif isinstance(pressed, callbacks.Context):
        await handlers.context_button(update, context, pressed)
    elif isinstance(pressed, callbacks.Vote):
        await handlers.vote_button(update, context, pressed)
    elif isinstance(pressed, callbacks.AddPage):
        await admin.add_page_button(update, context, pressed)
    elif isinstance(pressed, callbacks.Remove):
        await admin.remove_button(update, context, pressed)
    elif isinstance(pressed, callbacks.Page):
        await listing.page_button(update, context, pressed)
    else:
        # Bounded in the log: the data is whatever a client sent.
        log.info("refused a press with callback data %r from user %s", (query.data or "")[:64],
                 query.from_user.id)
        await query.answer(messages.bilingual("bad_button"))
