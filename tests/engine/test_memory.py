"""Memory an index swapped out leaves free goes back to the system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine import memory
from bot.engine.service import QAService

# Run in a fresh interpreter, whose heap holds nothing of the other tests': as an index's
# arrays are replaced, one large array freed raises glibc's mmap threshold, so the next arrays
# come from the heap, and small blocks kept between them pin it.
_SCENARIO = """
import gc
from pathlib import Path
import numpy as np
from bot.engine import memory

def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if not memory.release_freed():
    print("untrimmable")
    raise SystemExit
large = np.ones(30 * 2**20 // 8)
del large
arrays, kept = [], []
for _ in range(150):
    arrays.append(np.ones(2**20 // 8))
    kept.append(bytes(4000))
del arrays
gc.collect()
held = resident()
memory.release_freed()
print(held, resident())
"""


def test_freed_heap_memory_is_returned_to_the_system() -> None:
    out = subprocess.run([sys.executable, "-c", _SCENARIO], capture_output=True, text=True,
                         check=True).stdout.split()
    if out == ["untrimmable"]:
        pytest.skip("not glibc: nothing to trim")
    held, trimmed = map(float, out)
    assert trimmed < held - 100  # of the 150 MB freed


async def test_an_update_and_its_save_hand_the_old_index_memory_back(
    settings: Settings, knowledge: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "release_freed", lambda: calls.append(1) or True)
    service = await QAService.start(settings)
    try:
        assert calls  # the first load's temporaries
        calls.clear()
        (knowledge / "pool.md").write_text(
            "---\ntitle: Pool hours\n---\nThe swimming pool opens at seven.\n", encoding="utf-8")
        report = await service.reload()
        assert report.changed or report.added
        await service._saved()
        assert calls  # after the update was saved and its texts served from the file
        assert "seven" in service.ask("When does the swimming pool open?").message
    finally:
        await service.close()
