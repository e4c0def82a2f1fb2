"""Raw captures: the exact bytes of every fetched document, stored once per sha256.

Bodies up to INLINE_LIMIT live in the database row (one backup covers them); larger ones go to a
file `<captures dir>/<sha[:2]>/<sha>` written to a temporary name and renamed, so a file under its
final name is always complete. A crash between file and row leaves an orphan file whose name is its
own hash — the next store of the same bytes reuses it, nothing is ever half-written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from archive.models import Capture, CaptureSighting
from archive.store import widen_seen
from govreports.errors import ArchiveError

INLINE_LIMIT = 1 << 20  # 1 MiB
CHUNK = 1 << 20

Body = bytes | bytearray | memoryview | BinaryIO | Path | Iterable[bytes]


@dataclass(frozen=True, slots=True)
class Staged:
    """Bytes hashed and, when large, already written under the captures folder."""

    sha256: str
    size: int
    data: bytes | None  # inline bodies
    relpath: str | None  # large bodies, relative to the captures folder


def stage(body: Body, captures_dir: Path) -> Staged:
    """Hash `body`; keep it in memory when small, else stream it to its content-addressed file."""
    if isinstance(body, bytes | bytearray | memoryview):
        data = bytes(body)
        sha = hashlib.sha256(data).hexdigest()
        if len(data) <= INLINE_LIMIT:
            return Staged(sha, len(data), data, None)
        return _place(sha, len(data), lambda fh: fh.write(data), captures_dir)
    if isinstance(body, Path):
        with body.open("rb") as fh:
            return _stream(fh, captures_dir)
    if hasattr(body, "read"):
        return _stream(body, captures_dir)  # type: ignore[arg-type]
    return _stream_chunks(iter(body), captures_dir)  # type: ignore[arg-type]


def _stream(fh: BinaryIO, captures_dir: Path) -> Staged:
    def chunks() -> Iterable[bytes]:
        while chunk := fh.read(CHUNK):
            yield chunk

    return _stream_chunks(iter(chunks()), captures_dir)


def _stream_chunks(chunks: Iterable[bytes], captures_dir: Path) -> Staged:
    """Hash while copying to a temporary file; small bodies end up inline after all."""
    digest = hashlib.sha256()
    size = 0
    captures_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=captures_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        if size <= INLINE_LIMIT:
            data = Path(tmp).read_bytes()
            os.unlink(tmp)
            return Staged(sha, size, data, None)
        rel = _relpath(sha)
        final = captures_dir / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
        return Staged(sha, size, None, rel)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _place(sha: str, size: int, write, captures_dir: Path) -> Staged:
    rel = _relpath(sha)
    final = captures_dir / rel
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
            os.replace(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return Staged(sha, size, None, rel)


def _relpath(sha: str) -> str:
    return f"{sha[:2]}/{sha}"


# Filing a capture runs on SQLAlchemy Core: one lookup of the needed columns and at most two
# writes, where the ORM loaded the whole row (an inline body of up to INLINE_LIMIT bytes) to move a
# timestamp. A sighting cannot exist without its capture (foreign key), so a capture that is not
# found is filed with its first sighting without a second look.
_captures, _sightings = Capture.__table__, CaptureSighting.__table__
_LOOKUP = (
    select(
        _captures.c.first_seen,
        _captures.c.last_seen,
        _sightings.c.id.label("sighting_id"),
        _sightings.c.headers.label("sighting_headers"),
        _sightings.c.first_seen.label("sighting_first_seen"),
        _sightings.c.last_seen.label("sighting_last_seen"),
        _sightings.c.times_seen,
    )
    .select_from(
        _captures.outerjoin(
            _sightings, and_(_sightings.c.sha256 == _captures.c.sha256, _sightings.c.url == bindparam("url"))
        )
    )
    .where(_captures.c.sha256 == bindparam("sha256"))
)
_ADD_CAPTURE = insert(_captures)
_SET_CAPTURE_SEEN = (
    update(_captures)
    .where(_captures.c.sha256 == bindparam("sha"))
    .values(first_seen=bindparam("first_seen"), last_seen=bindparam("last_seen"))
)
_ADD_SIGHTING = insert(_sightings)
_SET_SIGHTING = update(_sightings).where(_sightings.c.id == bindparam("sighting_id"))


def record(
    conn: Connection,
    staged: Staged,
    *,
    url: str,
    headers: dict[str, str],
    fetched_at: datetime,
    run_id: int | None,
) -> None:
    """Insert the capture row if new, and note this sighting (URL, headers, time)."""
    headers = {str(k): str(v) for k, v in (headers or {}).items()}
    sha = staged.sha256
    found = conn.execute(_LOOKUP, {"sha256": sha, "url": url}).first()
    if found is None:
        conn.execute(
            _ADD_CAPTURE,
            {
                "sha256": sha,
                "size": staged.size,
                "content_type": _header(headers, "content-type"),
                "headers": headers,
                "body": staged.data if staged.relpath is None else None,
                "path": staged.relpath,
                "first_url": url,
                "first_seen": fetched_at,
                "last_seen": fetched_at,
            },
        )
    else:
        widen_seen(conn, _SET_CAPTURE_SEEN, {"sha": sha}, found.first_seen, found.last_seen, fetched_at)
    if found is None or found.sighting_id is None:
        conn.execute(
            _ADD_SIGHTING,
            {
                "sha256": sha,
                "url": url,
                "headers": headers,
                "run_id": run_id,
                "first_seen": fetched_at,
                "last_seen": fetched_at,
                "times_seen": 1,
            },
        )
        return
    values: dict[str, object] = {
        "times_seen": found.times_seen + 1,
        "first_seen": min(found.sighting_first_seen, fetched_at),
    }
    if fetched_at >= found.sighting_last_seen:
        values.update(last_seen=fetched_at, run_id=run_id)
        if headers != found.sighting_headers:
            # Equal headers are left as stored (as the ORM did): their JSON text keeps its key order.
            values["headers"] = headers
    conn.execute(_SET_SIGHTING, {"sighting_id": found.sighting_id, **values})


def _header(headers: dict[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name:
            return v[:200]
    return None


def read(session: Session, sha256: str, captures_dir: Path) -> bytes:
    cap = session.get(Capture, sha256)
    if cap is None:
        raise ArchiveError(f"no capture with sha256 {sha256}")
    if cap.body is not None:
        return cap.body
    path = captures_dir / (cap.path or _relpath(sha256))
    try:
        return path.read_bytes()
    except OSError as err:
        raise ArchiveError(f"capture {sha256} should be in {path} but cannot be read: {err}") from err


def open_stream(session: Session, sha256: str, captures_dir: Path, out: BinaryIO) -> int:
    """Copy a capture to `out` without holding a large one in memory; returns the byte count."""
    cap = session.get(Capture, sha256)
    if cap is None:
        raise ArchiveError(f"no capture with sha256 {sha256}")
    if cap.body is not None:
        out.write(cap.body)
        return len(cap.body)
    with (captures_dir / (cap.path or _relpath(sha256))).open("rb") as fh:
        shutil.copyfileobj(fh, out, CHUNK)
    return cap.size
