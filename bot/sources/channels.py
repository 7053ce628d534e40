"""Telegram channel posts as documents: where each lives in the knowledge folder, its file's
text, and a channel's export from Telegram Desktop read into posts (pure; no I/O).

A post is one file, `channels/<channel>/<message id>.txt`, with its title (the first line),
the channel as its source, its `t.me` link and its date in front matter, so an edit writes
the same file again and the folder stays the one source of truth. Forwards whose origin is
no channel (a user, a group) have no message id to name them: they are named by their date
and a digest of their text, under `channels/forwarded/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

import frontmatter
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.sources.parsing import DocumentError

ROOT = "channels"  # the knowledge folder's subfolder of every channel's posts
FORWARDED = "forwarded"  # forwards with no channel behind them
SUFFIX = ".txt"  # a post is plain text: Markdown characters in it mean nothing
MAX_SLUG = 60
_BOT_API_PREFIX = -1_000_000_000_000  # a channel's Bot API id is -100 then its own id


class ExportError(DocumentError):
    """A file that is not a channel export from Telegram Desktop, with the reason."""


@dataclass(frozen=True)
class Post:
    """One message to keep as a document: its file under ROOT, its text and citation."""

    folder: str
    name: str
    text: str
    date: dt.datetime | None = None
    url: str | None = None
    source: str | None = None

    @property
    def path(self) -> str:
        """Its file's path inside the knowledge folder."""
        return f"{ROOT}/{self.folder}/{self.name}"


def own_id(chat_id: int) -> int:
    """A channel's id as t.me/c links and exports write it: its Bot API id without -100."""
    return _BOT_API_PREFIX - chat_id if chat_id < _BOT_API_PREFIX else abs(chat_id)


def post_link(username: str | None, chat_id: int, message_id: int) -> str:
    """The post's link: t.me/<username>/<id> in a public channel, t.me/c/<own id>/<id> (for
    its members) in a private one."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    return f"https://t.me/c/{own_id(chat_id)}/{message_id}"


def channel_folder(username: str | None, title: str | None, chat_id: int) -> str:
    """The channel's folder: its username, else a slug of its title (letters of any script,
    digits and hyphens only: no dots, no slashes), else its id."""
    for name in (username, title):
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", name or "").lower())
        slug = slug.strip("-")[:MAX_SLUG].strip("-")
        if slug and slug != FORWARDED:
            return slug
    return f"c{own_id(chat_id)}"


def channel_post(chat_id: int, username: str | None, title: str | None, message_id: int,
                 date: dt.datetime | None, text: str) -> Post:
    """A post of a channel (or a forward of one), named by its message id."""
    return Post(channel_folder(username, title, chat_id), f"{message_id}{SUFFIX}", text, date,
                post_link(username, chat_id, message_id), title or username)


def forwarded_post(sender: str | None, date: dt.datetime | None, text: str) -> Post:
    """A forward from a user or a group: no link; named by its date and text, so the same
    message forwarded again is the same file."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    stamp = _in_utc(date).strftime("%Y%m%d-%H%M%S") if date else "undated"
    return Post(FORWARDED, f"{stamp}-{digest}{SUFFIX}", text, date, None, sender)


def _in_utc(date: dt.datetime) -> dt.datetime:
    """A date in UTC; one without a zone (an old export's) is taken as it is written, not as
    this machine's local time, so every machine writes the same file."""
    return date.astimezone(dt.UTC) if date.tzinfo else date


def title_of(text: str) -> str:
    """A post's first line that is not blank."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def post_file(post: Post) -> bytes | None:
    """The post's file: front matter (title, source, URL, date as YYYY-MM-DD in UTC) and its
    text; None when it has no text, so there is no document."""
    text = post.text.strip()
    if not text:
        return None
    fields = {"title": title_of(text), "source": post.source, "url": post.url,
              "date": _in_utc(post.date).date().isoformat() if post.date else None}
    # Built whole, never merged: a post that itself starts with "---" lines stays text, and
    # cannot state an id or another post's URL.
    document = frontmatter.Post(text, **{k: v for k, v in fields.items() if v})
    return (frontmatter.dumps(document) + "\n").encode("utf-8")


# ---- Telegram Desktop's export (Settings > Export chat history > JSON) ----------------------


class _Piece(BaseModel):
    """One formatted piece of a message's text: bold, a link, a hashtag..."""

    model_config = ConfigDict(frozen=True)
    text: str = ""


class _Message(BaseModel):
    """A message as the export writes it; other fields (media, reactions) are ignored."""

    model_config = ConfigDict(frozen=True)
    id: int
    type: str
    date: dt.datetime | None = None
    date_unixtime: int | None = None
    text: str | list[str | _Piece] = ""


class _Export(BaseModel):
    """A single chat's export; a channel's type is public_channel or private_channel."""

    model_config = ConfigDict(frozen=True)
    name: str | None = None
    type: str
    id: int
    messages: list[_Message]


_CHANNEL_KINDS = ("public_channel", "private_channel")


@dataclass(frozen=True)
class ChannelExport:
    """A channel's posts read from its export, and how many messages were passed over."""

    name: str
    folder: str
    posts: tuple[Post, ...]
    service: int  # service messages: joins, pins, title changes
    empty: int  # posts without text (a photo with no caption)


def _text(text: str | list[str | _Piece]) -> str:
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part.text for part in text)


def _date(message: _Message) -> dt.datetime | None:
    if message.date_unixtime is not None:
        return dt.datetime.fromtimestamp(message.date_unixtime, dt.UTC)
    return message.date  # the exporting computer's local time: the best there is


def _reason(exc: ValidationError) -> str:
    """The first problem pydantic found, with where it is ("messages.3.id: Field required")."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def read_export(data: bytes, username: str | None = None) -> ChannelExport:
    """A channel's posts from Telegram Desktop's result.json; ExportError says why a file is
    none. The export does not name a public channel's username: give it for t.me links (and
    the folder) the same as its live posts get."""
    try:
        export = _Export.model_validate_json(data)
    except ValidationError as exc:
        raise ExportError(f"not a Telegram Desktop chat export (result.json): {_reason(exc)}"
                          ) from exc
    if export.type not in _CHANNEL_KINDS:
        raise ExportError(f"this export is of a {export.type}, not a channel")
    chat_id = _BOT_API_PREFIX - export.id
    posts, service, empty = [], 0, 0
    for message in export.messages:
        if message.type != "message":
            service += 1
            continue
        post = channel_post(chat_id, username, export.name, message.id, _date(message),
                            _text(message.text))
        if post_file(post) is None:
            empty += 1
        else:
            posts.append(post)
    folder = channel_folder(username, export.name, chat_id)
    return ChannelExport(export.name or folder, folder, tuple(posts), service, empty)
