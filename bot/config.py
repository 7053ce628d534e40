"""Settings, in one place: command-line options, then the environment, then `.env`, then defaults.

pydantic-settings reads the environment and `.env` and validates types; the command line
passes its options as keyword arguments, which take precedence over both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core import bm25_constants as bm25
from bot.core import collections

TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    # Where files sent to the bot are downloaded from; the token is appended, as for the API.
    telegram_api_base_file_url: str = TELEGRAM_FILE_API
    # The HTTP client of Bot API calls: aiohttp (a fifth of httpx's CPU a request) or httpx,
    # python-telegram-bot's own.
    telegram_http_client: str = Field("httpx", pattern="^(aiohttp|httpx)$")
    # Webhook mode when a public URL is set; long polling otherwise.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_path: str = ""
    webhook_secret_token: SecretStr | None = None
    questions_per_minute: int = Field(10, ge=0)
    # Empty: everyone may use the bot. Otherwise only these user or chat ids (and the admins).
    allowed_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # Which collections (top-level folders of the knowledge folder) each chat or user may
    # search: `ID=NAME,NAME; *=NAME` (bot/core/collections.py). Empty: everyone sees everything.
    collections: Annotated[dict[str, frozenset[str] | None], NoDecode] = Field(
        default_factory=dict)
    # Telegram user ids that may reload, add, remove documents and see usage statistics.
    telegram_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # Channels (Bot API ids, -100...) whose posts become documents; the bot must be an admin.
    source_channel_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # Largest file an admin may send to be added: Telegram's size is checked before downloading,
    # and the download stops at it.
    max_upload_mb: float = Field(10, gt=0)
    # Web pages an admin adds (`bot add URL`, /add): the largest page fetched, and whether
    # pages on private, loopback or link-local addresses may be (off: a URL cannot reach the
    # bot's own network or a cloud metadata service).
    fetch_max_mb: float = Field(10, gt=0)
    fetch_seconds: float = Field(30, gt=0)
    fetch_allow_private: bool = False
    # A site added by its sitemap or its root: at most this many pages, this many seconds
    # apart (a polite crawler), links followed this deep when it has no sitemap.
    crawl_max_pages: int = Field(100, ge=1)
    crawl_delay_seconds: float = Field(1.0, ge=0)
    crawl_depth: int = Field(2, ge=0, le=5)
    # Hours between re-fetches of the pages added from the web (conditional requests; a page
    # that changed is rewritten and reloaded, one gone is reported to the admins); 0: never.
    refresh_hours: float = Field(0, ge=0)
    # Seconds between checks of the knowledge folder for changes; 0 turns watching off.
    watch_seconds: float = Field(0, ge=0)
    # The usage log: keep the question text (else only its metadata), and hash user ids.
    store_question_text: bool = True
    hash_user_ids: bool = False
    # Updates handled at the same time; the rest wait in the update queue, in order.
    concurrent_updates: int = Field(32, ge=1)
    # Seconds an answer may take before the chat shows "typing…"; 0 shows it at once.
    typing_delay_seconds: float = Field(1.0, ge=0)
    knowledge_dir: Path = Path("knowledge")
    database_path: Path = Path("data/bot.sqlite3")
    # Caches built from installed data (the CC-CEDICT tables, jieba's dictionary). Empty: a
    # `cache` folder beside the database. Only a folder no other user can write to is used.
    cache_dir: Path | None = None

    top_k: int = Field(3, ge=1, le=10)
    passage_size: int = Field(1500, ge=80, le=5000)
    passage_overlap: int = Field(1, ge=0, le=3)
    bm25_variant: str = bm25.VARIANT
    # Chosen on the tuning sets of both languages (README, Quality; bot/core/bm25_constants.py).
    bm25_k1: float = Field(bm25.K1, gt=0)
    bm25_b: float = Field(bm25.B, ge=0, le=1)
    # The estimated probability that a passage answers which it needs to be shown (the
    # answer decision, bot/core/decision.py; README, How it answers). Replaces MIN_COVERAGE.
    strictness: float = Field(0.1, ge=0, le=1)
    cross_lingual: bool = True
    max_question_chars: int = Field(1000, ge=10)

    log_level: str = "INFO"
    log_format: str = Field("text", pattern="^(text|json)$")
    # /healthz, /readyz and /metrics: on in webhook mode, off in polling mode, unless set.
    health_server: bool | None = None
    health_listen: str = "127.0.0.1"
    health_port: int = Field(8081, ge=0, le=65535)

    @property
    def serve_health(self) -> bool:
        """Whether the health and metrics server runs."""
        return self.health_server if self.health_server is not None else bool(self.webhook_url)

    @property
    def cache_folder(self) -> Path:
        """CACHE_DIR, or `cache` beside the database (the user's cache folder for an in-memory
        database)."""
        if self.cache_dir is not None:
            return self.cache_dir
        if str(self.database_path) == ":memory:":
            home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            return Path(home) / "docs-answer-bot"
        return self.database_path.parent / "cache"

    @property
    def max_upload_bytes(self) -> int:
        """MAX_UPLOAD_MB in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @field_validator("telegram_bot_token", "webhook_url", "webhook_secret_token",
                     "health_server", "cache_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("allowed_ids", "telegram_admin_ids", "source_channel_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("collections", mode="before")
    @classmethod
    def _grants(cls, value: object) -> object:
        return collections.parse_grants(value) if isinstance(value, str) else value

    @field_validator("bm25_variant")
    @classmethod
    def _known_variant(cls, value: str) -> str:
        bm25.check_variant(value)
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings with command-line overrides; options left unset (None) fall through."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
