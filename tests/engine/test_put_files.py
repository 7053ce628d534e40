"""QAService.put_files: files the bot writes itself (channel posts), replaced, removed, refused,
and put back when the reload fails."""

from __future__ import annotations

import pytest

from bot.engine.service import QAService, UploadStatus
from bot.store.database import Database

NOTE = "channels/harbournews/42.txt"
HOURS = b"---\ntitle: Opening hours\n---\nThe harbour centre opens at nine every weekday.\n"
LATER = b"---\ntitle: Opening hours\n---\nThe harbour centre opens at eleven every weekday.\n"


async def test_a_file_is_written_replaced_and_removed_through_the_reload(
    service: QAService
) -> None:
    (added,) = await service.put_files({NOTE: HOURS})
    assert added.status is UploadStatus.ADDED and added.doc_id == NOTE
    assert "nine" in added.passages[0].text
    (same,) = await service.put_files({NOTE: HOURS})
    assert same.status is UploadStatus.DUPLICATE and same.doc_id == NOTE
    (kept,) = await service.put_files({NOTE: LATER}, replace=False)  # an import: left alone
    assert kept.status is UploadStatus.DUPLICATE and "nine" in kept.passages[0].text
    (changed,) = await service.put_files({NOTE: LATER})
    assert changed.status is UploadStatus.ADDED and "eleven" in changed.passages[0].text
    assert (service.settings.knowledge_dir / NOTE).read_bytes() == LATER
    (removed,) = await service.put_files({NOTE: None})
    assert removed.status is UploadStatus.REMOVED
    assert not (service.settings.knowledge_dir / NOTE).exists()
    assert NOTE not in [d.id for d in await service.documents()]


async def test_a_file_with_no_document_is_refused_and_not_written(service: QAService) -> None:
    (refused,) = await service.put_files({NOTE: b"   \n"})
    assert refused.status is UploadStatus.REFUSED and refused.reason
    assert not (service.settings.knowledge_dir / NOTE).exists()


async def test_a_path_out_of_the_folder_is_refused(service: QAService) -> None:
    from bot.sources.parsing import DocumentError

    with pytest.raises(DocumentError, match="would leave the knowledge folder"):
        await service.put_files({"../outside.txt": HOURS})
    assert not (service.settings.knowledge_dir.parent / "outside.txt").exists()


async def test_a_failed_reload_puts_the_old_files_back(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    await service.put_files({NOTE: HOURS})

    async def broken_apply(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Database, "apply", broken_apply)
    with pytest.raises(OSError, match="disk full"):
        await service.put_files({NOTE: LATER, "channels/harbournews/43.txt": HOURS})
    assert (service.settings.knowledge_dir / NOTE).read_bytes() == HOURS
    assert not (service.settings.knowledge_dir / "channels/harbournews/43.txt").exists()


async def test_a_post_is_removed_as_any_document_is(service: QAService) -> None:
    await service.put_files({NOTE: HOURS})
    report = await service.remove_document(NOTE)
    assert report is not None and report.removed == [NOTE]
    assert not (service.settings.knowledge_dir / NOTE).exists()
