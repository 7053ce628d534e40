"""The refresh round of the running bot (REFRESH_HOURS): the pages added from the web fetched
again, what it did logged, and the pages gone or out of reach told to every admin in a private
chat, since they are kept until an admin removes them."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core import messages
from bot.engine.refresh import RefreshReport
from bot.faces.reports import refresh_text
from bot.faces.telegram import handlers, render

log = logging.getLogger(__name__)


async def refresh_round(application: Application) -> RefreshReport:  # type: ignore[type-arg]
    """One round: logged, and told to the admins when pages are gone or out of reach."""
    report = await application.bot_data[handlers.SERVICE].refresh_web()
    text = refresh_text(report)
    if not report.kept:
        log.info("web pages refreshed: %s", text.replace("\n", "; "))
        return report
    log.warning("web pages refreshed, some kept though gone: %s", text.replace("\n", "; "))
    body = f"{messages.bilingual('refresh_kept')}\n\n{text}"
    for admin_id in application.bot_data[handlers.SETTINGS].telegram_admin_ids:
        try:
            for chunk in render.split_plain(body):
                await application.bot.send_message(admin_id, chunk, parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
            log.warning("could not tell admin %s of the refresh: %s", admin_id, exc)
    return report
