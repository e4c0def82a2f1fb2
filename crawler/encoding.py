"""Decide a page's encoding the way Chinese portals need it (portals.md §9).

- gb2312/gbk labels are decoded as gb18030 (pages declared gb2312 contain GBK-only characters);
- a header charset of latin-1/ascii is not trusted (error pages are served so);
- the malformed `<meta httpequiv="ContentType" content="…charset=gbk">` is honoured, which w3lib's
  strict http-equiv pattern misses (scrapy/w3lib#155);
- with no usable label: BOM, then strict UTF-8, then strict gb18030, then charset-normalizer.
"""

from __future__ import annotations

import codecs
import re

_GB_ALIASES = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "gb18030", "csgb2312"}
_UNTRUSTED = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def canonical(label: str | None) -> str | None:
    """A codec name for `label`, with every GB label widened to gb18030; None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in {"gb2312", "gbk"} else name


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def detect(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode `body` with."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    label = header_charset(content_type)
    enc = canonical(label)
    if enc and enc not in _UNTRUSTED and (enc == "gb18030" or _decodes(body, enc)):
        return enc
    m = _META_CHARSET.search(body[:8192])
    if m:
        enc = canonical(m.group(1).decode("ascii", "replace"))
        if enc and enc not in _UNTRUSTED and (enc == "gb18030" or _decodes(body, enc)):
            return enc
    if _decodes(body, "utf-8"):
        return "utf-8"
    if _decodes(body, "gb18030"):
        return "gb18030"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536]).best()
        if best is not None:
            return canonical(best.encoding) or best.encoding
    except Exception:  # charset-normalizer is a last resort; a failure just means "replace"
        pass
    return "gb18030"
