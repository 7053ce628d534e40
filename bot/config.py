"""Settings, in one place: command-line options, then the environment, then `.env`, then defaults.

pydantic-settings reads the environment and `.env` and validates types; the command line
passes its options as keyword arguments, which take precedence over both.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    knowledge_dir: Path = Path("knowledge")
    database_path: Path = Path("data/bot.sqlite3")

    top_k: int = Field(3, ge=1, le=10)
    passage_size: int = Field(1000, ge=80, le=5000)
    passage_overlap: int = Field(1, ge=0, le=3)
    bm25_variant: str = "lucene"
    bm25_k1: float = Field(1.2, gt=0)
    bm25_b: float = Field(0.75, ge=0, le=1)
    min_coverage: float = Field(0.3, ge=0, le=1)
    max_question_chars: int = Field(1000, ge=10)

    log_level: str = "INFO"

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bm25_variant")
    @classmethod
    def _known_variant(cls, value: str) -> str:
        from bot.ranking import VARIANTS

        if value not in VARIANTS:
            raise ValueError(f"must be one of {', '.join(VARIANTS)}")
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings with command-line overrides; options left unset (None) fall through."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
