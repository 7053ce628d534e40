"""An in-memory collection for tuning and timing scripts that vary what the bot fixes (the
analyzer, BM25's constants): documents split and tokenised by the same code as a reload, their
passages numbered as a fresh database numbers them, so the index is the one the bot builds."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.core.analysis import Analyzer
from bot.core.index import SearchIndex
from bot.core.models import Document, StoredPassage
from bot.sources.cache import prepare_jieba
from bot.sources.folder import split, with_tokens
from bot.sources.parsing import DocumentError


def start_jieba() -> Path:
    """jieba loaded with the bot's cache folder (as the settings name it); the folder."""
    folder = Settings().cache_folder
    prepare_jieba(folder)
    return folder


def index_of(documents: list[Document], analyzer: Analyzer, settings: Settings) -> SearchIndex:
    """The index of the documents, as `bot eval` builds it for these settings."""
    updates = []
    for doc in documents:
        try:
            updates.append(split(doc, settings.passage_size, settings.passage_overlap))
        except DocumentError:  # no passages: the bot stores nothing for it either
            continue
    passages: list[StoredPassage] = []
    tokens: list[list[str]] = []
    for update in with_tokens(updates, analyzer):
        doc = update.document
        for p, terms in zip(update.passages, update.tokens, strict=True):
            passages.append(StoredPassage(len(passages) + 1, p.doc_id, p.position, p.count,
                                          p.text, doc.title, doc.source, doc.url, doc.date))
            tokens.append(list(terms))
    return SearchIndex.build(passages, tokens, settings.bm25_variant, settings.bm25_k1,
                             settings.bm25_b)
