from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.models import Status
from bot.engine import reload as reload_module
from bot.engine.service import QAService
from bot.store.database import Database
from tests.conftest import EN_SEED, ROOT
from tests.faces.telegram.fake_bot_api import until

QUESTION = "Who did Fu Linlin take to the hospital?"


async def test_restart_loads_from_the_database_without_reading_files(settings: Settings) -> None:
    first = await QAService.start(settings)
    expected = first.ask(QUESTION)
    await first.close()
    for path in settings.knowledge_dir.iterdir():
        path.unlink()
    second = await QAService.start(settings, sync=False)
    try:
        again = second.ask(QUESTION)
    finally:
        await second.close()
    assert again.passages == expected.passages


async def test_failed_reload_keeps_serving_the_old_index(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = service.ask(QUESTION)
    old_index = service.index
    (service.settings.knowledge_dir / "new.md").write_text("A brand new note about parking.\n")

    async def broken_apply(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Database, "apply", broken_apply)
    with pytest.raises(OSError, match="disk full"):
        await service.reload()
    assert service.index is old_index
    assert service.ask(QUESTION).passages == before.passages
    assert [d.path for d in await service.documents()] == sorted(
        [EN_SEED, "003_a5b605149d222604.txt"]
    )


async def test_questions_during_a_reload_use_the_complete_old_index(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    (service.settings.knowledge_dir / "pool.md").write_text(
        "---\ntitle: Pool\n---\nThe swimming pool opens at seven every morning.\n"
    )
    started, release = asyncio.Event(), asyncio.Event()
    real_apply = Database.apply

    async def slow_apply(self: Database, *args: object, **kwargs: object) -> None:
        started.set()
        await release.wait()
        await real_apply(self, *args, **kwargs)

    monkeypatch.setattr(Database, "apply", slow_apply)
    reload = asyncio.create_task(service.reload())
    await started.wait()
    assert service.reloading
    during = service.ask("When does the swimming pool open?")
    assert during.status is Status.NO_MATCH  # old index, still whole
    assert service.ask(QUESTION).status is Status.ANSWERED
    release.set()
    report = await reload
    assert report.added == ["pool.md"]
    after = service.ask("When does the swimming pool open?")
    assert after.passages[0].hit.passage.title == "Pool"


async def test_two_reloads_do_not_run_at_once(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = 0
    peak = 0
    real = reload_module.sync_folder

    async def counting(*args: object, **kwargs: object):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        for _ in range(20):  # turns enough for the other reload to reach the lock, or get in
            await asyncio.sleep(0)
        try:
            return await real(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr("bot.engine.service.sync_folder", counting)
    await asyncio.gather(service.reload(), service.reload())
    assert peak == 1


async def test_empty_knowledge_folder_answers_politely(settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    svc = await QAService.start(settings.model_copy(update={"knowledge_dir": empty}))
    try:
        answer = svc.ask("Where is the library?")
    finally:
        await svc.close()
    assert answer.status is Status.NO_DOCUMENTS


async def test_failed_removal_puts_the_file_back(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_apply(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Database, "apply", broken_apply)
    with pytest.raises(OSError, match="disk full"):
        await service.remove_document(EN_SEED)
    assert (service.settings.knowledge_dir / EN_SEED).read_bytes().startswith(b"---")
    assert sorted(p.name for p in service.settings.knowledge_dir.iterdir()) == sorted(
        [EN_SEED, "003_a5b605149d222604.txt"])
    assert service.ask(QUESTION).status is Status.ANSWERED


async def test_removal_deletes_the_file_and_the_document(service: QAService) -> None:
    report = await service.remove_document(EN_SEED)
    assert report is not None and report.removed == [EN_SEED]
    assert not (service.settings.knowledge_dir / EN_SEED).exists()
    assert [d.id for d in await service.documents()] == ["003_a5b605149d222604.txt"]
    assert await service.remove_document("no-such-document") is None


def _reloads(service: QAService) -> float:
    return service.metrics.registry.get_sample_value("bot_reloads_total", {"result": "ok"}) or 0


async def test_watching_reloads_when_a_file_changes(service: QAService) -> None:
    question = "When does the swimming pool open?"
    before = _reloads(service)
    watcher = asyncio.create_task(service.watch(0.05))
    try:
        await until(lambda: _reloads(service) > before)  # its first look has been taken
        assert service.ask(question).status is Status.NO_MATCH
        (service.settings.knowledge_dir / "pool.md").write_text(
            "---\ntitle: Pool\n---\nThe swimming pool opens at seven every morning.\n")
        await until(lambda: service.ask(question).status is Status.ANSWERED)
        answer = service.ask(question)
        assert answer.passages[0].hit.passage.title == "Pool"
    finally:
        watcher.cancel()


async def test_running_bot_picks_up_a_command_line_reload(settings: Settings) -> None:
    running = await QAService.start(settings)
    command_line = await QAService.start(settings, sync=False)
    try:
        (settings.knowledge_dir / "pool.md").write_text(
            "---\ntitle: Pool\n---\nThe swimming pool opens at seven every morning.\n")
        assert (await command_line.reload()).added == ["pool.md"]
        assert running.ask("When does the swimming pool open?").status is Status.NO_MATCH
        report = await running.reload()
        assert not report.touched  # the database was already up to date ...
        answer = running.ask("When does the swimming pool open?")
        assert answer.passages[0].hit.passage.title == "Pool"  # ... yet the index is new
    finally:
        await command_line.close()
        await running.close()


async def test_a_follow_up_is_asked_with_the_question_its_answer_replied_to(
    service: QAService,
) -> None:
    earlier = "When did Duan Chengming receive the urgent notice?"
    joined = service.ask("and how long did he sleep?", earlier=earlier)
    assert joined.status is Status.ANSWERED and joined.context == earlier
    assert "He only slept a few hours" in joined.message
    assert service.ask("and how long did he sleep?").context is None
    # small talk in reply is still small talk, and counted as such
    thanks = service.ask("thanks!", earlier=earlier)
    assert thanks.status is Status.SMALL_TALK and thanks.context is None


def test_start_up_loads_the_lemma_tables_not_the_first_question(
    settings: Settings, tmp_path: Path
) -> None:
    """In a fresh process (this one has loaded them long ago): lemminflect's tables are
    loaded by the time a started service is closed, no question asked (and no dictionary,
    whose first build would load them too)."""
    script = tmp_path / "start.py"
    script.write_text(
        "import asyncio, sys\n"
        "from lemminflect import Lemmatizer\n"
        "from bot.config import Settings\n"
        "from bot.engine.service import QAService\n"
        "async def main():\n"
        "    before = hasattr(Lemmatizer(), 'lemma_dict')\n"
        f"    s = await QAService.start(Settings(database_path={str(tmp_path / 'l.db')!r},\n"
        "        cross_lingual=False,\n"
        f"        knowledge_dir={str(settings.knowledge_dir)!r},\n"
        f"        cache_dir={str(settings.cache_folder)!r}), sync=False)\n"
        "    await s.close()\n"
        "    print(before, hasattr(Lemmatizer(), 'lemma_dict'))\n"
        "asyncio.run(main())\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
