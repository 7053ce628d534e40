"""The values that flow between stages: documents in, passages, hits, answers out.

All are frozen dataclasses so a stage can never change what an earlier stage produced.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A cleaned document with its citation metadata."""

    id: str
    title: str
    text: str
    source: str | None = None
    url: str | None = None
    date: str | None = None
    path: str | None = None
    content_hash: str = ""


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in a document's cleaned text."""

    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences from one document, the unit that is ranked and cited."""

    doc_id: str
    position: int  # 1-based
    count: int  # passages in the document
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class StoredPassage:
    """A passage as stored and shown: its row id, its text and its document's metadata (its
    terms live in the database and the ranker, not here)."""

    id: int
    doc_id: str
    position: int
    count: int
    text: str
    title: str
    source: str | None
    url: str | None
    date: str | None
    collection: str = "default"  # core.collections.DEFAULT: its top-level folder


@dataclass(frozen=True)
class Hit:
    """A ranked passage with its BM25 score."""

    passage: StoredPassage
    score: float
    rank: int
    row: int = -1  # its row in the index that found it; -1 when made by hand


class Status(enum.Enum):
    """Why an answer looks the way it does."""

    ANSWERED = "answered"
    NO_MATCH = "no_match"
    EMPTY = "empty"
    NO_WORDS = "no_words"
    TOO_LONG = "too_long"
    NO_DOCUMENTS = "no_documents"
    SMALL_TALK = "small_talk"  # a greeting, thanks, ...: a short reply, no search


@dataclass(frozen=True)
class CitedPassage:
    """A hit ready to show: the passage, the sentence that answers, and its citation number."""

    number: int
    hit: Hit
    highlight: Span | None  # the answering sentence, relative to the passage text
    other_language: bool = False  # written in the other language than the question
    confidence: float | None = None  # the decision's estimated probability that it answers


@dataclass(frozen=True)
class Answer:
    """Everything a front end needs to reply to one question."""

    question: str
    language: str  # "en" or "zh"
    traditional: bool
    status: Status
    message: str  # the direct answer sentence, or the explanation when there is none
    passages: tuple[CitedPassage, ...] = field(default_factory=tuple)
    # The earlier question a follow-up was searched together with; None when searched alone.
    context: str | None = None


class VoteResult(enum.Enum):
    """What became of a 👍 / 👎 press."""

    STORED = "stored"
    NO_QUESTION = "no_question"  # no such question in the log (removed, or a forged id)
    NOT_ASKER = "not_asker"  # only the person who asked may rate the answer


@dataclass(frozen=True)
class DocumentUpdate:
    """A new or changed document with its passages and their index terms, as a reload hands
    it from the sources to the store."""

    document: Document
    passages: Sequence[Passage]
    tokens: Sequence[Sequence[str]]
    size: int | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's citation data and size, for listings."""

    id: str
    title: str
    source: str | None
    url: str | None
    date: str | None
    path: str | None
    passages: int
    added_at: str


@dataclass(frozen=True)
class LoggedQuestion:
    """One question from the usage log, with the passages it got and the votes on its answer."""

    id: int
    asked_at: str  # ISO 8601, UTC
    chat_type: str
    language: str
    question: str | None
    user: str | None
    status: str
    seconds: float
    passages: tuple[tuple[str, int, float], ...] = ()  # (doc_id, position, score), best first
    votes: tuple[int, ...] = ()  # 1 for 👍, -1 for 👎

    @property
    def missed(self) -> bool:
        """No relevant passage was found (small talk is answered without one)."""
        return not self.passages and self.status != Status.SMALL_TALK.value

    @property
    def disliked(self) -> bool:
        """Somebody pressed 👎 on the answer."""
        return -1 in self.votes
