"""/sources and /docs: the documents in pages that each fit one message, turned in place.

A collection of thousands of documents does not fit one message, nor should it arrive as a
hundred: the first page comes with ◀ ▶ buttons that edit the same message to the page before
or after. Pages are packed from the document lines (as many as fit, at most PER_PAGE), so a
page holds fewer documents when theirs are long; a press reads the list afresh.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.core import messages
from bot.core.models import DocumentInfo
from bot.faces.telegram import callbacks, render
from bot.faces.telegram.handlers import (
    Context,
    edit_in_place,
    is_admin,
    scope_of,
    service_of,
)

PER_PAGE = 20
SOURCES, DOCS = "s", "d"  # the listing a page button turns
_FOOTER = 20  # units kept free for "\n\n12/345"


def pages(lines: list[str], limit: int = render.MAX_MESSAGE) -> list[tuple[int, int]]:
    """Ranges [start, end) of lines, each at most PER_PAGE lines that fit `limit` units."""
    ranges: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, line in enumerate(lines):
        size = render.utf16_len(line) + 1
        if i > start and (i - start >= PER_PAGE or used + size > limit - _FOOTER):
            ranges.append((start, i))
            start, used = i, 0
        used += size
    ranges.append((start, len(lines)))
    return ranges


def page(docs: list[DocumentInfo], listing: str, number: int
         ) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` (the last one if there are fewer) as HTML, and its ◀ ▶ buttons."""
    if not docs:
        return html.escape(messages.bilingual("no_documents")), None
    lines = [render.document_line(n, d, admin=listing == DOCS) for n, d in enumerate(docs, 1)]
    ranges = pages(lines)
    number = min(number, len(ranges) - 1)
    start, end = ranges[number]
    text = "\n".join(lines[start:end])
    if len(ranges) == 1:
        return text, None
    row = []
    if number > 0:
        row.append(InlineKeyboardButton("◀", callback_data=callbacks.page(listing, number - 1)))
    if number < len(ranges) - 1:
        row.append(InlineKeyboardButton("▶", callback_data=callbacks.page(listing, number + 1)))
    return f"{text}\n\n{number + 1}/{len(ranges)}", InlineKeyboardMarkup([row])


async def send_first_page(update: Update, context: Context, listing: str) -> None:
    """The first page of /sources or /docs (the caller checked who may see /docs)."""
    message = update.effective_message
    if message is None:
        return
    text, markup = page(await service_of(context).documents(scope_of(update, context)), listing,
                        0)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def sources_command(update: Update, context: Context) -> None:
    """/sources: every document with its title, source and date, a page at a time."""
    await send_first_page(update, context, SOURCES)


async def page_button(update: Update, context: Context, press: callbacks.Page) -> None:
    """◀ or ▶ under a listing: the same message shows the other page."""
    query = update.callback_query
    if query is None:
        return
    if press.listing == DOCS and not is_admin(update, context):  # /docs shows ids and paths
        await query.answer(messages.bilingual("admin_only"), show_alert=True)
        return
    if not isinstance(query.message, Message):
        await query.answer(messages.bilingual("expired"))
        return
    await query.answer()
    docs = await service_of(context).documents(scope_of(update, context))
    text, markup = page(docs, press.listing, press.number)
    await edit_in_place(query, text, markup, context)
