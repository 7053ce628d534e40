"""Per-user limits on everything that makes the bot work, checked before any handler.

`gate` runs in the handler group after the access check (app.py). Each user may send
QUESTIONS_PER_MINUTE messages the bot answers (questions and commands), press as many
buttons, and send INLINE_FACTOR times as many inline queries (they come as the user types).
Past a limit the update is stopped: a message gets one "please wait" a window (a flood of
messages must not become a flood of replies), a press or an inline query its cheap answer
(the client waits for one), and nothing else is done for it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.core import messages
from bot.core.language import detect_language
from bot.faces.telegram.handlers import LIMITER, Context, user_language, wants_reply
from bot.faces.telegram.limits import QuestionLimiter

PRESSES, INLINE = "press_limiter", "inline_limiter"  # bot_data keys, beside LIMITER
INLINE_FACTOR = 5


def limiters(per_minute: int) -> dict[str, QuestionLimiter]:
    """The three limiters, by their bot_data keys."""
    return {LIMITER: QuestionLimiter(per_minute), PRESSES: QuestionLimiter(per_minute),
            INLINE: QuestionLimiter(per_minute * INLINE_FACTOR)}


async def gate(update: object, context: Context) -> None:
    """Count the update against its sender's limit; past it, answer briefly and stop it."""
    if not isinstance(update, Update) or update.effective_user is None:
        return  # channel posts and the like: nobody to limit, and no handler answers them
    user = update.effective_user
    if update.callback_query is not None:
        kind = PRESSES
    elif update.inline_query is not None:
        kind = INLINE
    elif update.message is not None and wants_reply(update.message, context.bot.id,
                                                    context.bot.username):
        kind = LIMITER
    else:
        return
    limiter: QuestionLimiter = context.bot_data[kind]
    wait = limiter.wait_seconds(user.id)
    if not wait:
        return
    if update.callback_query is not None:
        await update.callback_query.answer(
            messages.text("rate_limited_button", user_language(user), seconds=wait))
    elif update.inline_query is not None:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.message is not None and limiter.should_warn(user.id):
        language, traditional = detect_language(update.message.text or "")
        await update.message.reply_text(
            messages.text("rate_limited", language, traditional, seconds=wait), parse_mode=None)
    raise ApplicationHandlerStop
