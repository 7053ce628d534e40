"""The knowledge folder in: which files are documents, and each one parsed, split and
tokenised, ready for the engine to write (`bot.engine.reload`).

The scan only looks (names, sizes, times) and never leaves the folder; `read` is the one place
a document's bytes are read; `prepare` is pure; `with_tokens` tokenises a whole batch at once,
on every core when it is big.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field, replace
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
    """A candidate document file in the knowledge folder: `path` is the entry itself (a link
    stays a link), `rel` its name below the folder as shown and stored (always printable)."""

    path: Path
    rel: str
    size: int
    mtime_ns: int
    root: Path  # the folder, resolved: what every read must stay inside


@dataclass
class Scan:
    """What one look at the folder found: documents, files passed over with the reason, and
    the files and folders that could not be looked at (their documents are kept, not lost)."""

    files: list[SourceFile] = field(default_factory=list)
    passed: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def keeps(self, rel: str) -> bool:
        """True when rel is, or lies in, something that could not be looked at."""
        return any(u in (".", rel) or rel.startswith(u + "/") for u in self.unreadable)


def shown_name(raw: str) -> str:
    """A file name as it is shown and stored: bytes that are not UTF-8 (a GBK name from a
    Windows zip, kept by Python as surrogates) as \\xNN, and control, format and line-break
    characters (a newline that would forge a report line, a bidi override) as \\uNNNN: printable,
    the same every time, and safe in SQLite, logs and Telegram."""
    text = os.fsencode(raw).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _inside(path: str, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def scan(folder: Path) -> Scan:
    """Supported files below folder (recursively, hidden ones left out), without following
    links to folders and never taking a link that leads out of the folder."""
    if not folder.is_dir():
        raise FolderError(f"knowledge folder {folder} does not exist or is not a folder")
    root = folder.resolve()
    found = Scan()
    base = str(folder)
    # A stack, not recursion (as os.walk and rglob do): a folder nested a thousand deep would
    # end the reload with a RecursionError.
    pending = [base]
    while pending:
        top = pending.pop()
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            rel = _rel(top, base)
            found.passed.append((rel, f"cannot read the folder: {exc.strerror}; "
                                      "its documents stay as they were"))
            found.unreadable.append(rel)
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = _rel(entry.path, base)
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
            elif entry.is_symlink() and os.path.isdir(entry.path):
                found.passed.append((rel, _link_reason(entry.path, root, "folder")))
            else:
                _look(entry.path, rel, root, found)
        pending.extend(reversed(subfolders))
    found.files.sort(key=lambda f: f.rel)
    return found


def _rel(path: str, base: str) -> str:
    return shown_name(os.path.relpath(path, base)).replace(os.sep, "/")


def _link_reason(path: str, root: Path, kind: str) -> str:
    if not _inside(path, root):
        return f"a link to a {kind} outside the knowledge folder: never read"
    return f"a link to a {kind}: not followed, add the {kind} itself"


def _look(path: str, rel: str, root: Path, found: Scan) -> None:
    """One entry of the folder: a document file, or passed over with the reason."""
    if os.path.islink(path) and not _inside(path, root):
        found.passed.append((rel, _link_reason(path, root, "file")))
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            found.passed.append((rel, "a link to nothing"))
        return  # else removed while the scan looked: gone, as it should be
    except OSError as exc:
        found.passed.append((rel, f"cannot read: {exc.strerror}"))
        found.unreadable.append(rel)
        return
    if not stat.S_ISREG(st.st_mode):
        found.passed.append((rel, "not a regular file"))
        return
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        found.passed.append((rel, f"unsupported file type {shown_name(suffix) or '(none)'}"))
        return
    if st.st_size > MAX_DOCUMENT_BYTES:
        found.passed.append((rel, f"too large ({st.st_size / 2**20:.0f} MB; the limit is "
                                  f"{MAX_DOCUMENT_BYTES // 2**20} MB)"))
        return
    found.files.append(SourceFile(Path(path), rel, st.st_size, st.st_mtime_ns, root))


def read(file: SourceFile) -> bytes:
    """A document file's bytes (OSError when it cannot be read): every read of the folder's
    documents goes through here. Checked again at the read, since the entry may have become a
    link out of the folder, a pipe or a huge file since the scan looked at it."""
    real = os.path.realpath(file.path)
    if not Path(real).is_relative_to(file.root):
        raise OSError(errno.EACCES, "it now leads outside the knowledge folder")
    fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "it is no longer a regular file")
        data = f.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise OSError(errno.EFBIG, f"it grew past the {MAX_DOCUMENT_BYTES // 2**20} MB limit")
    return data


@dataclass(frozen=True)
class SetAside:
    """A document's file hidden from the scan (a dot name beside it) while its removal is
    reloaded: put back if the reload fails, discarded once it has succeeded."""

    path: Path
    aside: Path

    def put_back(self) -> None:
        """The file where it was."""
        if os.path.lexists(self.aside):
            self.aside.rename(self.path)

    def discard(self) -> None:
        """The file gone for good."""
        self.aside.unlink(missing_ok=True)


def set_aside(folder: Path, rel: str) -> SetAside:
    """Hide the folder entry that the scan names rel from the next scan; DocumentError if the
    scan finds no such document. The entry itself moves (a link, never what it points to), and
    names are matched as the scan shows them, so a file whose name is not UTF-8 can go too."""
    entry = next((f.path for f in scan(folder).files if f.rel == rel), None)
    if entry is None:
        raise DocumentError(f"{rel!r} is not a document file in the knowledge folder")
    aside = entry.with_name(f".{entry.name}.removing")
    entry.rename(aside)
    return SetAside(entry, aside)


def read_documents(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Every document file read and parsed, without storing anything: the content hash of
    each file that gives a document, and the others as "name (reason)"."""
    found = scan(folder)
    hashes: dict[str, str] = {}
    skipped = [f"{rel} ({reason})" for rel, reason in found.passed]
    for file in found.files:
        try:
            data = read(file)
            parse(file.rel, data)
            hashes[file.rel] = content_hash(data)
        except (OSError, DocumentError) as exc:
            skipped.append(f"{file.rel} ({exc})")
    return hashes, skipped


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the folder's documents: cheap to compare."""
    return tuple((f.rel, f.size, f.mtime_ns) for f in scan(folder).files)


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
    """What passages depend on besides the text: a change means every file is re-split (and
    re-read: "sections" since headings start sections, which the readers mark; "headings"
    since a run of headings starts one section)."""
    return f"size={passage_size};overlap={overlap};sections;headings"
