"""`bot doctor`: check the whole set-up, one line per check, each failure with its fix.

Read-only: the database is opened in SQLite's read-only mode (`summarize_file`) and nothing is
migrated or written, so the doctor can run beside a running bot.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from dotenv import dotenv_values

from bot.config import Settings
from bot.core.collections import GrantError, collection_of, format_grants, parse_names
from bot.sources.folder import read_documents
from bot.store.database import SCHEMA_VERSION, StorageError, summarize_file


@dataclass(frozen=True)
class Check:
    """The result of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """How the check is printed."""
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name}: {self.detail}" + (f" -> fix: {self.fix}" if self.fix else "")


# Settings that are no longer read, and what took their place.
RETIRED = {
    "MIN_COVERAGE": "no longer read: the answer decision's STRICTNESS replaced it; see "
    ".env.example",
}


def check_env_file(env_file: Path = Path(".env")) -> Check:
    """Every key in .env is a setting this program knows (a misspelt one is silently unused)."""
    if not env_file.exists():
        return Check("settings", True, "no .env file; environment and defaults in use")
    known = {name.upper() for name in Settings.model_fields}
    unknown = [key for key in dotenv_values(env_file) if key.upper() not in known]
    if not unknown:
        return Check("settings", True, f"{env_file} parsed, every key known")
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key.upper(), sorted(known), n=1)
        if key.upper() in RETIRED:
            hints.append(f"{key} ({RETIRED[key.upper()]})")
        else:
            hints.append(f"{key}" + (f" (did you mean {close[0]}?)" if close else ""))
    return Check("settings", False, f"unknown keys in {env_file}: {', '.join(hints)}",
                 "rename or remove them; .env.example lists every setting")


def check_token(settings: Settings, get: Callable[..., httpx.Response] = httpx.get) -> Check:
    """The token is accepted by the Bot API (getMe, through TELEGRAM_API_BASE_URL)."""
    if settings.telegram_bot_token is None:
        return Check("telegram token", True, "not set: the console runs instead of the bot")
    url = f"{settings.telegram_api_base_url}{settings.telegram_bot_token.get_secret_value()}/getMe"
    try:
        response = get(url, timeout=10)
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return Check("telegram token", False, f"Bot API not reachable ({type(exc).__name__})",
                     "check the network and TELEGRAM_API_BASE_URL")
    if not data.get("ok"):
        return Check("telegram token", False, f"rejected: {data.get('description', 'unknown')}",
                     "copy the token again from @BotFather into TELEGRAM_BOT_TOKEN")
    return Check("telegram token", True, f"accepted, the bot is @{data['result']['username']}")


def check_ids(settings: Settings) -> Check:
    """Admin and allowed ids look like Telegram ids."""
    ids = set(settings.allowed_ids) | set(getattr(settings, "telegram_admin_ids", ()) or ())
    bad = [i for i in ids if i == 0 or abs(i) > 10**13]
    if bad:
        return Check("ids", False, f"not Telegram ids: {bad}",
                     "use numeric user ids (ask @userinfobot) or chat ids")
    # A channel's own id (t.me/c/<id>, an export's "id") lacks the -100 the Bot API puts first.
    unprefixed = sorted(i for i in settings.source_channel_ids if i > -10**12)
    if unprefixed:
        return Check("ids", False, f"not channel ids in SOURCE_CHANNEL_IDS: {unprefixed}",
                     "write -100 and then the number in the channel's t.me/c/ links, "
                     "e.g. -1001234567890")
    return Check("ids", True, f"{len(ids)} admin or allowed ids")


def check_knowledge(settings: Settings) -> tuple[Check, dict[str, str]]:
    """The knowledge folder is readable; how many documents it gives and which are skipped."""
    folder = settings.knowledge_dir
    try:
        hashes, skipped = read_documents(folder)
    except Exception as exc:
        return Check("knowledge folder", False, str(exc),
                     "create it or point KNOWLEDGE_DIR / --knowledge at your documents"), {}
    detail = f"{folder}: {len(hashes)} documents, {len(skipped)} skipped"
    if skipped:
        detail += ": " + "; ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")
    if not hashes:
        return Check("knowledge folder", False, detail, "add .txt, .md or .html files"), hashes
    return Check("knowledge folder", True, detail), hashes


def check_collections(settings: Settings, hashes: dict[str, str],
                      stored: dict[str, str]) -> Check:
    """Who sees which collection: the grants of COLLECTIONS and of /use (stored, winning),
    each naming collections the knowledge folder has."""
    folders = sorted({collection_of(path) for path in hashes})
    try:
        made = {key: parse_names(names) for key, names in stored.items()}
    except GrantError as exc:
        return Check("collections", False, f"a stored grant cannot be read: {exc}",
                     "set it again with /use in Telegram")
    grants = {**settings.collections, **made}
    if not grants:
        return Check("collections", True, f"{', '.join(folders) or '-'}; no grants: every "
                     "chat sees every collection")
    lines = [f"COLLECTIONS {line}" for line in format_grants(settings.collections)]
    lines += [f"/use {line}" for line in format_grants(made)]
    named = {n for names in grants.values() if names is not None for n in names}
    unknown = sorted(named - set(folders))
    detail = f"{', '.join(folders) or '-'}; " + "; ".join(lines)
    if unknown:
        return Check("collections", False, f"{detail}; no such folder: {', '.join(unknown)}",
                     "create the folder in the knowledge folder, or fix the name")
    return Check("collections", True, detail)


def check_database(settings: Settings, hashes: dict[str, str]) -> list[Check]:
    """Present, intact, current schema, and consistent with the knowledge folder."""
    path = settings.database_path
    if not path.exists():
        return [Check("database", False, f"{path} does not exist",
                      "run `bot reload` (or start the bot) to build it")]
    try:
        summary = summarize_file(path)
    except StorageError as exc:
        return [Check("database", False, str(exc),
                      "restore a backup (`bot restore FILE`) or delete it and run `bot reload`")]
    integrity, version = summary.integrity, summary.version
    stored, empty = summary.hashes, summary.without_passages
    checks = [
        Check("database integrity", integrity == "ok", f"{path}: integrity_check {integrity}",
              "" if integrity == "ok" else "restore a backup, or delete it and run `bot reload`"),
        Check("schema version", version == SCHEMA_VERSION,
              f"{version} (this program: {SCHEMA_VERSION})",
              "" if version == SCHEMA_VERSION else "run `bot reload` to migrate"
              if version < SCHEMA_VERSION else "upgrade the program"),
    ]
    missing = sorted(set(hashes) - set(stored))
    gone = sorted(set(stored) - set(hashes))
    changed = sorted(p for p in set(hashes) & set(stored) if hashes[p] != stored[p])
    consistent = not (missing or gone or changed or empty)
    detail = f"{len(stored)} documents indexed"
    if not consistent:
        detail += (f"; not indexed: {missing}" if missing else "") + (
            f"; indexed but gone or unreadable: {gone}" if gone else "") + (
            f"; changed since indexing: {changed}" if changed else "") + (
            f"; {empty} without passages" if empty else "")
    checks.append(Check("index", consistent, detail, "" if consistent else "run `bot reload`"))
    checks.append(check_collections(settings, hashes, summary.grants))
    return checks


def run_checks(settings: Settings, env_file: Path = Path(".env"),
               get: Callable[..., httpx.Response] = httpx.get) -> list[Check]:
    """Every check, in the order a person would fix them."""
    knowledge, hashes = check_knowledge(settings)
    return [check_env_file(env_file), check_token(settings, get), check_ids(settings),
            knowledge, *check_database(settings, hashes)]
