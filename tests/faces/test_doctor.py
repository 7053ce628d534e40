from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.faces.doctor import run_checks
from bot.engine.service import QAService
from pydantic import SecretStr


def _fake_get(ok: bool):
    def get(url: str, timeout: float) -> httpx.Response:
        assert url.endswith("/getMe")
        body = ({"ok": True, "result": {"id": 1, "is_bot": True, "username": "docs_bot"}} if ok
                else {"ok": False, "error_code": 401, "description": "Unauthorized"})
        return httpx.Response(200 if ok else 401, json=body)
    return get


async def _built(settings: Settings) -> None:
    service = await QAService.start(settings)
    await service.close()


async def test_good_setup_passes_every_check(settings: Settings, tmp_path: Path) -> None:
    await _built(settings)
    s = settings.model_copy(update={"telegram_bot_token": SecretStr("123456:" + "a" * 35)})
    checks = run_checks(s, tmp_path / ".env", _fake_get(True))
    assert all(c.ok for c in checks), [c.line() for c in checks]
    assert any("@docs_bot" in c.detail for c in checks)
    assert any("2 documents, 0 skipped" in c.detail for c in checks)


async def test_broken_setups_name_the_problem_and_the_fix(
    settings: Settings, tmp_path: Path
) -> None:
    await _built(settings)
    env = tmp_path / ".env"
    env.write_text("KNOWLEDGE_DIRR=knowledge\nTOP_K=3\nMIN_COVERAGE=0.3\n")
    (settings.knowledge_dir / "000_8c4ed84407d39b0c.txt").write_text("Changed text about lanterns.")
    (settings.knowledge_dir / "bad.txt").write_bytes(b"\x00\xff" * 100)
    s = settings.model_copy(update={"telegram_bot_token": SecretStr("123456:" + "b" * 35)})
    checks = {c.name: c for c in run_checks(s, env, _fake_get(False))}
    assert "KNOWLEDGE_DIRR (did you mean KNOWLEDGE_DIR?)" in checks["settings"].detail
    # a retired setting says what replaced it
    assert "MIN_COVERAGE (no longer read: the answer decision's STRICTNESS replaced it" \
        in checks["settings"].detail
    assert not checks["telegram token"].ok and "@BotFather" in checks["telegram token"].fix
    assert "1 skipped: bad.txt" in checks["knowledge folder"].detail
    assert not checks["index"].ok and "changed since indexing" in checks["index"].detail
    assert checks["index"].fix == "run `bot reload`"


@pytest.mark.parametrize("damage", ["missing", "garbage"])
async def test_missing_or_corrupt_database(settings: Settings, tmp_path: Path, damage: str) -> None:
    await _built(settings)
    if damage == "missing":
        shutil.rmtree(settings.database_path.parent)
    else:
        settings.database_path.write_bytes(b"garbage" * 1000)
        for extra in settings.database_path.parent.glob("*-wal"):
            extra.unlink()
    checks = run_checks(settings, tmp_path / ".env")
    failed = [c for c in checks if not c.ok]
    assert failed and failed[0].name == "database"
    assert "bot reload" in failed[0].fix


async def test_doctor_lists_who_sees_which_collection(settings: Settings, tmp_path: Path) -> None:
    (settings.knowledge_dir / "staff").mkdir()
    (settings.knowledge_dir / "staff" / "rota.txt").write_text("The rota changes on Mondays.\n")
    scoped = settings.model_copy(update={"collections": {"-100": frozenset({"staff"}),
                                                         "*": frozenset({"default", "typo"})}})
    service = await QAService.start(scoped)
    await service.grant("42", None, granted_by=7)
    await service.close()
    check = next(c for c in run_checks(scoped, tmp_path / "none.env", _fake_get(True))
                 if c.name == "collections")
    assert not check.ok and "no such folder: typo" in check.detail
    assert "COLLECTIONS -100 = staff" in check.detail
    assert "/use 42 = all collections" in check.detail
    plain = next(c for c in run_checks(settings, tmp_path / "none.env", _fake_get(True))
                 if c.name == "collections")
    # The stored grant is in force without the setting too.
    assert plain.ok and plain.detail == "default, staff; /use 42 = all collections"


def test_a_channel_id_without_its_minus_100_is_named_with_the_fix(settings: Settings) -> None:
    from bot.faces.doctor import check_ids

    assert check_ids(settings.model_copy(
        update={"source_channel_ids": frozenset({-1001234567890})})).ok
    check = check_ids(settings.model_copy(update={"source_channel_ids": frozenset({1234567890})}))
    assert not check.ok and "[1234567890]" in check.detail and "-100" in check.fix
