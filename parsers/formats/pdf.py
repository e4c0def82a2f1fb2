"""PDF -> Document from the page geometry, not from a flat text dump.

The geometry (characters with their boxes, ruling lines) comes from PDFium through pypdfium2
(pdf_pdfium), page by page; tables are found in it the way pdfplumber finds them (pdf_lattice).
pdfplumber itself (pure-Python pdfminer, ~20x slower) reads what PDFium would place differently
or cannot load, and gives the error messages for broken files.

Tables come from the ruling lines: every cell's box is mapped onto the table's column and row
edges, so a merged cell covers several grid positions and every number is read from its own
box (a flat dump glues "77 | 132 | 470" into "77132470"; here they cannot touch). Tables cut
by a page break are joined again: a table at the top of a page whose column edges fit those
of the table ending the previous page continues it; its repeated header rows are dropped, and
label cells left empty by a vertical merge cut at the break get the label of the cell above.

The remaining characters are the running text; lines wrapped at the right margin (and at a
page break) are joined back into paragraphs, page numbers are dropped.

Image-only PDFs (scans) go to the OCR reader.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.tables.normalize import edit_distance
from settings import parse as limits

SNAP = 2.5  # pt: edges closer than this are one edge (LibreOffice draws borders ~0.5 pt wide)
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－·•]*(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,3}(\s*/\s*\d{1,3})?)[\s\-—–－·•]*$"
)
_ITEM_START = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"^[\s+\-−]?[\d,，.]+\s*(元|万元)?\s*$")
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}


@dataclass(slots=True)
class _Cell:
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int  # exclusive
    text: str


@dataclass(slots=True)
class _Piece:
    """One table as found on one page (or several pages once joined)."""

    page: int
    top: float
    bottom: float
    xs: list[float]
    nrows: int
    cells: list[_Cell] = field(default_factory=list)

    def grid(self) -> list[list[_Cell | None]]:
        out: list[list[_Cell | None]] = [[None] * (len(self.xs) - 1) for _ in range(self.nrows)]
        for cell in self.cells:
            for r in range(cell.r0, cell.r1):
                for c in range(cell.c0, cell.c1):
                    out[r][c] = cell
        return out


def read(data: bytes) -> Document:
    data = _check_container(data)
    from parsers.formats import pdf_pdfium

    try:
        return _read_pdfium(data)
    except pdf_pdfium.Unsupported:
        # A page PDFium would place differently from pdfminer (rotated page or text): the
        # slower pure-Python reader handles those.
        return _read_pdfplumber(data)


def _read_pdfium(data: bytes) -> Document:
    """Page by page through PDFium: geometry of one page at a time, released before the next."""
    import pypdfium2 as pdfium

    from parsers.formats import pdf_pdfium

    try:
        doc = pdf_pdfium.open_document(data)
    except pdfium.PdfiumError:
        # Let pdfminer say what is wrong with the file (or read what PDFium refuses).
        return _read_pdfplumber(data)
    try:
        npages = len(doc)
        _check_page_count(npages)
        pages: list[PageLayout] = []
        chars = images = 0
        for index in range(npages):
            geo = pdf_pdfium.page_geometry(doc, index)
            chars += len(geo.chars)
            images += geo.images
            pages.append(_layout(geo.number, geo.chars, geo.edges, geo.width, geo.height))
        meta = _meta_from(pdf_pdfium.metadata(doc))
    except pdfium.PdfiumError:
        # A page PDFium cannot load: pdfminer either reads it or says what is broken.
        return _read_pdfplumber(data)
    finally:
        doc.close()
    if chars < npages * limits.PDF_MIN_TEXT_CHARS_PER_PAGE:
        if images:
            from parsers.formats import ocr

            return ocr.read_scanned_pdf(data, npages=npages, meta=meta)
        raise UnreadableDocument("PDF without text or images")
    text, tables = assemble(pages)
    return Document(format="pdf", text=text, tables=tables, meta=meta)


def _check_page_count(npages: int) -> None:
    if npages == 0:
        raise UnreadableDocument("PDF without pages")
    if npages > limits.PDF_MAX_PAGES:
        raise UnreadableDocument(
            f"PDF refused: {npages} pages (limit {limits.PDF_MAX_PAGES}); not an annual report"
        )


def _layout(number: int, chars: list[dict], edges: list[dict], width: float, height: float) -> PageLayout:
    """One page's tables (from its ruling lines) and the text lines outside them."""
    from parsers.formats import pdf_lattice

    tables = pdf_lattice.find_tables(edges)
    if not tables:
        return PageLayout(number, [], pdf_lattice.text_lines(chars, width, height))
    # Character centres sorted top-down, so that each table reads only its own band of the page
    # (piece_from_boxes keeps the characters whose centre is within 1 pt of its rows).
    band = sorted(((ch["top"] + ch["bottom"]) / 2, k) for k, ch in enumerate(chars))
    mids = [m for m, _ in band]
    pieces = []
    for cells in tables:
        top = min(c[1] for c in cells)
        bottom = max(c[3] for c in cells)
        inside = sorted(
            k for _, k in band[bisect_left(mids, top - SNAP - 1) : bisect_right(mids, bottom + SNAP + 1)]
        )
        piece = piece_from_boxes(number, cells, [chars[k] for k in inside])
        if piece is not None:
            pieces.append(piece)
    outside = pdf_lattice.outside_bboxes(
        chars, [(p.xs[0] - 1, p.top - 1, p.xs[-1] + 1, p.bottom + 1) for p in pieces]
    )
    return PageLayout(number, pieces, pdf_lattice.text_lines(outside, width, height))


def _read_pdfplumber(data: bytes) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise UnreadableDocument("encrypted PDF: it needs a password to open") from exc
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds on junk
        if "password" in str(exc).lower() or type(exc).__name__.startswith("PDFEncrypt"):
            raise UnreadableDocument("encrypted PDF: it needs a password to open") from exc
        raise UnreadableDocument(f"broken PDF: {type(exc).__name__}: {exc}") from exc
    with pdf:
        try:
            npages = len(pdf.pages)
        except Exception as exc:
            raise UnreadableDocument(f"broken PDF: page tree unreadable ({exc})") from exc
        _check_page_count(npages)
        try:
            chars = sum(len(p.chars) for p in pdf.pages)
        except Exception as exc:
            raise UnreadableDocument(f"broken PDF: {type(exc).__name__}: {exc}") from exc
        if chars < npages * limits.PDF_MIN_TEXT_CHARS_PER_PAGE:
            if any(p.images for p in pdf.pages):
                from parsers.formats import ocr

                return ocr.read_scanned_pdf(data, npages=npages, meta=_meta(pdf))
            raise UnreadableDocument("PDF without text or images")
        return _read_pages(pdf)


def _check_container(data: bytes) -> bytes:
    """Refuse what pdfminer would half-read: truncated files and password-protected ones.

    A PDF encrypted with an empty user password (only printing/copying restricted, common on
    government sites) is decrypted here with pypdf, because pdfminer trips over some of their
    permission values; the decrypted bytes are what gets read.
    """
    if b"%PDF-" not in data[:1024]:
        from parsers.formats.sniff import sniff_format

        try:
            actual = sniff_format(data)
        except UnreadableDocument:
            actual = None
        what = f"the bytes are {actual.upper()}" if actual else "no %PDF header"
        raise UnreadableDocument(f"not a PDF: {what}")
    if b"%%EOF" not in data[-4096:]:
        # pdfminer silently rebuilds a truncated file from what is left, losing pages:
        # a report missing its last pages is worse than no report.
        raise UnreadableDocument("truncated PDF: the end-of-file marker is missing")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            return data
        if not reader.decrypt(""):
            raise UnreadableDocument("encrypted PDF: it needs a password to open")
        from pypdf import PdfWriter

        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(f"broken PDF: {type(exc).__name__}: {exc}") from exc
    except NotImplementedError as exc:  # unsupported encryption algorithm
        raise UnreadableDocument(f"encrypted PDF with an unsupported scheme: {exc}") from exc


def _meta(pdf: Any) -> PageMeta:
    return _meta_from(pdf.metadata or {})


def _meta_from(info: dict) -> PageMeta:
    meta = PageMeta()
    title = info.get("Title")
    if isinstance(title, str) and title.strip():
        meta.title = title.strip()
    for key in ("CreationDate", "ModDate", "Author", "Creator", "Producer"):
        val = info.get(key)
        if isinstance(val, str) and val.strip():
            meta.extra[key] = val.strip()
    return meta


def _read_pages(pdf: Any) -> Document:
    pages: list[PageLayout] = []
    for page in pdf.pages:
        pieces = [
            piece_from_boxes(page.page_number, t.cells, page.chars) for t in page.find_tables(_TABLE_SETTINGS)
        ]
        pieces = [p for p in pieces if p is not None]
        text_page = page
        for p in pieces:
            text_page = text_page.outside_bbox((p.xs[0] - 1, p.top - 1, p.xs[-1] + 1, p.bottom + 1))
        lines = text_page.extract_text_lines(layout=False, strip=True, return_chars=False)
        pages.append(PageLayout(page.page_number, pieces, lines))
    text, tables = assemble(pages)
    return Document(format="pdf", text=text, tables=tables, meta=_meta(pdf))


@dataclass(slots=True)
class PageLayout:
    """What a page reader found: table pieces and text lines (dicts with text, x0, x1, top, bottom).

    Shared with the OFD and OCR readers, which find the same things by other means.
    """

    number: int
    pieces: list[_Piece]
    lines: list[dict]


def assemble(pages: list[PageLayout]) -> tuple[str, list[Grid]]:
    """Pages -> (running text, tables): tables joined across page breaks, lines into paragraphs."""
    items: list[tuple[str, Any]] = []  # ("table", _Piece) | ("line", dict) in reading order
    for page in pages:
        lines = [
            dict(line, page=page.number)
            for line in page.lines
            if line["text"].strip() and not _PAGE_NUMBER.match(line["text"])
        ]
        merged = [("line", ln["top"], ln) for ln in lines] + [("table", p.top, p) for p in page.pieces]
        # A table ends the paragraph before it: a marker line the paragraph joiner never glues.
        merged += [("line", p.top, {"break": True, "page": page.number}) for p in page.pieces]
        merged.sort(key=lambda it: it[1])
        items.extend((kind, obj) for kind, _, obj in merged)
    tables = [p for p in _join_tables(items) if p.nrows > 0]
    text = _paragraphs([obj for kind, obj in items if kind == "line"])
    return text, [_to_grid(p) for p in tables]


def chars_to_lines(chars: list[dict], tab_gap: float | None = 2.0) -> list[dict]:
    """Characters (x0, x1, top, bottom, text, size) -> text lines in reading order; wide gaps
    become tabs (see _chars_text)."""
    out: list[dict] = []
    rows: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        mid = (ch["top"] + ch["bottom"]) / 2
        if rows and abs(mid - (rows[-1][0]["top"] + rows[-1][0]["bottom"]) / 2) < ch["size"] * 0.4:
            rows[-1].append(ch)
        else:
            rows.append([ch])
    for row in rows:
        text = _chars_text(row, tab_gap)
        if text.strip():
            out.append(
                {
                    "text": text,
                    "x0": min(c["x0"] for c in row),
                    "x1": max(c["x1"] for c in row),
                    "top": min(c["top"] for c in row),
                    "bottom": max(c["bottom"] for c in row),
                }
            )
    return out


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    """Index of the edge nearest to v (the lower one on a tie); `edges` ascending."""
    j = bisect_left(edges, v)
    if j == 0:
        return 0
    if j == len(edges):
        return j - 1
    return j - 1 if abs(edges[j - 1] - v) <= abs(edges[j] - v) else j


def piece_from_boxes(page_no: int, cells: list[Any], page_chars: list[dict]) -> _Piece | None:
    """A table piece from its cell boxes (x0, top, x1, bottom) and the page's characters."""
    boxes = [c for c in cells if c is not None]
    if len(boxes) < 2:
        return None
    xs = _snap([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _snap([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    piece = _Piece(page_no, ys[0], ys[-1], xs, len(ys) - 1)
    # A character belongs to every cell its centre is in. Centres sorted top-down (page order
    # kept among equals, and restored per cell) so each cell looks only at its own rows.
    centres: list[tuple[float, float, int, dict]] = []
    for k, ch in enumerate(page_chars):
        my = (ch["top"] + ch["bottom"]) / 2
        if ys[0] - 1 <= my <= ys[-1] + 1:
            centres.append((my, (ch["x0"] + ch["x1"]) / 2, k, ch))
    centres.sort(key=lambda c: c[0])
    cy = [c[0] for c in centres]
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        inside = [c for c in centres[bisect_left(cy, top) : bisect_right(cy, bottom)] if x0 <= c[1] <= x1]
        if len(inside) > 1:
            inside.sort(key=lambda c: c[2])
        piece.cells.append(_Cell(r0, r1, c0, c1, _chars_text([c[3] for c in inside])))
    return piece


def _chars_text(chars: list[dict], tab_gap: float | None = None) -> str:
    """Characters of one cell as lines; a space where a visible gap separates two characters.

    With `tab_gap`, a gap wider than that many character sizes becomes a tab: on a page without
    ruling lines that is what separates table columns (annual-report-format.md §10, layout 3).
    """
    if not chars:
        return ""
    chars = sorted(chars, key=lambda ch: (round(ch["top"]), ch["x0"]))
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda ch: ch["top"]):
        if lines and abs(ch["top"] - lines[-1][0]["top"]) < ch["size"] * 0.5:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out: list[str] = []
    for line in lines:
        line.sort(key=lambda ch: ch["x0"])
        buf = ""
        prev = None
        for ch in line:
            gap = ch["x0"] - prev["x1"] if prev is not None else 0.0
            if tab_gap is not None and gap > ch["size"] * tab_gap:
                buf = buf.rstrip(" ") + "\t"
            elif prev is not None and gap > ch["size"] * 0.35 and not buf.endswith((" ", "\t")):
                buf += " "
            buf += ch["text"]
            prev = ch
        out.append(buf.strip(" "))
    return "\n".join(s for s in out if s)


def _edge_map(src: list[float], dst: list[float]) -> dict[int, int] | None:
    """Index of each `src` edge in `dst`, or None when some edge of src is not an edge of dst."""
    mapping: dict[int, int] = {}
    for i, x in enumerate(src):
        j = _index(dst, x)
        if abs(dst[j] - x) > SNAP * 2:
            return None
        mapping[i] = j
    return mapping


def _join_tables(items: list[tuple[str, Any]]) -> list[_Piece]:
    """Pieces in order; a piece that opens a page and fits the table closing the previous page
    is appended to it."""
    out: list[_Piece] = []
    prev_kind: str | None = None
    prev_page = 0
    for kind, obj in items:
        if kind == "line" and obj.get("break"):
            continue
        page = obj["page"] if kind == "line" else obj.page
        if kind == "table":
            last = out[-1] if out else None
            if last is not None and prev_kind == "table" and page == prev_page + 1 and _continue(last, obj):
                pass
            else:
                out.append(obj)
        prev_kind, prev_page = kind, page
    return out


def _continue(a: _Piece, b: _Piece) -> bool:
    """Append `b` to `a` if `b`'s columns are `a`'s (all of b's edges are edges of a)."""
    mapping = _edge_map(b.xs, a.xs)
    if mapping is None or mapping[0] != 0 or mapping[len(b.xs) - 1] != len(a.xs) - 1:
        return False
    a_grid = _texts(a)
    cells = [_Cell(c.r0, c.r1, mapping[c.c0], mapping[c.c1], c.text) for c in b.cells]
    b_piece = _Piece(b.page, b.top, b.bottom, a.xs, b.nrows, cells)
    b_grid = _texts(b_piece)
    # Header rows repeated after the break: drop the longest prefix equal to a's first rows.
    drop = 0
    for k in range(1, min(len(a_grid), len(b_grid))):
        same_text = all(_same_row(x, y) for x, y in zip(b_grid[:k], a_grid[:k], strict=True))
        if same_text or _same_header(a.cells, cells, k):
            drop = k
    kept: list[_Cell] = []
    for c in cells:
        if c.r1 <= drop:
            continue
        # A cell reaching below the dropped header rows keeps its lower part.
        c.r0, c.r1 = max(c.r0 - drop, 0), c.r1 - drop
        kept.append(c)
    cells = kept
    nrows = b.nrows - drop
    # A vertical merge cut by the break: its label stays on the first page, the cell under the
    # break is empty. Only a label continues this way; a number cell never spans rows.
    a_last = a.grid()[-1]
    for c in cells:
        if c.r0 == 0 and not _OCR_MARK.sub("", c.text).strip():
            above = {id(x): x for x in a_last[c.c0 : c.c1] if x is not None}
            if len(above) == 1:
                src = next(iter(above.values()))
                if (
                    src.c0 == c.c0
                    and src.c1 == c.c1
                    and _CJK.search(src.text)
                    and not _NUMBER.match(src.text)
                ):
                    c.text = src.text
    for c in cells:
        c.r0 += a.nrows
        c.r1 += a.nrows
    a.cells.extend(cells)
    a.nrows += nrows
    a.bottom = b.bottom
    a.page = b.page
    return True


_OCR_MARK = re.compile(r"^\x01\d{3}\x01")  # parsers.formats.ocr's per-cell confidence mark


def _same_header(a: list[_Cell], b: list[_Cell], k: int) -> bool:
    """The first k rows of b repeat those of a: the same cell boxes, closed within the k rows,
    and most texts alike (an OCR'd header differs from its first copy by a few glyphs)."""
    boxes_a = sorted((c.r0, c.r1, c.c0, c.c1) for c in a if c.r0 < k)
    boxes_b = sorted((c.r0, c.r1, c.c0, c.c1) for c in b if c.r0 < k)
    if not boxes_a or boxes_a != boxes_b or any(r1 > k for _, r1, _, _ in boxes_a):
        return False
    ta = {(c.r0, c.c0): "".join(_OCR_MARK.sub("", c.text).split()) for c in a if c.r0 < k}
    tb = {(c.r0, c.c0): "".join(_OCR_MARK.sub("", c.text).split()) for c in b if c.r0 < k}
    alike = sum(1 for pos, x in ta.items() if _same_row([x], [tb.get(pos, "")]))
    return alike * 5 >= len(ta) * 3 and any(_CJK.search(x) for x in ta.values())


def _same_row(a: list[str], b: list[str]) -> bool:
    """Two header rows are the same when every cell is; an OCR'd label may differ by a glyph or
    two (a quarter of its length), a number never."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if not (_CJK.search(x) and _CJK.search(y)) or edit_distance(x, y) > max(1, max(len(x), len(y)) // 4):
            return False
    return True


def _texts(piece: _Piece) -> list[list[str]]:
    return [["".join(_OCR_MARK.sub("", c.text if c else "").split()) for c in row] for row in piece.grid()]


def _to_grid(piece: _Piece) -> Grid:
    return [[c.text if c is not None else None for c in row] for row in piece.grid()]


def _paragraphs(lines: list[dict]) -> str:
    """Join lines wrapped at the right margin (also across a page break) into paragraphs.

    A line counts as wrapped when it ends within ~3 characters of the right margin: Chinese
    line breaking moves closing punctuation and its neighbour to the next line, so wrapped
    lines do not all reach the margin.
    """
    if not lines:
        return ""
    lines_all = lines
    lines = [ln for ln in lines if not ln.get("break")]
    if not lines:
        return ""
    heights = sorted(ln["bottom"] - ln["top"] for ln in lines)
    body = heights[len(heights) // 2]
    body_lines = [ln for ln in lines if ln["bottom"] - ln["top"] <= body * 1.2]
    right = max(ln["x1"] for ln in body_lines or lines)
    left = min(ln["x0"] for ln in body_lines or lines)
    out: list[str] = []
    prev: dict | None = None
    for ln in lines_all:
        if ln.get("break"):
            prev = None
            continue
        text = ln["text"].strip()
        size = max(ln["bottom"] - ln["top"], 6.0)
        join = False
        if out and prev is not None:
            prev_size = max(prev["bottom"] - prev["top"], 6.0)
            # After a full stop only a line reaching the margin may continue; and a line that
            # looks like a heading or list item never continues anything.
            slack = 1.2 if prev["text"].rstrip()[-1:] in "。！？：；;:!?" else 3.0
            prev_full = right - prev["x1"] < prev_size * slack
            same_size = abs(prev_size - size) < 0.5
            at_left = ln["x0"] - left < size * 0.8 and not _ITEM_START.match(text)
            # Paragraph spacing: a gap larger than the line pitch starts a new paragraph.
            if ln["page"] == prev["page"] and ln["top"] - prev["bottom"] > size * 0.9:
                prev_full = False
            # A wrapped title: larger than body text, centred, so its continuation is not at the left.
            centre = (left + right) / 2
            centred = abs((ln["x0"] + ln["x1"]) / 2 - centre) < size * 2 and ln["x0"] - left > size * 2
            title_wrap = (
                same_size
                and prev_size > body * 1.2
                and prev["x1"] >= right - prev_size * 3
                and centred
                and not _ITEM_START.match(text)
            )
            join = (prev_full and at_left and same_size) or title_wrap
        if join:
            out[-1] = _glue(out[-1], text)
        else:
            out.append(text)
        prev = ln
    return "\n".join(out)


def _glue(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def tables_from_segments(
    segments: list[tuple[float, float, float, float]], tol: float = 3.0
) -> list[list[tuple]]:
    """Ruling-line segments (x0, top, x1, bottom; horizontal or vertical) -> cell boxes per table.

    The same lattice algorithm pdfplumber applies to a PDF's own lines, fed with lines found
    elsewhere (OFD PathObjects, OCR line detection).
    """
    from pdfplumber import table as pt

    edges: list[dict] = []
    for x0, top, x1, bottom in segments:
        x0, x1 = min(x0, x1), max(x0, x1)
        top, bottom = min(top, bottom), max(top, bottom)
        orientation = "h" if (x1 - x0) >= (bottom - top) else "v"
        if orientation == "h":
            top = bottom = (top + bottom) / 2
        else:
            x0 = x1 = (x0 + x1) / 2
        edges.append(
            {
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "width": x1 - x0,
                "height": bottom - top,
                "orientation": orientation,
                "object_type": "line",
            }
        )
    edges = pt.merge_edges(edges, tol, tol, tol, tol)
    cells = pt.intersections_to_cells(pt.edges_to_intersections(edges, tol, tol))
    return [list(t) for t in pt.cells_to_tables(cells)]
