"""`govreports parse PATH_OR_URL…`: one record per input as JSONL; never touches the archive."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="parse local files or URLs into records (JSONL on stdout)")
    p.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--pretty", action="store_true", help="indent the JSON (one object per input still)")
    p.set_defaults(func=run)


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def parse_one(value: str) -> dict[str, Any]:
    # The parsers (lxml, the spec, ~0.5 s) load for this command only, not for every `govreports …`.
    from govreports.fetch import FetchError, fetch_url
    from parsers.parse import parse_bytes
    from parsers.record import Source, error_record
    from settings.parse import MAX_DOCUMENT_BYTES

    if _is_url(value):
        try:
            fetched = fetch_url(value)
        except FetchError as exc:
            return error_record(Source(url=value), str(exc))
        return parse_bytes(fetched.body, url=fetched.url, headers=fetched.headers)
    path = Path(value)
    source = Source(path=value)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return error_record(source, "no such file")
    except OSError as exc:
        return error_record(source, f"cannot read: {exc.strerror}")
    if path.is_dir():
        return error_record(source, "is a directory, not a document")
    if size > MAX_DOCUMENT_BYTES:
        # Refused before reading, so a huge file costs no memory; the hash is still reported.
        source.sha256 = _sha256_file(path)
        return error_record(source, f"document too large: {size} bytes, limit {MAX_DOCUMENT_BYTES}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return error_record(source, f"cannot read: {exc.strerror}")
    return parse_bytes(data, path=value)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run(args: argparse.Namespace) -> int:
    failed = False
    for value in args.inputs:
        record = parse_one(value)
        failed |= "error" in record
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2 if args.pretty else None) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0
