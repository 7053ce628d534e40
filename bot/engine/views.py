"""The index each scope searches: the whole index, or a view of some of its collections.

A view is cut from the index being served (`SearchIndex.view`: its own statistics, as if the
other collections did not exist) once, kept until the next index is swapped in, and shared by
every chat that sees the same collections. Views of the scopes the grants name are cut with
the index, before it is swapped in, so no question waits for one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from bot.core.collections import Scope
from bot.core.index import SearchIndex
from bot.core.models import StoredPassage


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

    def updated(self, index: SearchIndex, replaced: set[str],
                passages: Sequence[StoredPassage], tokens: Sequence[Sequence[str]]) -> Views:
        """The views of `index`, this one's index updated with these documents
        (`SearchIndex.updated`): each view cut so far updated with the added passages of its
        collections, which is the view of the updated index, without cutting it again."""
        views = Views(index)
        with self._lock:
            cut = dict(self._views)
        for key, view in cut.items():
            if index.table.collections <= key:  # the index itself serves this scope now
                continue
            mine = [i for i, p in enumerate(passages) if p.collection in key]
            views._views[key] = view.updated(replaced, [passages[i] for i in mine],
                                             [tokens[i] for i in mine])
        return views

    def prepare(self, scopes: Iterable[Scope]) -> Views:
        """Cut the views of these scopes now (CPU-bound); itself."""
        for scope in scopes:
            self.of(scope)
        return self
