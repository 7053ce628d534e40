"""/collections and /use: which collections a chat searches, shown and set by admins.

Grants set here are stored in the database and win over the COLLECTIONS setting for the chats
they name. Only an admin's private chat lists every collection and grant; anywhere else the
reply is read by others, so it names only what that chat itself searches.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.core import messages
from bot.core.collections import (
    ALL,
    EVERYONE,
    GrantError,
    Scope,
    format_grants,
    key_of,
    parse_names,
)
from bot.faces.telegram.admin import reply_plain, require_admin
from bot.faces.telegram.handlers import Context, is_admin, is_private, scope_of, service_of

log = logging.getLogger(__name__)
RESET = "-"


def _both(key: str, who: str | None = None, scope: Scope | None = None, **values: str) -> str:
    """A message in English and Chinese, naming this chat (who None) or an id, and the
    collections of a scope, each in its language."""
    lines = []
    for language in ("en", "zh"):
        if scope is not None:
            values["names"] = (messages.text("all_collections", language) if scope.everything
                               else scope.describe())
        lines.append(messages.text(key, language, who=who or messages.text("use_this_chat",
                                                                          language), **values))
    return "\n".join(lines)


async def collections_command(update: Update, context: Context) -> None:
    """/collections: what this chat searches; in an admin's private chat, every collection
    with its size and every grant."""
    message = update.effective_message
    if message is None:
        return
    service = service_of(context)
    scope = scope_of(update, context)
    counts = await service.collections()
    lines = [_both("collections_seen", scope=scope)]
    everything = is_admin(update, context) and is_private(update)  # read by the admin alone
    listed = counts if everything else {
        name: n for name, n in counts.items() if scope.allows(name)}
    lines += [messages.text("collection_line", "en", name=name, documents=d, passages=p)
              for name, (d, p) in listed.items()] or [messages.bilingual("collections_none")]
    if everything:
        configured, stored = service.grants()
        if configured:
            lines += ["", "COLLECTIONS:", *format_grants(configured)]
        if stored:
            lines += ["", "/use:", *format_grants(stored)]
    await reply_plain(message, "\n".join(lines))


async def use_command(update: Update, context: Context) -> None:
    """/use NAMES [ID]: what this chat (or chat or user ID, or * for everyone named nowhere)
    searches from now on; /use - [ID] drops that grant. Admins only."""
    message = update.effective_message
    if message is None or message.text is None or not await require_admin(update, context, "/use"):
        return
    parts = message.text.split()[1:]
    chat = update.effective_chat
    if not parts or len(parts) > 2 or (len(parts) == 1 and chat is None):
        await message.reply_text(messages.bilingual("use_usage"), parse_mode=None)
        return
    if len(parts) == 2:
        key = parts[1]
        if key != EVERYONE and not key.lstrip("-").isdigit():
            await message.reply_text(messages.bilingual("use_usage"), parse_mode=None)
            return
        who: str | None = key
    else:
        assert chat is not None
        key, who = key_of(chat.id), None
    service = service_of(context)
    if parts[0] == RESET:
        removed = await service.ungrant(key)
        log.info("admin %s dropped the grant of %s", update.effective_user.id
                 if update.effective_user else None, key)
        if not removed:
            await message.reply_text(_both("use_nothing_to_reset", who), parse_mode=None)
            return
        lines = [_both("use_reset", who)]
        if len(parts) == 1:
            lines.append(_both("collections_seen", scope=scope_of(update, context)))
        await reply_plain(message, "\n".join(lines))
        return
    try:
        names = parse_names(parts[0])
    except GrantError as exc:
        await reply_plain(message, f"{exc}\n\n{messages.bilingual('use_usage')}")
        return
    user = update.effective_user
    await service.grant(key, names, user.id if user else None)
    log.info("admin %s set the collections of %s to %s", user.id if user else None, key,
             ALL if names is None else sorted(names))
    lines = [_both("use_done", who, Scope(names))]
    missing = sorted(set(names or ()) - set(await service.collections()))
    if missing:
        lines.append(messages.bilingual("use_unknown", names=", ".join(missing)))
    await reply_plain(message, "\n".join(lines))
