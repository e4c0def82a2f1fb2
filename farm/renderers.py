"""Bytes of a report in each format, through farm.render (another part of the farm).

The renderers land in parallel with the portals, so every import is lazy and a missing renderer
falls back to a placeholder: the farm keeps serving, and `available(fmt)` tells the tests what is
real. Results are memoised per (record digest, format); farm.render caches on disk itself.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import io
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

# format -> (module, function)
_RENDERERS: dict[str, tuple[str, str]] = {
    "docx": ("farm.render.docx", "render_docx"),
    "pdf": ("farm.render.pdf", "render_pdf"),
    "doc": ("farm.render.office", "render_doc"),
    "wps": ("farm.render.office", "render_wps"),
    "xlsx": ("farm.render.xlsx", "render_xlsx"),
    "ofd": ("farm.render.ofd", "render_ofd"),
    "scan": ("farm.render.scan", "render_scanned_pdf"),
}
_lock = threading.Lock()
# Bounded: a 10 000-document farm must not keep every page in memory (farm.render caches on disk).
MEMO_ENTRIES = 512
_memo: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_key_locks: dict[tuple[str, str], threading.Lock] = {}


def digest(record: Mapping[str, Any]) -> str:
    blob = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def _load(mod_name: str, fn_name: str) -> Callable[..., Any] | None:
    """A renderer function, or None when its module cannot load here (a missing optional tool)."""
    try:
        return getattr(importlib.import_module(mod_name), fn_name)
    except Exception:
        return None


def _renderer(fmt: str) -> Callable[[Mapping[str, Any]], bytes] | None:
    return _load(*_RENDERERS[fmt])


def available(fmt: str) -> bool:
    if fmt == "html":
        return _load("farm.render.html_report", "render_html") is not None
    return fmt in _RENDERERS and _renderer(fmt) is not None


def _memoised(record: Mapping[str, Any], fmt: str, build: Callable[[], bytes]) -> bytes:
    key = (digest(record), fmt)
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
        klock = _key_locks.setdefault(key, threading.Lock())
    with klock:  # one build per key even when a crawler asks in parallel
        with _lock:
            if key in _memo:
                return _memo[key]
        data = build()
        with _lock:
            _memo[key] = data
            while len(_memo) > MEMO_ENTRIES:
                old, _ = _memo.popitem(last=False)
                _key_locks.pop(old, None)
        return data


def _without_trailing_divs(text: str) -> str:
    # A loop, not a `(\s*</div>)+\s*$` regex: that one retries from every `</div>` of a 15 kB
    # page and cost a millisecond a detail page.
    text = text.rstrip()
    while text.endswith("</div>"):
        text = text[: -len("</div>")].rstrip()
    return text.strip()


def report_fragment(record: Mapping[str, Any]) -> str:
    """The report as an HTML fragment (title, sections, tables) to embed in a detail page.

    Not memoised: rendering the article alone costs less than the record digest a memo key needs,
    and a crawl asks for each detail page once."""
    render = _load("farm.render.html_report", "article_html")
    if render is not None:
        try:
            return _without_trailing_divs(render(record))
        except Exception:
            pass
    return placeholder_fragment(record)


def attachment(record: Mapping[str, Any], fmt: str) -> bytes:
    """The report rendered as `fmt` (pdf, docx, doc, wps, xlsx, ofd, scan, jpg)."""

    def build() -> bytes:
        if fmt == "jpg":
            return placeholder_jpg(record)
        render = _renderer(fmt) if fmt in _RENDERERS else None
        if render is not None:
            try:
                return render(dict(record))
            except Exception:
                pass
        # Stand-in until the renderer exists: the report as plain text, so links still resolve.
        return placeholder_text(record).encode("utf-8")

    return _memoised(record, fmt, build)


# ---------------------------------------------------------------------------------------------
# placeholders


def _blocks(record: Mapping[str, Any]) -> list[Any] | None:
    try:
        from farm.render.layout import blocks_of

        return blocks_of(record)
    except Exception:
        return None


def placeholder_fragment(record: Mapping[str, Any]) -> str:
    blocks = _blocks(record)
    out: list[str] = []
    if blocks is None:
        out.append(f"<h2>{html.escape(str(record.get('title', '')))}</h2>")
        for text in (record.get("sections") or {}).values():
            out.append(f"<p>{html.escape(str(text or ''))}</p>")
        return "\n".join(out)
    for b in blocks:
        if b.kind == "title":
            out.append(f'<p style="text-align:center"><strong>{html.escape(b.text)}</strong></p>')
        elif b.kind == "heading":
            out.append(f"<p><strong>{html.escape(b.text)}</strong></p>")
        elif b.kind == "para":
            out.append(f"<p>{html.escape(b.text)}</p>")
        elif b.kind == "table" and b.table is not None:
            rows = []
            for row in b.table.rows:
                tds = "".join(
                    f"<td{f' rowspan={c.rowspan}' if c.rowspan > 1 else ''}"
                    f"{f' colspan={c.colspan}' if c.colspan > 1 else ''}>{html.escape(c.text)}</td>"
                    for c in row
                )
                rows.append(f"<tr>{tds}</tr>")
            out.append('<table border="1" cellspacing="0">' + "".join(rows) + "</table>")
    return "\n".join(out)


def placeholder_text(record: Mapping[str, Any]) -> str:
    return re.sub(r"<[^>]+>", "", placeholder_fragment(record).replace("</p>", "\n").replace("</tr>", "\n"))


def placeholder_jpg(record: Mapping[str, Any]) -> bytes:
    """A page 'scan' for <img> reports: a white page with the title; only its presence matters."""
    try:
        from PIL import Image, ImageDraw

        img = Image.new("L", (620, 877), 255)
        draw = ImageDraw.Draw(img)
        draw.rectangle((40, 40, 580, 837), outline=0)
        draw.text((60, 60), str(record.get("year", "")), fill=0)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=60)
        return buf.getvalue()
    except Exception:
        return b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
