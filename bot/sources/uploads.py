"""Files sent by an admin: a safe name inside the knowledge folder, and the caption's title
and URL written into the file, so the folder stays the one source of truth. No I/O except
`free_path`, which only looks, and `write_new`, `rewrite`, `discard` and `replace_files`,
which write, replace and remove files.

Caption forms: `Title | https://url` (either part may be left out), or lines of
`title: ...`, `url: ...`, `source: ...`, `date: ...`.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import frontmatter
from pathvalidate import sanitize_filename

from bot.sources import office
from bot.sources.office import CORE_PROPERTY_SUFFIXES
from bot.sources.parsing import (
    HTML_SUFFIXES,
    PDF_META_KEYS,
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    DocumentError,
    decode,
    split_front_matter,
)

MAX_STEM = 80
# "collection" is where the file goes (bot/core/collections.py), not written into it.
_FIELD = re.compile(r"^\s*(title|url|source|date|collection)\s*[:：]\s*(.+?)\s*$",
                    re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def suffix_of(name: str) -> str:
    """The lower-case extension of a file name, with its dot."""
    return Path(name.replace("\\", "/")).suffix.lower()


def is_supported(name: str) -> bool:
    """A file type the knowledge folder reads."""
    return suffix_of(name) in SUPPORTED_SUFFIXES


def safe_name(name: str) -> str:
    """A plain file name that stays in the folder: no directories, no leading dots, no control
    or bidirectional-override characters, reserved names defused, at most MAX_STEM characters."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    suffix = suffix_of(base)
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = sanitize_filename(stem, platform="universal").lstrip(" ._-")[:MAX_STEM].rstrip(" .")
    return f"{stem or 'upload'}{suffix}"


def free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name-2`, `name-3`, ... when taken: never another document's file."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    if path.resolve().parent != folder.resolve():  # belt and braces after safe_name
        raise DocumentError(f"{name!r} would leave the knowledge folder")
    return path


def write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write data under a free name in folder; "x" mode fails rather than overwrite a file."""
    path = free_path(folder, name)
    with path.open("xb") as out:
        out.write(data)
    return path


def rewrite(path: Path, data: bytes) -> None:
    """Replace a file's bytes at once: written beside it under a dot name (which no scan
    reads) and renamed over it, so a reload meanwhile reads the old file or the new, whole."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def discard(path: Path) -> None:
    """Remove a file written for an upload that is not kept."""
    path.unlink(missing_ok=True)


def replace_files(root: Path, files: Mapping[str, bytes | None], replace: bool = True,
                  ) -> dict[str, bytes | None]:
    """Write each file at its path inside root, whole or not at all (None: remove it), and
    leave those already holding these bytes alone (with `replace` false, every file already
    there); returns what each changed one held before
    (None: nothing), so that `replace_files(root, before)` puts them back."""
    for rel in files:  # all checked before any is written
        if not (root / rel).resolve().is_relative_to(root.resolve()):  # a link out, or ".."
            raise DocumentError(f"{rel!r} would leave the knowledge folder")
    before: dict[str, bytes | None] = {}
    for rel, data in files.items():
        path = root / rel
        old = path.read_bytes() if path.is_file() else None
        if old == data or (old is not None and not replace):
            continue
        before[rel] = old
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # A dot file, which the folder scan never reads, swapped in by one rename.
        temporary = path.with_name(f".{path.name}.writing")
        temporary.write_bytes(data)
        temporary.replace(path)
    return before


def parse_caption(caption: str | None) -> dict[str, str]:
    """Title, URL, source, date and collection stated in an upload's caption."""
    if not caption or not caption.strip():
        return {}
    fields = {}
    for line in caption.splitlines():
        match = _FIELD.match(line)
        if match:
            fields[match.group(1).lower()] = match.group(2)
    if fields:
        return fields
    for part in (p.strip() for p in caption.split("|")):
        if _URL.match(part):
            fields.setdefault("url", part)
        elif part:
            fields.setdefault("title", part)
    return fields


def with_metadata(name: str, data: bytes, fields: dict[str, str]) -> bytes:
    """The file with the caption's fields written in: YAML front matter for text, Markdown and
    HTML (merged into any it has), the document information dictionary for PDF, the core
    properties (title, date, URL as identifier) for Word and PowerPoint; other files as sent."""
    if not fields:
        return data
    if suffix_of(name) in PDF_SUFFIXES:
        return _pdf_with_metadata(data, fields)
    if suffix_of(name) in CORE_PROPERTY_SUFFIXES:
        return office.with_core_properties(suffix_of(name), data, fields)
    if suffix_of(name) not in TEXT_SUFFIXES | HTML_SUFFIXES:
        return data  # a workbook, e-book or CSV has no place the caption could go unharmed
    stated, body = split_front_matter(decode(data))
    post = frontmatter.Post(body)
    post.metadata.update(stated)
    post.metadata.update(fields)
    return (frontmatter.dumps(post) + "\n").encode("utf-8")


def _pdf_with_metadata(data: bytes, fields: dict[str, str]) -> bytes:
    import pypdf

    try:
        writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
        writer.add_metadata({PDF_META_KEYS[k]: v for k, v in fields.items() if k in PDF_META_KEYS})
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:  # pypdf raises many types on broken files
        raise DocumentError(f"unreadable PDF: {exc}") from exc
    return out.getvalue()
