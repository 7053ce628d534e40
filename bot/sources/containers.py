"""What an Office file or e-book is before any library opens it: a zip whose entries stay
within bounds, not an OLE compound file (an encrypted OOXML file or an old binary format).

Pure checks on bytes. The declared sizes in a zip's directory bound what the libraries will
inflate: Python's zipfile stops at the declared size and fails the CRC on a lie, so checking
them here keeps a zip bomb (a few KB that inflate to gigabytes) from ever being read.
"""

from __future__ import annotations

import io
import zipfile

from bot.sources.errors import DocumentError

# Office XML compresses about 5-20 times; a bomb's entries compress a thousand times or more.
MAX_RATIO = 200
# Far more than the text of any 20 MB document: beyond this, inflating holds memory and time.
MAX_UNPACKED = 256 * 2**20
MAX_ENTRIES = 20_000
# Small entries (a 30-byte XML stub) may compress badly or well without mattering.
_RATIO_FLOOR = 1 * 2**20

# Every OLE compound file starts with these bytes: old .doc/.xls/.ppt, and the wrapper that
# Office puts around a password-protected .docx/.xlsx/.pptx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def checked_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The file as an open zip, or DocumentError saying why it is not read."""
    if data.startswith(OLE_MAGIC):
        raise DocumentError(f"an encrypted (password-protected) or old-format {kind}: "
                            "remove the password, or save it again in the current format")
    if not data.strip():
        raise DocumentError("empty file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"not a readable {kind} (corrupt or not a zip: {exc})") from exc
    if len(entries) > MAX_ENTRIES:
        raise DocumentError(f"a {kind} of {len(entries)} parts (the limit is {MAX_ENTRIES})")
    total = 0
    for info in entries:
        if info.flag_bits & 0x1:
            raise DocumentError(f"an encrypted {kind}: remove the password and save it again")
        total += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentError(f"a {kind} whose part {info.filename!r} inflates "
                                f"{info.file_size // max(info.compress_size, 1)} times: "
                                "a zip bomb, never unpacked")
    if total > MAX_UNPACKED:
        raise DocumentError(f"a {kind} that unpacks to {total // 2**20} MB "
                            f"(the limit is {MAX_UNPACKED // 2**20} MB)")
    return archive
