"""Page geometry through PDFium (pypdfium2): characters and ruling-line edges, one page at a time.

PDFium parses and interprets the content streams in C; pdfminer (under pdfplumber) does the same
in pure Python and was ~95% of the PDF reader's time. The output is shaped like pdfplumber's
objects (char dicts with x0/x1/top/bottom/size, edge dicts with an orientation) and follows
pdfminer's conventions, so the same table and text logic reads both:

- a character's box runs from its origin to origin + advance, and from baseline + font descent
  up by one font size (pdfminer's LTChar box);
- a path is split into subpaths at each move; a one-segment subpath is a line, a closed
  axis-aligned four-corner subpath is a rectangle (four edges), anything else a curve whose
  consecutive points make edges (pdfminer's paint_path, pdfplumber's obj_to_edges).

What PDFium would read differently from pdfminer (rotated pages, rotated characters, a media
box not at the origin) raises `Unsupported`, and the caller reads the file with pdfplumber.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pypdfium2_raw.bindings as _bindings


class Unsupported(Exception):
    """A page PDFium would place differently from pdfminer; read the file with pdfplumber."""


@dataclass(slots=True)
class PageGeometry:
    number: int  # 1-based
    width: float
    height: float
    chars: list[dict]
    edges: list[dict]  # pdfplumber-style edges: x0, x1, top, bottom, width, height, orientation
    images: int


def open_document(data: bytes) -> pdfium.PdfDocument:
    """Raises pdfium.PdfiumError when PDFium cannot open the bytes."""
    return pdfium.PdfDocument(data)


def metadata(doc: pdfium.PdfDocument) -> dict[str, str]:
    return {k: v for k, v in doc.get_metadata_dict(skip_empty=True).items() if isinstance(v, str)}


def page_geometry(doc: pdfium.PdfDocument, index: int, *, with_edges: bool = True) -> PageGeometry:
    page = doc[index]
    try:
        if page.get_rotation() % 360:
            raise Unsupported("rotated page")
        x0, y0, x1, y1 = page.get_mediabox()
        if x0 or y0:
            raise Unsupported("media box not at the origin")
        height = y1 - y0
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, height)
        finally:
            textpage.close()
        edges: list[dict] = []
        images = _walk(page, height, edges if with_edges else None)
        return PageGeometry(index + 1, x1 - x0, height, chars, edges, images)
    finally:
        page.close()


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """A private prototype of a PDFium function taking plain addresses: pypdfium2's typed pointer
    arguments cost several microseconds per call, and the reader makes a few calls per character."""
    fn = _LIB[name]  # a fresh function object: pypdfium2's own prototypes are left alone
    fn.restype, fn.argtypes = restype, argtypes
    return fn


_LIB = _bindings._libs["pdfium"]
_VP, _INT, _DBL = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
_GetTextObject = _proto("FPDFText_GetTextObject", _VP, _VP, _INT)
_GetLooseCharBox = _proto("FPDFText_GetLooseCharBox", _INT, _VP, _INT, ctypes.POINTER(raw.FS_RECTF))
_GetCharOrigin = _proto("FPDFText_GetCharOrigin", _INT, _VP, _INT, ctypes.POINTER(_DBL), ctypes.POINTER(_DBL))
_GetFontSize = _proto("FPDFText_GetFontSize", _DBL, _VP, _INT)
_GetCharAngle = _proto("FPDFText_GetCharAngle", ctypes.c_float, _VP, _INT)
_GetUnicode = _proto("FPDFText_GetUnicode", ctypes.c_uint, _VP, _INT)
_GetFont = _proto("FPDFTextObj_GetFont", _VP, _VP)
_GetDescent = _proto("FPDFFont_GetDescent", _INT, _VP, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
_GetText = _proto("FPDFText_GetText", _INT, _VP, _INT, _INT, _VP)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _page_text(tp: int, n: int) -> str:
    """The characters of the page, one per index (PDFium's own spaces and line breaks included)."""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    _GetText(tp, 0, n, buf)
    text = buf.raw[: 2 * n].decode("utf-16-le", errors="surrogatepass")
    if len(text) != n or _SURROGATE.search(text):
        # A character outside the BMP takes two UTF-16 units: ask character by character.
        text = "".join(chr(_GetUnicode(tp, i)) for i in range(n))
    return text


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[dict]:
    tp = ctypes.cast(textpage.raw, _VP).value
    n = raw.FPDFText_CountChars(textpage.raw)
    if n <= 0:
        return []
    text = _page_text(tp, n)
    out: list[dict] = []
    box = raw.FS_RECTF()
    ox, oy = _DBL(), _DBL()
    pbox, pox, poy = ctypes.byref(box), ctypes.byref(ox), ctypes.byref(oy)
    fdesc = ctypes.c_float()
    pdesc = ctypes.byref(fdesc)
    # Per text object (one text-showing operator: one font, size, baseline and direction):
    # (font size, baseline y from the top of the page, bottom of the first loose box).
    runs: dict[int, tuple[float, float, float]] = {}
    for i in range(n):
        obj = _GetTextObject(tp, i)
        # PDFium's own spaces and line breaks belong to no text object; pdfminer has none.
        if not obj:
            continue
        ch = text[i]
        if ch in "\x00\ufffe\uffff":
            continue
        _GetLooseCharBox(tp, i, pbox)
        run = runs.get(obj)
        if run is None or abs(box.bottom - run[2]) > run[0] * 0.5:
            # First character of a run, or one that left the run's baseline (vertical writing
            # or a run PDFium laid out on several lines): place it on its own.
            angle = _GetCharAngle(tp, i)
            if 1e-3 < angle < 6.2821:  # radians; pdfminer calls such characters not upright
                raise Unsupported("rotated characters")
            size = _GetFontSize(tp, i)
            _GetCharOrigin(tp, i, pox, poy)
            font = _GetFont(obj)
            descent = 0.0
            if font and _GetDescent(font, size, pdesc):
                descent = min(fdesc.value, 0.0)
            # pdfminer's box: from baseline + descent up by one font size.
            run = (size, height - (oy.value + descent + size), box.bottom)
            if obj not in runs:
                runs[obj] = run
        size, top, _ = run
        out.append(
            {
                "text": ch,
                "x0": box.left,
                "x1": box.right,
                "top": top,
                "bottom": top + size,
                "doctop": top,
                "size": size,
                "height": size,
                "upright": True,
            }
        )
    return out


_MATRIX_ID = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


_CountObjects = _proto("FPDFPage_CountObjects", _INT, _VP)
_GetObject = _proto("FPDFPage_GetObject", _VP, _VP, _INT)
_GetType = _proto("FPDFPageObj_GetType", _INT, _VP)
_GetMatrix = _proto("FPDFPageObj_GetMatrix", _INT, _VP, ctypes.POINTER(raw.FS_MATRIX))
_FormCount = _proto("FPDFFormObj_CountObjects", _INT, _VP)
_FormObject = _proto("FPDFFormObj_GetObject", _VP, _VP, ctypes.c_ulong)
_CountSegments = _proto("FPDFPath_CountSegments", _INT, _VP)
_GetSegment = _proto("FPDFPath_GetPathSegment", _VP, _VP, _INT)
_SegmentType = _proto("FPDFPathSegment_GetType", _INT, _VP)
_SegmentPoint = _proto(
    "FPDFPathSegment_GetPoint", _INT, _VP, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float)
)
_SegmentClose = _proto("FPDFPathSegment_GetClose", _INT, _VP)
_IMAGE, _FORM, _PATH = raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_PATH


def _walk(page: pdfium.PdfPage, height: float, edges: list[dict] | None) -> int:
    """Edges of every path (inside form XObjects too, in content order) into `edges`; returns
    the image count."""
    handle = ctypes.cast(page.raw, _VP).value
    objs = [_GetObject(handle, i) for i in range(_CountObjects(handle))]
    return _walk_objects(objs, _MATRIX_ID, height, edges)


def _walk_objects(objs: list[int], parent: tuple[float, ...], height: float, edges: list[dict] | None) -> int:
    images = 0
    m = raw.FS_MATRIX()
    pm = ctypes.byref(m)
    for obj in objs:
        kind = _GetType(obj)
        if kind == _IMAGE:
            images += 1
        elif kind == _FORM:
            _GetMatrix(obj, pm)
            own = _mul((m.a, m.b, m.c, m.d, m.e, m.f), parent)
            inner = [_FormObject(obj, i) for i in range(_FormCount(obj))]
            images += _walk_objects(inner, own, height, edges)
        elif kind == _PATH and edges is not None:
            _GetMatrix(obj, pm)
            _path_edges(obj, _mul((m.a, m.b, m.c, m.d, m.e, m.f), parent), height, edges)
    return images


def _mul(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix `a` then `b` (PDF row-vector convention: a x b)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a1 * b2,
        a0 * b1 + a1 * b3,
        a2 * b0 + a3 * b2,
        a2 * b1 + a3 * b3,
        a4 * b0 + a5 * b2 + b4,
        a4 * b1 + a5 * b3 + b5,
    )


def _path_edges(obj: int, mtx: tuple[float, ...], height: float, edges: list[dict]) -> None:
    a, b, c, d, e, f = mtx
    fx, fy = ctypes.c_float(), ctypes.c_float()
    pfx, pfy = ctypes.byref(fx), ctypes.byref(fy)
    subpaths: list[tuple[str, list[tuple[float, float]]]] = []
    shape = ""
    pts: list[tuple[float, float]] = []
    bezier = 0
    for i in range(_CountSegments(obj)):
        seg = _GetSegment(obj, i)
        kind = _SegmentType(seg)
        _SegmentPoint(seg, pfx, pfy)
        x, y = fx.value, fy.value
        # Page space, then pdfplumber's top-down y; rounded so that float32 noise does not
        # make a horizontal line look slanted.
        pt = (round(a * x + c * y + e, 3), round(height - (b * x + d * y + f), 3))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if shape:
                subpaths.append((shape, pts))
            shape, pts, bezier = "m", [pt], 0
            continue
        if kind == raw.FPDF_SEGMENT_BEZIERTO:
            # PDFium stores a curve as three points (two controls, then the end point);
            # pdfminer keeps only the end point.
            bezier += 1
            if bezier < 3:
                continue
            bezier = 0
            shape += "c"
        else:
            shape += "l"
        pts.append(pt)
        if _SegmentClose(seg):
            shape += "h"
            pts.append(pts[0])
    if shape:
        subpaths.append((shape, pts))
    for shape, pts in subpaths:
        _subpath_edges(shape, pts, edges)


def _subpath_edges(shape: str, pts: list[tuple[float, float]], edges: list[dict]) -> None:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-1]
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        edges.append(_edge(x0, y0, x1, y1, "h" if y0 == y1 else "v", "line"))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), p4 = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if pts[0] == p4 and square:
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = min(y0, y2), max(y0, y2)
            edges.append(_edge(left, top, right, top, "h", "rect_edge"))
            edges.append(_edge(left, bottom, right, bottom, "h", "rect_edge"))
            edges.append(_edge(left, top, left, bottom, "v", "rect_edge"))
            edges.append(_edge(right, top, right, bottom, "v", "rect_edge"))
            return
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 == x1:
            edges.append(_edge(x0, y0, x1, y1, "v", "curve_edge"))
        elif y0 == y1:
            edges.append(_edge(x0, y0, x1, y1, "h", "curve_edge"))


def _edge(x0: float, y0: float, x1: float, y1: float, orientation: str, kind: str) -> dict:
    left, right = min(x0, x1), max(x0, x1)
    top, bottom = min(y0, y1), max(y0, y1)
    return {
        "object_type": kind,
        "x0": left,
        "x1": right,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": right - left,
        "height": bottom - top,
        "orientation": orientation,
    }
