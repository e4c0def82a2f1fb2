"""Format readers: bytes of one format in, a `Document` out.

Readers are looked up lazily so that a heavy dependency (pdfplumber, python-docx, Tesseract)
is only imported when a document of that format arrives.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from parsers.document import Document
from parsers.errors import UnreadableDocument

_READERS: dict[str, str] = {
    "html": "parsers.formats.html:read",
    "txt": "parsers.formats.text:read",
    "pdf": "parsers.formats.pdf:read",
    "docx": "parsers.formats.docx:read",
    "doc": "parsers.formats.office:read_doc",
    "wps": "parsers.formats.office:read_wps",
    "xls": "parsers.formats.sheet:read_xls",
    "xlsx": "parsers.formats.sheet:read_xlsx",
    "ofd": "parsers.formats.ofd:read",
    "image": "parsers.formats.ocr:read_image",
}


def read_document(data: bytes, fmt: str, *, headers: Mapping[str, str] | None = None) -> Document:
    """Read `data` as format `fmt` (a value of parsers.formats.sniff.sniff_format)."""
    target = _READERS.get(fmt)
    if target is None:
        raise UnreadableDocument(f"unsupported format: {fmt}")
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise UnreadableDocument(f"no reader for {fmt} documents in this installation") from exc
    reader = getattr(module, func_name)
    if fmt in ("html", "txt"):
        return reader(data, headers=headers)
    return reader(data)
