"""The index each scope searches: the whole index, or a view of some of its collections.

A view is cut from the index being served (`SearchIndex.view`: its own statistics, as if the
other collections did not exist) once, kept until the next index is swapped in, and shared by
every chat that sees the same collections. Views of the scopes the grants name are cut with
the index, before it is swapped in, so no question waits for one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from bot.core.collections import Scope
from bot.core.index import SearchIndex


class Views:
    """One index and the views of it cut so far."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._views: dict[frozenset[str], SearchIndex] = {}
        self._lock = threading.Lock()  # questions run in worker threads

    def of(self, scope: Scope) -> SearchIndex:
        """What a question in the scope searches (CPU-bound the first time for a scope)."""
        if scope.names is None:
            return self.index
        key = scope.names & self.index.table.collections
        if key == self.index.table.collections:
            return self.index
        with self._lock:  # one cut per scope, however many questions arrive at once
            view = self._views.get(key)
            if view is None:
                view = self._views[key] = self.index.view(key)
        return view

    def prepare(self, scopes: Iterable[Scope]) -> Views:
        """Cut the views of these scopes now (CPU-bound); itself."""
        for scope in scopes:
            self.of(scope)
        return self
