"""Logging set-up: one line per event, as text or JSON lines, with secrets redacted.

httpx (under python-telegram-bot) logs every request URL, and Bot API URLs contain the token,
so its INFO lines are silenced and every record passes through a redacting filter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# A Telegram bot token: the bot's numeric id, a colon, and 35 URL-safe characters.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "<token>"


class RedactFilter(logging.Filter):
    """Replace the bot token (and anything shaped like one) in every record."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """The text with secrets replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters render exceptions later; render now so the text can be redacted.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and extras such as update_id."""

    EXTRAS = ("update_id", "chat_type", "seconds", "status")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in self.EXTRAS if hasattr(record, k)})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", fmt: str = "text", secrets: tuple[str, ...] = ()) -> None:
    """Send logs to standard error in the chosen format, secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactFilter(secrets))
    handler.setFormatter(
        JsonFormatter() if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Request lines carry the token in the URL and add nothing an operator needs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
