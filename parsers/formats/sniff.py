"""Format detection from the bytes themselves.

Government servers often get the extension and the Content-Type wrong (a PDF served as
text/html, a .doc that is really HTML), so neither is consulted.
"""

from __future__ import annotations

import io
import re
import zipfile

from parsers.errors import UnreadableDocument

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_HINT = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|div|table|p|title|script)[\s>/]", re.I)


def sniff_format(data: bytes) -> str:
    """One of html, txt, pdf, docx, doc, wps, xls, xlsx, ofd, image; UnreadableDocument otherwise."""
    if not data or data.isspace():  # (bytes.strip() would copy the whole document)
        raise UnreadableDocument("empty document")
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    if head.startswith(
        (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
    ):
        return "image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    if stripped.startswith(b"{\\rtf"):
        # Many ".doc" attachments are RTF; LibreOffice reads them through the DOC path.
        return "doc"
    if stripped.startswith(b"<?xml") and b"<w:wordDocument" in data[:8192]:
        return "doc"  # Word 2003 XML ("WordML") saved with a .doc name
    if head.startswith(b"\x1f\x8b"):
        raise UnreadableDocument("gzip-compressed data, not a document")
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        raise UnreadableDocument("archive (RAR/7z), not a document")
    if _HTML_HINT.search(stripped[:2048]):
        return "html"
    if _looks_like_text(data[:65536]):
        return "txt"
    raise UnreadableDocument("binary data of no known document format")


def _sniff_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(f"broken zip container: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    raise UnreadableDocument("zip archive that is not a DOCX, XLSX or OFD document")


def _sniff_ole(data: bytes) -> str:
    # Stream names are stored as UTF-16LE in the directory sectors; scanning for them avoids
    # a full compound-file parser just to tell Word, Excel and WPS apart.
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("WordDocument"):
        # Kingsoft WPS writes Word-compatible OLE files but leaves its own marks.
        # KSOProductBuildVer is the custom property WPS stamps on every document it saves.
        wps = (
            b"WPS Office" in data
            or has("WpsCustomData")
            or b"Kingsoft" in data
            or b"KSOProductBuildVer" in data
        )
        return "wps" if wps else "doc"
    if has("Workbook") or has("Book"):
        return "xls"
    if has("WPS") or has("Kingsoft"):
        return "wps"
    if has("EncryptedPackage"):
        raise UnreadableDocument("password-protected Office document (encrypted package)")
    raise UnreadableDocument("OLE compound file that is not a Word, WPS or Excel document")


# Every byte except the control characters text never holds (tab, newlines, form feed are text).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        # UTF-16 text has NULs; everything else with NULs is binary.
        return sample.startswith((b"\xff\xfe", b"\xfe\xff"))
    control = len(sample.translate(None, _NOT_CONTROL))  # counted in C, not byte by byte
    return control <= len(sample) // 100
