"""bytes -> record dict: the one entry point the CLI and the crawler call.

Never raises for bad input: anything that cannot be read becomes an error record with a reason
a user can act on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from parsers.build import build_record
from parsers.document import PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats import read_document
from parsers.formats.sniff import sniff_format
from parsers.record import Source, error_record
from settings.parse import MAX_DOCUMENT_BYTES

log = logging.getLogger(__name__)

_META_FIELDS = ("title", "published", "written", "publisher", "index_no", "column")


def _as_meta(context: PageMeta | Mapping[str, Any] | None) -> PageMeta | None:
    """The crawler may hand the detail page's metadata as a PageMeta or as a plain dict."""
    if context is None or isinstance(context, PageMeta):
        return context
    return PageMeta(**{k: context.get(k) for k in _META_FIELDS if context.get(k) is not None})


def parse_bytes(
    data: bytes,
    *,
    path: str | None = None,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    context: PageMeta | Mapping[str, Any] | None = None,
    body_kind_default: str | None = None,
) -> dict[str, Any]:
    """The record dict (CONTRACT.md §1) of one document, or its error record."""
    source = Source(path=path, url=url, sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_DOCUMENT_BYTES:
        return error_record(source, f"document too large: {len(data)} bytes, limit {MAX_DOCUMENT_BYTES}")
    try:
        source.format = sniff_format(data)
        doc = read_document(data, source.format, headers=headers)
        record = build_record(doc, source, context=_as_meta(context), body_kind_default=body_kind_default)
        return record.to_dict()
    except UnreadableDocument as exc:
        return error_record(source, str(exc) or "unreadable document")
    except RecursionError:
        return error_record(source, "document too deeply nested to read")
    except Exception as exc:  # a reader or library bug must not kill a crawl or the CLI
        log.debug("parse failed", exc_info=True)
        name = f"{source.format} " if source.format else ""
        return error_record(source, f"cannot read this {name}document: {type(exc).__name__}: {exc}")
