"""OFD -> Document: text and tables rebuilt from positioned glyphs and ruling lines.

OFD (GB/T 33190) is a zip of XML: OFD.xml names the document root, Document.xml lists the pages,
each page's Content.xml holds TextObjects (a boundary box, a font size, TextCode runs with X/Y
and per-glyph DeltaX) and PathObjects (lines, AbbreviatedData "M x y L x y ..."). Glyph boxes
and line segments are converted to points and handed to the PDF reader's page assembly, so
tables are cut from the ruling lines exactly as in a PDF (joined across pages, header repeats
dropped, merged cells resolved). A page without ruling lines is read as text only; the tables
then stay flattened in the text for parsers.tables.

Not supported (rare in reports): CTM transforms other than translation, page templates, and
glyph positions given only through CGTransform.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from typing import Any

from lxml import etree

from parsers.document import Document, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats import pdf as geometry
from parsers.formats.zipguard import open_zip, read_member
from settings import parse as limits

PT = 72 / 25.4  # OFD units are millimetres; the shared geometry works in points
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml(zf: Any, name: str) -> Any:
    raw = read_member(zf, name, "OFD")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"broken OFD: {name} is not XML ({exc})") from exc


def _find(el: Any, name: str) -> Any:
    for child in el.iter():
        if _local(child.tag) == name:
            return child
    return None


def _resolve(zf: Any, base_dir: str, loc: str) -> str:
    loc = loc.strip()
    path = loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(posixpath.join(base_dir, loc))
    names = set(zf.namelist())
    if path not in names:
        # Some producers write locations relative to the package root.
        alt = loc.lstrip("/")
        if alt in names:
            return alt
    return path


def read(data: bytes) -> Document:
    zf = open_zip(data, "OFD")
    names = {n.lower(): n for n in zf.namelist()}
    if "ofd.xml" not in names:
        raise UnreadableDocument("broken OFD: no OFD.xml")
    root = _xml(zf, names["ofd.xml"])
    doc_root = _find(root, "DocRoot")
    if doc_root is None or not (doc_root.text or "").strip():
        raise UnreadableDocument("broken OFD: OFD.xml names no DocRoot")
    meta = PageMeta()
    if (title := _find(root, "Title")) is not None and (title.text or "").strip():
        meta.title = title.text.strip()
    if (created := _find(root, "CreationDate")) is not None and (created.text or "").strip():
        meta.extra["CreationDate"] = created.text.strip()
    doc_path = _resolve(zf, "", doc_root.text)
    document = _xml(zf, doc_path)
    doc_dir = posixpath.dirname(doc_path)
    page_locs = [p.get("BaseLoc") for p in document.iter() if _local(p.tag) == "Page" and p.get("BaseLoc")]
    if not page_locs:
        raise UnreadableDocument("broken OFD: the document has no pages")
    if len(page_locs) > limits.PDF_MAX_PAGES:
        raise UnreadableDocument(f"OFD refused: {len(page_locs)} pages (limit {limits.PDF_MAX_PAGES})")
    pages: list[geometry.PageLayout] = []
    images = 0
    for number, loc in enumerate(page_locs, start=1):
        content = _xml(zf, _resolve(zf, doc_dir, loc))
        chars, segments, n_images = _page_objects(content)
        images += n_images
        pieces = []
        for boxes in geometry.tables_from_segments(segments):
            piece = geometry.piece_from_boxes(number, boxes, chars)
            if piece is not None:
                pieces.append(piece)
        outside = [ch for ch in chars if not any(_inside(ch, p) for p in pieces)]
        pages.append(geometry.PageLayout(number, pieces, geometry.chars_to_lines(outside)))
    text, tables = geometry.assemble(pages)
    if not text.strip() and not tables:
        reason = "scanned OFD (page images only); OCR of OFD images is not supported" if images else "empty"
        raise UnreadableDocument(f"OFD without text: {reason}")
    return Document(format="ofd", text=text, tables=tables, meta=meta)


def _inside(ch: dict, piece: Any) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return piece.xs[0] - 1 <= cx <= piece.xs[-1] + 1 and piece.top - 1 <= cy <= piece.bottom + 1


def _floats(text: str | None) -> list[float]:
    return [float(x) for x in _NUM.findall(text or "")]


def _delta(spec: str | None, n: int, size: float) -> list[float]:
    """DeltaX with its "g count value" repeat syntax, padded with the font size."""
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out.extend([float(tokens[i + 2])] * int(float(tokens[i + 1])))
            i += 3
        else:
            with contextlib.suppress(ValueError):
                out.append(float(tokens[i]))
            i += 1
    return (out + [size] * n)[: max(n - 1, 0)]


def _translate(obj: Any) -> tuple[float, float]:
    box = _floats(obj.get("Boundary"))
    x, y = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
    ctm = _floats(obj.get("CTM"))
    if len(ctm) == 6:
        x, y = x + ctm[4], y + ctm[5]
    return x, y


def _page_objects(content: Any) -> tuple[list[dict], list[tuple[float, float, float, float]], int]:
    chars: list[dict] = []
    segments: list[tuple[float, float, float, float]] = []
    images = 0
    for obj in content.iter():
        kind = _local(obj.tag)
        if kind == "ImageObject":
            images += 1
        elif kind == "TextObject":
            bx, by = _translate(obj)
            size = float(obj.get("Size") or 3.5)
            x = y = 0.0
            for code in obj:
                if _local(code.tag) != "TextCode":
                    continue
                text = code.text or ""
                if code.get("X") is not None:
                    x = float(code.get("X"))
                if code.get("Y") is not None:
                    y = float(code.get("Y"))
                deltas = _delta(code.get("DeltaX"), len(text), size)
                for i, ch in enumerate(text):
                    width = deltas[i] if i < len(deltas) else size * (0.5 if ord(ch) < 0x2E80 else 1.0)
                    left = bx + x
                    top = by + y - size * 0.88
                    chars.append(
                        {
                            "text": ch,
                            "x0": left * PT,
                            "x1": (left + min(width, size)) * PT,
                            "top": top * PT,
                            "bottom": (top + size) * PT,
                            "size": size * PT,
                        }
                    )
                    x += width
        elif kind == "PathObject":
            bx, by = _translate(obj)
            data = _find(obj, "AbbreviatedData")
            segments.extend(_segments(data.text if data is not None else "", bx, by))
    return chars, segments, images


def _segments(path: str, bx: float, by: float) -> list[tuple[float, float, float, float]]:
    """Straight horizontal/vertical pieces of an abbreviated path (M, L, C ignored, B, Q, A, Z)."""
    out: list[tuple[float, float, float, float]] = []
    tokens = (path or "").split()
    cur = start = None
    i = 0
    while i < len(tokens):
        op = tokens[i]
        args = []
        j = i + 1
        while j < len(tokens) and _NUM.fullmatch(tokens[j]):
            args.append(float(tokens[j]))
            j += 1
        if op in ("M", "S") and len(args) >= 2:
            cur = start = (args[0], args[1])
        elif op == "L" and len(args) >= 2 and cur is not None:
            for k in range(0, len(args) - 1, 2):
                nxt = (args[k], args[k + 1])
                out.append(_seg(cur, nxt, bx, by))
                cur = nxt
        elif op == "Z" and cur is not None and start is not None:
            out.append(_seg(cur, start, bx, by))
            cur = start
        elif len(args) >= 2:
            cur = (args[-2], args[-1])
        i = j
    return [s for s in out if abs(s[0] - s[2]) < 0.5 or abs(s[1] - s[3]) < 0.5]


def _seg(
    a: tuple[float, float], b: tuple[float, float], bx: float, by: float
) -> tuple[float, float, float, float]:
    return ((bx + a[0]) * PT, (by + a[1]) * PT, (bx + b[0]) * PT, (by + b[1]) * PT)
