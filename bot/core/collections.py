"""Collections: which documents a chat may search.

Pure. A collection is a top-level folder of the knowledge folder; files at its top belong to
the default collection. Who sees what comes from two places: the COLLECTIONS setting and the
grants admins make from Telegram (stored in the database, winning for the chats they name).
With neither, everyone sees everything, as before collections existed. Once any grant exists,
a chat sees what it is given and nothing else: a chat or user not named sees what `*` is
given, or the default collection alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT = "default"  # the files at the top of the knowledge folder
EVERYONE = "*"  # the grant key of chats and users named nowhere
ALL = "*"  # as a collection name in a grant: every collection
# A collection is a folder name a person typed: letters, digits and - _ . (not leading).
_NAME = re.compile(r"[^\W][\w.-]{0,63}", re.UNICODE)
_ID = re.compile(r"-?\d{1,20}")


class GrantError(ValueError):
    """A COLLECTIONS entry or a /use argument that cannot be read; the message says why."""


@dataclass(frozen=True)
class Scope:
    """The collections a search may see; None: every collection."""

    names: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        """True when nothing is hidden."""
        return self.names is None

    def allows(self, collection: str) -> bool:
        """Whether documents of the collection may be shown."""
        return self.names is None or collection in self.names

    def describe(self) -> str:
        """The names for a person: "all collections" or "faq, staff"."""
        return "all collections" if self.names is None else ", ".join(sorted(self.names)) or "-"


EVERYTHING = Scope()


def collection_of(path: str | None) -> str:
    """The collection of a document by its file's path in the knowledge folder (POSIX,
    relative): its top-level folder, or the default one for a file at the top or no file."""
    if not path or "/" not in path:
        return DEFAULT
    return path.split("/", 1)[0]


def check_name(name: str) -> str:
    """A collection name as it may be used for a folder, or GrantError."""
    name = name.strip()
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise GrantError(f"{name[:80]!r} is not a collection name (letters, digits, - _ .)")
    return name


def parse_names(text: str) -> frozenset[str] | None:
    """Comma-separated collection names; None when they include `*` (everything)."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise GrantError("no collection named")
    if ALL in names:
        return None
    return frozenset(check_name(n) for n in names)


def parse_grants(text: str) -> dict[str, frozenset[str] | None]:
    """COLLECTIONS: `ID=NAME,NAME; ID=NAME; *=NAME`, an ID being a chat or user id, `*`
    everyone not named, and `*` as a name every collection."""
    grants: dict[str, frozenset[str] | None] = {}
    for entry in (e.strip() for e in re.split(r"[;\n]", text)):
        if not entry:
            continue
        key, eq, names = entry.partition("=")
        key = key.strip()
        if not eq or not (key == EVERYONE or _ID.fullmatch(key)):
            raise GrantError(f"{entry[:80]!r}: write ID=NAME,NAME (ID a chat or user id, or *)")
        if key in grants:
            raise GrantError(f"{key} is given twice")
        grants[key] = parse_names(names)
    return grants


def key_of(chat_id: int) -> str:
    """A chat or user id as a grant key."""
    return str(chat_id)


def scope_for(
    configured: Mapping[str, frozenset[str] | None],
    stored: Mapping[str, frozenset[str] | None],
    *,
    chat_id: int | None,
    group: bool,
    user_id: int | None,
    admin: bool,
) -> Scope:
    """What a question may search. In a group its own grant alone decides (everyone there
    reads the reply); in a private chat or inline, the user's; an admin named nowhere sees
    everything there, since admins run the collection."""
    grants = {**configured, **stored}
    if not grants:
        return EVERYTHING
    key = chat_id if group else user_id
    if key is not None and key_of(key) in grants:
        return Scope(grants[key_of(key)])
    if admin and not group:
        return EVERYTHING
    return Scope(grants.get(EVERYONE, frozenset({DEFAULT})))


def format_grants(grants: Mapping[str, frozenset[str] | None]) -> list[str]:
    """One `ID = names` line per grant, `*` last."""
    keys = sorted((k for k in grants if k != EVERYONE), key=int)
    if EVERYONE in grants:
        keys.append(EVERYONE)
    return [f"{k} = {Scope(grants[k]).describe()}" for k in keys]
