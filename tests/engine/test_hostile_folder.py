"""Hostile files in the knowledge folder, through the service as the bot runs it: links out of
the folder, names that are not UTF-8, a first line of half a megabyte, a YAML bomb, a link
removed, a folder that cannot be read. Each one is passed over with a reason or read safely;
nothing else is lost."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import fields
from bot.core.models import Status
from bot.engine.service import QAService
from tests.conftest import EN_SEED, ZH_SEED

SECRET = "TELEGRAM_BOT_TOKEN=123456:AAHsecretsecretsecret"
GBK_NAME = os.fsdecode("名单.txt".encode("gbk"))  # as a Windows zip tool writes it
BOMB = "---\n" + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)
) + "title: *a8\n---\nThe volcano drill at the school starts when the siren sounds.\n"


async def _started(settings: Settings) -> QAService:
    return await QAService.start(settings)


def _texts(service: QAService) -> str:
    return "\n".join(service.index.text(row) for row in range(service.index.size))


async def test_links_out_of_the_folder_are_never_read(settings: Settings, tmp_path: Path) -> None:
    knowledge = settings.knowledge_dir
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".env").write_text(SECRET + "\n")
    (outside / "notes.md").write_text("# Private notes\n\nThe vault code is 4242 and secret.\n")
    (knowledge / "faq.txt").symlink_to(outside / ".env")
    (knowledge / "shared").symlink_to(outside, target_is_directory=True)
    (knowledge / "seed-again.txt").symlink_to(knowledge / EN_SEED)  # inside: a document
    (knowledge / "gone.txt").symlink_to(knowledge / "nothing-here")
    service = await _started(settings)
    try:
        report = await service.reload()
        reasons = dict(report.skipped)
        assert "outside the knowledge folder" in reasons["faq.txt"]
        assert "outside the knowledge folder" in reasons["shared"]
        assert "nothing" in reasons["gone.txt"]
        assert "secret" not in _texts(service) and "4242" not in _texts(service)
        assert service.ask("TELEGRAM_BOT_TOKEN AAHsecretsecretsecret").passages == ()
        assert service.ask("vault code").passages == ()
        assert {d.id for d in await service.db.documents()} == {EN_SEED, ZH_SEED, "seed-again.txt"}
    finally:
        await service.close()


async def test_a_name_that_is_not_utf8_is_read_shown_escaped_and_removable(
    settings: Settings,
) -> None:
    path = settings.knowledge_dir / GBK_NAME
    path.write_text("The zebra crossing outside the market is repainted every spring.\n")
    service = await _started(settings)
    try:
        shown = "\\xc3\\xfb\\xb5\\xa5.txt"
        assert {d.id for d in await service.db.documents()} == {EN_SEED, ZH_SEED, shown}
        (hit,) = service.ask("When is the zebra crossing repainted?", k=1).passages
        assert hit.hit.passage.doc_id == shown
        again = await service.reload()
        assert again.unchanged == 3 and not again.touched  # the same id every reload
        report = await service.remove_document(shown)
        assert report is not None and report.removed == [shown]
        assert not os.path.lexists(path)
        assert {d.id for d in await service.db.documents()} == {EN_SEED, ZH_SEED}
    finally:
        await service.close()


async def test_a_long_first_line_gives_a_short_title_and_usual_passages(
    settings: Settings,
) -> None:
    rng = random.Random(7)
    words = "river festival boats lantern water night market bridge council library".split()
    line = " ".join(rng.choice(words) for _ in range(40_000))  # 250 KB, not a line break in it
    (settings.knowledge_dir / "dump.txt").write_text(line)
    han = "".join(rng.choice("社区图书馆每天早上九点开门借书期限为三周") for _ in range(40_000))
    (settings.knowledge_dir / "长段.txt").write_text("社区图书馆开放通知\n\n" + han)
    service = await _started(settings)
    try:
        docs = {d.id: d for d in await service.db.documents()}
        assert len(docs["dump.txt"].title) <= fields.MAX_TITLE
        assert docs["dump.txt"].title.endswith(fields.ELLIPSIS)
        assert docs["长段.txt"].title == "社区图书馆开放通知"
        size = settings.passage_size
        for doc_id, expected in (("dump.txt", len(line) / size), ("长段.txt", 2 * len(han) / size)):
            passages = service.index.document_passages(doc_id)
            widths = [len(p.text.encode("gbk")) for p in passages]  # a Han character: 2 columns
            assert max(widths) <= size and len(passages) >= expected
    finally:
        await service.close()


async def test_a_yaml_bomb_is_refused_and_the_text_kept(settings: Settings) -> None:
    (settings.knowledge_dir / "drill.md").write_text(BOMB)
    (settings.knowledge_dir / "listed.md").write_text(
        "---\ntitle: [not, a, title]\nurl: {a: b}\nsource: " + "S" * 50_000 + "\n---\n"
        "The ferry to the island leaves from pier four every hour.\n")
    service = await _started(settings)
    try:
        docs = {d.id: d for d in await service.db.documents()}
        assert docs["drill.md"].title == "The volcano drill at the school starts when the siren sounds."
        assert "lol" not in _texts(service)
        assert docs["listed.md"].title.startswith("The ferry") and docs["listed.md"].url is None
        assert len(docs["listed.md"].source or "") <= fields.MAX_SOURCE
        answer = service.ask("When does the volcano drill start?")
        assert answer.status is Status.ANSWERED and answer.passages[0].hit.passage.doc_id == "drill.md"
    finally:
        await service.close()


async def test_an_uploaded_yaml_bomb_is_added_with_a_bounded_title(settings: Settings) -> None:
    service = await _started(settings)
    try:
        result = await service.add_upload("drill.md", BOMB.encode(), {"title": "T" * 10_000})
        assert result.doc_id == "drill.md" and result.passages
        assert len(result.passages[0].title) <= fields.MAX_TITLE
        stored = (settings.knowledge_dir / result.name).read_text()
        assert "*a8" not in stored and len(stored) < 12_000
    finally:
        await service.close()


async def test_removing_a_link_leaves_what_it_points_to(settings: Settings) -> None:
    (settings.knowledge_dir / "alias.txt").symlink_to(settings.knowledge_dir / EN_SEED)
    service = await _started(settings)
    try:
        report = await service.remove_document("alias.txt")
        assert report is not None and report.removed == ["alias.txt"]
        assert (settings.knowledge_dir / EN_SEED).is_file()
        assert not os.path.lexists(settings.knowledge_dir / "alias.txt")
        assert {d.id for d in await service.db.documents()} == {EN_SEED, ZH_SEED}
    finally:
        await service.close()


async def test_an_unreadable_folder_keeps_its_documents(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = settings.knowledge_dir / "sub"
    sub.mkdir()
    (sub / "pool.txt").write_text("The swimming pool opens at seven and closes at nine.\n")
    service = await _started(settings)
    try:
        assert service.ask("When does the swimming pool open?").passages[0].hit.passage.doc_id == "sub/pool.txt"
        if os.geteuid() == 0:  # root reads any folder: make this one fail as it would for others
            real = os.scandir

            def scandir(path: object = ".") -> object:
                if isinstance(path, (str, os.PathLike)) and os.fspath(path) == str(sub):
                    raise PermissionError(13, "Permission denied", os.fspath(path))
                return real(path)

            monkeypatch.setattr(os, "scandir", scandir)
        else:
            sub.chmod(0)
        try:
            report = await service.reload()
        finally:
            sub.chmod(0o755)
        assert "cannot read the folder" in dict(report.skipped)["sub"]
        assert report.removed == [] and not report.touched
        assert service.ask("When does the swimming pool open?").passages[0].hit.passage.doc_id == "sub/pool.txt"
    finally:
        await service.close()


@pytest.fixture
def deep_folder(settings: Settings) -> Iterator[Path]:
    """A folder 1,200 deep in the knowledge folder (deeper than Python's recursion limit; the
    path still fits), removed bottom up afterwards whatever happens: pytest's own clean-up
    recurses, and a leftover would end every later test session with a RecursionError."""
    deep = settings.knowledge_dir
    try:
        for _ in range(1_200):
            deep = deep / "d"
            deep.mkdir()
        yield deep
    finally:
        while deep != settings.knowledge_dir:
            for entry in deep.iterdir():
                if not entry.is_dir():
                    entry.unlink()
            if deep.exists():
                deep.rmdir()
            deep = deep.parent


async def test_a_folder_nested_a_thousand_deep_is_read(
        settings: Settings, deep_folder: Path) -> None:
    (deep_folder / "deep.txt").write_text("The deepest file talks about submarine maintenance.\n")
    service = await _started(settings)
    try:
        (hit,) = service.ask("submarine maintenance", k=1).passages
        assert hit.hit.passage.doc_id.startswith("d/d/d/")
        assert len(hit.hit.passage.doc_id) <= fields.MAX_ID
    finally:
        await service.close()
