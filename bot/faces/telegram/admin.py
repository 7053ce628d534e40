"""Admin handlers: /reload, adding a file, /docs, /remove with a confirmation button, /stats.

Every handler, and the confirmation button, checks TELEGRAM_ADMIN_IDS itself: a command or a
forged callback from anyone else gets a polite refusal and a log line, nothing more.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.core import messages
from bot.engine.service import UploadResult, UploadStatus
from bot.faces.reports import reload_text, stats_text, summarize
from bot.faces.telegram import callbacks, download, handlers, listing, render
from bot.sources import uploads
from bot.sources.crawling import is_site
from bot.faces.telegram.handlers import (
    Context,
    edit_in_place,
    is_admin,
    is_private,
    scope_of,
    service_of,
    settings_of,
)
from bot.faces.telegram.render import DOC_ID, TITLE, short

log = logging.getLogger(__name__)

PENDING = "pending_removals"
PAGES = "pending_pages"  # links an admin sent, waiting for "Add this page?"
MAX_PENDING = 100
# A message that is only a link: from an admin, the bot offers to add the page.
LINK = re.compile(r"\s*(https?://\S+)\s*", re.IGNORECASE)
MB = 1024 * 1024
NAME, REASON = 100, 500  # characters of a file name or a reason echoed back


async def require_admin(update: Update, context: Context, what: str) -> bool:
    """True for an admin; anyone else is told politely, and the attempt is logged."""
    if is_admin(update, context):
        return True
    user = update.effective_user
    log.warning("refused %s from non-admin user %s", what, user.id if user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(messages.bilingual("admin_only"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(messages.bilingual("admin_only"),
                                                  parse_mode=None)
    return False


async def reply_plain(message: Message, text: str) -> None:
    """Plain text (file names, reasons, questions in /stats) sent safely as HTML, in as many
    messages as it needs."""
    for chunk in render.split_plain(text):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


async def _failed(message: Message, exc: Exception) -> None:
    """Log a failed reload and tell the admin why; nothing was changed."""
    log.exception("admin reload failed")
    reason = str(exc) or type(exc).__name__
    await message.reply_text(messages.bilingual("reload_failed", reason=short(reason, REASON)),
                             parse_mode=None)


async def reload_command(update: Update, context: Context) -> None:
    """/reload: re-read the knowledge folder and report what changed, skipped files with why."""
    message = update.effective_message
    if message is None or not await require_admin(update, context, "/reload"):
        return
    service = service_of(context)
    if service.reloading:
        await message.reply_text(messages.bilingual("reload_busy"), parse_mode=None)
        return
    try:
        report = await service.reload()
    except Exception as exc:  # the reload is transactional: report why, keep serving
        await _failed(message, exc)
        return
    await reply_plain(message, reload_text(report))


async def upload_document(update: Update, context: Context) -> None:
    """A file from an admin in a private chat: checked, saved, indexed, cited back."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not await require_admin(update, context, "an upload"):
        return
    doc = message.document
    name = doc.file_name or "upload"
    limit = settings_of(context).max_upload_bytes
    refuse = None
    if not uploads.is_supported(name):
        refuse = messages.bilingual("upload_types", name=short(name, NAME))
    elif doc.file_size is not None and doc.file_size > limit:  # before downloading anything
        refuse = messages.bilingual("upload_too_large", size=doc.file_size / MB, limit=limit / MB)
    if refuse:
        await message.reply_text(refuse, parse_mode=None)
        return
    file = await doc.get_file()
    if file.file_size is not None and file.file_size > limit:  # getFile may know better
        await message.reply_text(messages.bilingual("upload_too_large", size=file.file_size / MB,
                                                    limit=limit / MB), parse_mode=None)
        return
    try:
        # Streamed, and dropped past the limit: the size Telegram reported may be missing or
        # wrong, and reading it all first would cost what the limit is there to spare.
        data = await download.fetch(file.file_path or "", limit)
    except download.TooLarge:
        await message.reply_text(messages.bilingual("upload_too_large_stream", limit=limit / MB),
                                 parse_mode=None)
        return
    except download.DownloadFailed as exc:
        await message.reply_text(messages.bilingual("upload_download_failed", reason=str(exc)),
                                 parse_mode=None)
        return
    fields = uploads.parse_caption(message.caption)
    collection = fields.pop("collection", None) or own_collection(update, context)
    try:
        result = await service_of(context).add_upload(name, data, fields,
                                                    collection=collection)
    except Exception as exc:  # the file is gone again and nothing changed: say why
        await _failed(message, exc)
        return
    await message.reply_text(_result_html(result), parse_mode=ParseMode.HTML)


def _result_html(result: UploadResult) -> str:
    """What became of an added file or page: added (with its citation), a duplicate, or
    refused with the reason."""
    if result.status is UploadStatus.DUPLICATE:
        return html.escape(messages.bilingual("upload_duplicate", name=short(result.name, NAME),
                                              doc_id=short(result.doc_id or "", DOC_ID)))
    if result.status is UploadStatus.REFUSED:
        return html.escape(messages.bilingual("upload_refused", name=short(result.name, NAME),
                                              reason=short(result.reason, REASON)))
    cite = render.citation_html(result.passages[0], 1, "en")
    return (html.escape(messages.bilingual("upload_added", name=short(result.name, NAME),
                                           passages=len(result.passages))) + "\n" + cite)


def own_collection(update: Update, context: Context) -> str | None:
    """Where a file or page an admin adds here goes when they name no collection: the one
    collection this chat searches, if it searches exactly one."""
    names = scope_of(update, context).names
    return next(iter(names)) if names is not None and len(names) == 1 else None


async def add_command(update: Update, context: Context) -> None:
    """/add URL [COLLECTION]: fetch a web page (HTML or PDF), or a site's pages, into the
    knowledge folder and index it."""
    message = update.effective_message
    if message is None or message.text is None or not await require_admin(update, context, "/add"):
        return
    parts = message.text.split()
    if len(parts) not in (2, 3):
        await message.reply_text(messages.bilingual("add_usage"), parse_mode=None)
        return
    url = parts[1]
    collection = parts[2] if len(parts) == 3 else own_collection(update, context)
    try:
        if is_site(url):
            await message.reply_text(messages.bilingual("add_site_started"), parse_mode=None)
            results = await service_of(context).add_site(url, collection=collection)
        else:
            results = [await service_of(context).add_page(url, collection=collection)]
    except Exception as exc:  # the page is gone again and nothing changed: say why
        await _failed(message, exc)
        return
    if len(results) == 1:
        await message.reply_text(_result_html(results[0]), parse_mode=ParseMode.HTML)
        return
    added = [r for r in results if r.status is UploadStatus.ADDED]
    lines = [messages.bilingual("add_site_done", added=len(added), pages=len(results))]
    lines += [f"- {r.name}: {r.status.value}" + (f" ({r.reason})" if r.reason else "")
              for r in results]
    await reply_plain(message, "\n".join(lines))


async def docs_command(update: Update, context: Context) -> None:
    """/docs: every document with source, date, passages, when it was added and its id."""
    message = update.effective_message
    if message is None or not await require_admin(update, context, "/docs"):
        return
    await listing.send_first_page(update, context, listing.DOCS)


async def remove_command(update: Update, context: Context) -> None:
    """/remove ID (or the number /docs shows): ask for confirmation with two buttons."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if not await require_admin(update, context, "/remove"):
        return
    parts = message.text.split(maxsplit=1)
    if len(parts) < 2:
        await message.reply_text(messages.bilingual("remove_usage"), parse_mode=None)
        return
    wanted = parts[1].strip()
    docs = await service_of(context).documents(scope_of(update, context))  # as /docs numbers
    doc = next((d for d in docs if d.id == wanted), None)
    if doc is None and wanted.isdigit() and 1 <= int(wanted) <= len(docs):
        doc = docs[int(wanted) - 1]
    if doc is None:
        await message.reply_text(messages.bilingual("remove_unknown", doc_id=short(wanted, DOC_ID)),
                                 parse_mode=None)
        return
    key = secrets.token_urlsafe(6)  # callback data holds 64 bytes; an id may be longer
    _pending(context, PENDING)[key] = doc.id
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(f"🗑 {messages.text('remove_yes', 'en')} / "
                             f"{messages.text('remove_yes', 'zh')}",
                             callback_data=callbacks.remove(key, True)),
        InlineKeyboardButton(f"{messages.text('remove_no', 'en')} / "
                             f"{messages.text('remove_no', 'zh')}",
                             callback_data=callbacks.remove(key, False)),
    ]])
    await message.reply_text(messages.bilingual("remove_confirm", title=short(doc.title, TITLE),
                                                 doc_id=short(doc.id, DOC_ID)),
                             parse_mode=None, reply_markup=markup)


async def remove_button(update: Update, context: Context, press: callbacks.Remove) -> None:
    """A press on Remove or Cancel; refused for non-admins, whatever the callback data says."""
    query = update.callback_query
    if query is None or not await require_admin(update, context, "a remove confirmation"):
        return
    doc_id = context.bot_data.get(PENDING, {}).pop(press.key, None)
    if doc_id is None or not isinstance(query.message, Message):
        await query.answer(messages.bilingual("expired"))
        return
    await query.answer()
    if not press.confirmed:
        await query.message.reply_text(messages.bilingual("remove_cancelled"), parse_mode=None)
        return
    try:
        report = await service_of(context).remove_document(doc_id)
    except Exception as exc:  # the file is back in place and nothing changed: say why
        await _failed(query.message, exc)
        return
    if report is None:
        await query.message.reply_text(
            messages.bilingual("remove_unknown", doc_id=short(doc_id, DOC_ID)), parse_mode=None)
        return
    await reply_plain(query.message, reload_text(report, f"Removed {short(doc_id, DOC_ID)}"))


async def stats_command(update: Update, context: Context) -> None:
    """/stats: questions per day, misses, most asked, 👎, median answer time."""
    message = update.effective_message
    if message is None or not await require_admin(update, context, "/stats"):
        return
    logged = await service_of(context).logged_questions()
    # Outside an admin's private chat others read the reply: counts, not anyone's questions.
    await reply_plain(message, stats_text(summarize(logged), questions=is_private(update)))


def _pending(context: Context, name: str) -> dict[str, Any]:
    """A bounded store of values waiting for a button (callback data holds 64 bytes)."""
    store: dict[str, Any] = context.bot_data.setdefault(name, {})
    while len(store) >= MAX_PENDING:
        store.pop(next(iter(store)))
    return store


async def link_message(update: Update, context: Context) -> None:
    """A private message that is only a link: an admin is asked "Add this page?"; from anyone
    else it is a question like any other."""
    message = update.effective_message
    match = LINK.fullmatch(message.text or "") if message else None
    if message is None or match is None or not is_admin(update, context):
        await handlers.private_text(update, context)
        return
    key = secrets.token_urlsafe(6)
    _pending(context, PAGES)[key] = (match.group(1), own_collection(update, context))
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(f"➕ {messages.text('add_yes', 'en')} / {messages.text('add_yes', 'zh')}",
                             callback_data=callbacks.add_page(key, True)),
        InlineKeyboardButton(f"{messages.text('remove_no', 'en')} / "
                             f"{messages.text('remove_no', 'zh')}",
                             callback_data=callbacks.add_page(key, False)),
    ]])
    await message.reply_text(f"{messages.bilingual('add_confirm')}\n{short(match.group(1), 300)}",
                             parse_mode=None, reply_markup=markup)


async def add_page_button(update: Update, context: Context, press: callbacks.AddPage) -> None:
    """A press on Add or Cancel under a link; refused for non-admins, whatever the data says."""
    query = update.callback_query
    if query is None or not await require_admin(update, context, "an add-page confirmation"):
        return
    pending = context.bot_data.get(PAGES, {}).pop(press.key, None)
    if pending is None or not isinstance(query.message, Message):
        await query.answer(messages.bilingual("expired"))
        return
    await query.answer()
    if not press.confirmed:
        await edit_in_place(query, html.escape(messages.bilingual("add_cancelled")), None,
                            context)
        return
    try:
        result = await service_of(context).add_page(pending[0], collection=pending[1])
    except Exception as exc:  # the page is gone again and nothing changed: say why
        await _failed(query.message, exc)
        return
    await edit_in_place(query, _result_html(result), None, context)
