"""Recognise JavaScript cookie challenges (portals.md §10). A crawler without a browser cannot pass
them; the portal is reported as blocked, never as having no reports."""

from __future__ import annotations

import re

_RUISHU_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ts\.|window\[['\"]\$_ts['\"]\]")
_RUISHU_META = re.compile(rb"""<meta[^>]*\br=["']?m["']?""", re.I)
_JIASULE = re.compile(rb"__jsl_clearance|document\.cookie\s*=|\bgo\(\{", re.I)


def detect(status: int, headers: dict[str, list[bytes]] | object, body: bytes) -> str | None:
    """A reason string when the response is a challenge page, else None."""
    head = body[:65536]
    # Every response passes here: the literal test first (each script pattern contains `$_ts`),
    # the regular expressions only on the rare page that has it; the cookies only when asked.
    if (
        status in (412, 202, 200, 400)
        and b"$_ts" in head
        and _RUISHU_SCRIPT.search(head)
        and (status == 412 or _RUISHU_META.search(head) or re.search(rb"\w+S=6", _cookies(headers)))
    ):
        return f"js_challenge: Ruishu dynamic cookie (HTTP {status})"
    if status == 521 and (b"__jsluid" in _cookies(headers) or _JIASULE.search(head)):
        return "js_challenge: Jiasule (HTTP 521)"
    if status in (200, 503) and b"__jsl_clearance" in head:
        return f"js_challenge: Jiasule (HTTP {status})"
    return None


def _cookies(headers: object) -> bytes:
    return b" ".join(_header_values(headers, b"Set-Cookie"))


def _header_values(headers: object, name: bytes) -> list[bytes]:
    getlist = getattr(headers, "getlist", None)
    if getlist is not None:
        return [v if isinstance(v, bytes) else str(v).encode() for v in getlist(name)]
    if isinstance(headers, dict):
        for k, v in headers.items():
            key = k if isinstance(k, bytes) else str(k).encode()
            if key.lower() == name.lower():
                vals = v if isinstance(v, list) else [v]
                return [x if isinstance(x, bytes) else str(x).encode() for x in vals]
    return []
