"""Downloads: the records of a selection as `govreports export` writes them (archive.exporters)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.exporters import write_export
from govreports.web.app import Request
from govreports.web.http import Response
from govreports.web.views._common import portal_filter

CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024  # larger exports spill to a temporary file instead of memory

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters(request: Request) -> dict[str, Any]:
    q = request.query
    return {
        "year": q.year(),
        "agency": q.text("agency"),
        "portal": portal_filter(request),
        "all_versions": q.flag("all_versions"),
    }


def _filename(filters: dict[str, Any], ext: str) -> str:
    # ASCII only: the agency is Chinese and Content-Disposition would need RFC 5987 quoting.
    parts = ["govreports", filters["portal"], str(filters["year"] or "")]
    if filters["all_versions"]:
        parts.append("all-versions")
    return "-".join(p for p in parts if p and p.isascii()) + f".{ext}"


def _text_export(request: Request, fmt: str) -> Response:
    filters = _filters(request)
    # The whole export is written before the response starts: a database error becomes an error
    # page instead of a truncated download, and no read session stays open while a client is slow.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b")  # noqa: SIM115 - closed by _stream
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        write_export(request.archive, fmt=fmt, output=None, stdout=text, **filters)
        text.flush()
    except BaseException:
        text.close()
        raise
    text.detach()
    spool.seek(0)
    return _download(_stream(spool), fmt, _filename(filters, fmt))


def _stream(fh: Any) -> Iterator[bytes]:
    try:
        while chunk := fh.read(CHUNK):
            yield chunk
    finally:
        fh.close()


def _download(body: Iterator[bytes] | bytes, fmt: str, filename: str) -> Response:
    return Response(
        body,
        content_type=CONTENT_TYPES[fmt],
        headers=[("Content-Disposition", f'attachment; filename="{filename}"')],
    )


def csv_file(request: Request) -> Response:
    return _text_export(request, "csv")


def jsonl_file(request: Request) -> Response:
    return _text_export(request, "jsonl")


def xlsx_file(request: Request) -> Response:
    filters = _filters(request)
    with tempfile.TemporaryDirectory(prefix="govreports-xlsx-") as tmp:
        path = Path(tmp) / "export.xlsx"
        write_export(request.archive, fmt="xlsx", output=str(path), stdout=io.StringIO(), **filters)
        data = path.read_bytes()
    return _download(data, "xlsx", _filename(filters, "xlsx"))
