"""Handing back to the system the memory an index swapped out leaves free.

glibc keeps memory freed on its heap for later allocations rather than returning it, and after
one large array is freed it serves arrays up to that size from the heap too (its mmap threshold
rises), so the arrays of an index replaced by an update stay resident: at a million passages
the bot served at 1,525 MB after a one-file update against 1,446 MB before it, and at 1,401 MB
once trimmed (`benchmarks/incremental_update.py`). `malloc_trim` returns the free pages.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library is another (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed() -> bool:
    """Return the C heap's free pages to the system; False where that cannot be done. Takes
    the allocator's lock while it walks the heap, so it runs off the event loop."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
