"""The one error of the sources: a file that cannot become a document (parsing.py re-exports it,
so every format module can raise it without importing the parser)."""

from __future__ import annotations


class DocumentError(ValueError):
    """A file that cannot become a document; the message says why, for the reload report."""
