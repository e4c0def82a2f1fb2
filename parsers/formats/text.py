"""Plain-text reader: bytes -> Document with the tables left flattened inside `text`.

Government text files come in UTF-8, GBK/GB2312 (decoded as GB18030, its superset), UTF-16 and,
rarely, something else. A declared charset is only a hint: servers often declare UTF-8 for GBK
bytes, and decoding by the declaration would produce mojibake without any error.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence

from parsers.document import Document
from parsers.errors import UnreadableDocument

# Every GB-family label is decoded as GB18030: GB2312-labelled pages carry GBK-only characters
# (portals.md §9) and GB18030 is a strict superset of both.
_GB_ALIASES = frozenset(
    {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb-2312", "cp936", "ms936", "euc-cn", "gb18030"}
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
# Latin-1/CP1252 letters a mis-decoded CJK text is full of (U+0080–U+009F, U+00C0–U+00FF); real
# Chinese reports have almost none. Counted as the bytes of a Latin-1 encoding that keeps only
# characters up to U+00FF: two C passes instead of a regex test per character (~15x faster).
_NOT_MOJIBAKE_BYTES = bytes(range(0x80)) + bytes(range(0xA0, 0xC0))
# Share of replacement characters we still accept as "a few broken bytes" rather than unreadable.
_MAX_REPLACED = 0.005


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset label, GB family -> gb18030; None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _GB_ALIASES or label.startswith("gb"):
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_headers(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type":
            match = _CHARSET_RE.search(value or "")
            return normalize_charset(match.group(1)) if match else None
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _plausible(text: str) -> bool:
    """A decoded text reads as Chinese/ASCII rather than as mojibake."""
    sample = text[:20000]
    non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
    if non_ascii == 0:
        return True
    return _mojibake_count(sample) <= non_ascii // 20


def _mojibake_count(text: str) -> int:
    """How many characters of `text` are in U+0080–U+009F or U+00C0–U+00FF."""
    return len(text.encode("latin-1", "ignore").translate(None, _NOT_MOJIBAKE_BYTES))


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, *, declared: str | Sequence[str | None] | None = None) -> tuple[str, str]:
    """Decode `data` to text; returns (text, codec used). UnreadableDocument when no codec fits.

    Order: BOM, UTF-8 (valid multi-byte UTF-8 is almost never an accident), the declared charset,
    GB18030, UTF-16 without BOM, charset-normalizer's guess; every candidate must decode strictly
    and not look like mojibake.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is not None:
                return text, codec
    utf16 = _looks_utf16(data)
    if utf16:
        text = _strict(data, utf16)
        if text is not None:
            return text, utf16
    hints = [declared] if isinstance(declared, str) or declared is None else list(declared)
    candidates = ["utf-8", *(h for h in hints if h), "gb18030"]
    for codec in candidates:
        text = _strict(data, codec)
        if text is not None and _plausible(text):
            return text, codec
    guess = _normalizer_guess(data)
    if guess:
        return guess
    # A few broken bytes in an otherwise GB/UTF-8 text (truncated download, one bad character):
    # decode with replacement, but refuse when the damage is more than a trace.
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") <= max(1, len(text) * _MAX_REPLACED) and _plausible(text):
            return text, codec
    raise UnreadableDocument("cannot determine the character encoding (not UTF-8, GB18030 or UTF-16 text)")


def _normalizer_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or not best.encoding:
        return None
    codec = normalize_charset(best.encoding) or best.encoding
    text = _strict(data, codec)
    if text is None or not _plausible(text):
        return None
    return text, codec


def normalize_newlines(text: str) -> str:
    # Form feeds are page breaks in extracted text; they end a line like any other break.
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\x0c", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n")
    )


def read(data: bytes, *, headers: Mapping[str, str] | None = None) -> Document:
    text, _codec = decode_bytes(data, declared=charset_from_headers(headers))
    text = normalize_newlines(text).replace("\x00", "")
    if not text.strip():
        raise UnreadableDocument("empty document (no text after decoding)")
    return Document(format="txt", text=text)
