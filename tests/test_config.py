from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from tests.conftest import ROOT


def test_every_setting_is_in_env_example_with_its_default(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, re.MULTILINE))
    assert set(documented) == {name.upper() for name in Settings.model_fields}
    # The example, read as a .env file, gives exactly the defaults (empty values mean unset).
    env = tmp_path / ".env"
    env.write_text(example, encoding="utf-8")
    from_example = Settings(_env_file=env)  # type: ignore[call-arg]
    assert from_example.model_dump() == Settings(_env_file=None).model_dump()  # type: ignore[call-arg]


def test_admin_ids_are_parsed_like_allowed_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_ADMIN_IDS", " 1001, 2002,,")
    monkeypatch.setenv("ALLOWED_IDS", "")
    settings = load_settings()
    assert settings.telegram_admin_ids == frozenset({1001, 2002})
    assert settings.allowed_ids == frozenset()
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.telegram_api_base_file_url == "https://api.telegram.org/file/bot"
    assert (settings.watch_seconds, settings.store_question_text, settings.hash_user_ids) == (
        0, True, False)


def test_an_unknown_bm25_variant_is_refused_with_the_choices() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="choose from lucene, okapi, plus, l"):
        Settings(bm25_variant="nope")


def test_caches_live_beside_the_database_unless_cache_dir_says_otherwise(tmp_path: Path) -> None:
    assert Settings(database_path=tmp_path / "db" / "bot.sqlite3", cache_dir="").cache_folder == (
        tmp_path / "db" / "cache")
    assert Settings(cache_dir=tmp_path / "mine").cache_folder == tmp_path / "mine"
