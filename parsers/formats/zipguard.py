"""Zip-bomb defence for zip-based formats (DOCX, XLSX, OFD), decided from the central directory.

Nothing is inflated before the directory has been checked: total uncompressed size, member
count and per-member compression ratio. Python's zipfile then never inflates a member beyond
the size its directory entry states, so a lying directory cannot get past these limits either.
"""

from __future__ import annotations

import io
import zipfile

from parsers.errors import UnreadableDocument
from settings import parse as limits


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """Open `data` as a zip after the bomb checks; UnreadableDocument with the reason otherwise."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableDocument(f"broken {what} (zip container): {exc}") from exc
    if len(infos) > limits.ZIP_MAX_MEMBERS:
        raise UnreadableDocument(f"{what} refused: {len(infos)} zip members (limit {limits.ZIP_MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > limits.ZIP_MAX_UNCOMPRESSED_BYTES:
        raise UnreadableDocument(
            f"{what} refused: would expand to {total // (1024 * 1024)} MB "
            f"(limit {limits.ZIP_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB); possible zip bomb"
        )
    for info in infos:
        if info.file_size < limits.ZIP_RATIO_MIN_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.ZIP_MAX_RATIO:
            raise UnreadableDocument(
                f"{what} refused: member {info.filename!r} compresses {ratio:.0f}:1 "
                f"(limit {limits.ZIP_MAX_RATIO}:1); possible zip bomb"
            )
    return zf


def read_member(zf: zipfile.ZipFile, name: str, what: str) -> bytes:
    try:
        return zf.read(name)
    except KeyError as exc:
        raise UnreadableDocument(f"broken {what}: member {name!r} missing") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableDocument(f"broken {what}: member {name!r} unreadable ({exc})") from exc
