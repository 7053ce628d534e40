"""The knowledge folder in: which files are documents, and each one parsed, split and
tokenised, ready for the engine to write (`bot.engine.reload`).

The scan only looks (names, sizes, times); `prepare` is pure; `with_tokens` tokenises a whole
batch at once, on every core when it is big.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.analysis import Analyzer
from bot.core.models import Document, DocumentUpdate
from bot.core.splitting import split_passages
from bot.sources.parallel_tokeniser import tokenise_all
from bot.sources.parsing import SUPPORTED_SUFFIXES, DocumentError, content_hash, parse

# A document bigger than this is almost always a dump or a mistake; reading, cleaning and
# tokenising it would hold a reload (and memory) for minutes.
MAX_DOCUMENT_BYTES = 20 * 2**20


class FolderError(RuntimeError):
    """The knowledge folder cannot be read at all (missing, not a folder)."""


@dataclass(frozen=True)
class SourceFile:
    """A candidate document file in the knowledge folder."""

    path: Path
    rel: str
    size: int
    mtime_ns: int


def scan(folder: Path) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Supported files below folder (recursively, hidden ones left out) and files passed over."""
    if not folder.is_dir():
        raise FolderError(f"knowledge folder {folder} does not exist or is not a folder")
    files: list[SourceFile] = []
    passed: list[tuple[str, str]] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            passed.append((rel, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            st = path.stat()
        except OSError as exc:
            passed.append((rel, f"cannot read: {exc.strerror}"))
            continue
        if st.st_size > MAX_DOCUMENT_BYTES:
            passed.append((rel, f"too large ({st.st_size / 2**20:.0f} MB; the limit is "
                                f"{MAX_DOCUMENT_BYTES // 2**20} MB)"))
            continue
        files.append(SourceFile(path, rel, st.st_size, st.st_mtime_ns))
    return files, passed


def read(file: SourceFile) -> bytes:
    """A document file's bytes (OSError when it cannot be read): every read of the folder's
    documents goes through here."""
    return file.path.read_bytes()


@dataclass(frozen=True)
class SetAside:
    """A document's file hidden from the scan (a dot name beside it) while its removal is
    reloaded: put back if the reload fails, discarded once it has succeeded."""

    path: Path
    aside: Path

    def put_back(self) -> None:
        """The file where it was."""
        if self.aside.exists():
            self.aside.rename(self.path)

    def discard(self) -> None:
        """The file gone for good."""
        self.aside.unlink(missing_ok=True)


def set_aside(folder: Path, rel: str) -> SetAside:
    """Hide a document's file from the next scan; DocumentError if rel leaves the folder."""
    root = folder.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        raise DocumentError(f"{rel!r} is outside the knowledge folder")
    aside = path.with_name(f".{path.name}.removing")
    if path.exists():
        path.rename(aside)
    return SetAside(path, aside)


def read_documents(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Every document file read and parsed, without storing anything: the content hash of
    each file that gives a document, and the others as "name (reason)"."""
    files, passed = scan(folder)
    hashes: dict[str, str] = {}
    skipped = [rel for rel, _ in passed]
    for file in files:
        try:
            data = read(file)
            parse(file.rel, data)
            hashes[file.rel] = content_hash(data)
        except (OSError, DocumentError) as exc:
            skipped.append(f"{file.rel} ({exc})")
    return hashes, skipped


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the folder's documents: cheap to compare."""
    files, _ = scan(folder)
    return tuple((f.rel, f.size, f.mtime_ns) for f in files)


def split(doc: Document, passage_size: int, overlap: int) -> DocumentUpdate:
    """A parsed document and its passages, terms still to come (pure)."""
    passages = split_passages(doc.id, doc.text, passage_size, overlap)
    if not passages:
        raise DocumentError("no passages")
    return DocumentUpdate(doc, passages, [])


def prepare(rel: str, data: bytes, passage_size: int, overlap: int) -> DocumentUpdate:
    """Parse and split one file, terms still to come (CPU-bound, pure)."""
    return split(parse(rel, data), passage_size, overlap)


def with_tokens(updates: list[DocumentUpdate], analyzer: Analyzer) -> list[DocumentUpdate]:
    """The updates with their passages' terms, tokenised as one batch (every core if big)."""
    texts = [p.text for up in updates for p in up.passages]
    tokens = iter(tokenise_all(texts, analyzer))
    out = []
    for up in updates:
        title = analyzer.title_terms(up.document.title)  # the title is a field of every passage
        out.append(replace(up, tokens=[next(tokens) + title for _ in up.passages]))
    return out


def splitter_signature(passage_size: int, overlap: int) -> str:
    """What passages depend on besides the text: a change means every file is re-split."""
    return f"size={passage_size};overlap={overlap}"
