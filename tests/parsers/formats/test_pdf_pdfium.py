"""The PDFium path of the PDF reader reads what the pdfplumber path reads, only faster.

pdf_pdfium shapes PDFium's characters and path segments like pdfplumber's objects, pdf_lattice
reimplements pdfplumber's table finding without its quadratic scans; both are checked here
against pdfplumber itself, and whole Documents against the pdfplumber reader.
"""

from __future__ import annotations

import io
import itertools
import random

import pdfplumber
import pytest
from pdfplumber import table as pt
from pdfplumber import utils
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from parsers.formats import pdf, pdf_lattice, pdf_pdfium


def _ruled_pdf(rotate: int = 0) -> bytes:
    """A page of text and a ruled 4x3 table drawn three ways: lines, rectangles and one path."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(72, 780, "Annual report on government information disclosure, 2023")
    c.drawString(72, 764, "The table below lists requests received and answered this year.")
    xs, ys = [72, 200, 300, 400], [700, 680, 660, 640, 620]
    for y in ys[:3]:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[2])
    for y0, y1 in itertools.pairwise(ys[2:]):
        for x0, x1 in itertools.pairwise(xs):
            c.rect(x0, y1, x1 - x0, y0 - y1)  # stroked rectangles: four edges each
    path = c.beginPath()
    path.moveTo(xs[0], 600)
    path.lineTo(xs[-1], 600)
    path.curveTo(xs[-1] + 10, 600, xs[-1] + 10, 590, xs[-1], 590)
    c.drawPath(path)
    c.setFont("Helvetica", 9)
    for r, (y0, y1) in enumerate(itertools.pairwise(ys)):
        for k, (x0, _x1) in enumerate(itertools.pairwise(xs)):
            c.drawString(x0 + 4, (y0 + y1) / 2 - 3, f"{r}{k} 77" if k else f"row {r}")
    c.setFont("Helvetica", 11)
    c.drawString(72, 560, "Requests were answered within the statutory time limit.")
    c.drawString(290, 40, "1")
    c.showPage()
    c.save()
    data = out.getvalue()
    if rotate:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for page in PdfReader(io.BytesIO(data)).pages:
            page.rotate(rotate)
            writer.add_page(page)
        buf = io.BytesIO()
        writer.write(buf)
        data = buf.getvalue()
    return data


def _edge_key(e: dict) -> tuple:
    return (e["orientation"], *(round(e[k], 2) for k in ("x0", "x1", "top", "bottom", "width", "height")))


def test_chars_and_edges_are_pdfplumbers() -> None:
    data = _ruled_pdf()
    geo = pdf_pdfium.page_geometry(pdf_pdfium.open_document(data), 0)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        page = plumber.pages[0]
        assert sorted(map(_edge_key, geo.edges)) == sorted(map(_edge_key, page.edges))
        assert [c["text"] for c in geo.chars] == [c["text"] for c in page.chars]
        for a, b in zip(geo.chars, page.chars, strict=True):
            # PDFium keeps positions in single precision.
            assert (a["x0"], a["x1"]) == pytest.approx((b["x0"], b["x1"]), abs=0.01)
            assert a["size"] == pytest.approx(b["size"], abs=0.01)
            # Same baseline; the descent of a standard-14 font comes from PDFium's built-in
            # metrics rather than the AFM file (Helvetica: -190 vs -207 per 1000).
            assert a["top"] == pytest.approx(b["top"], abs=0.02 * a["size"])


def test_tables_are_pdfplumbers() -> None:
    data = _ruled_pdf()
    geo = pdf_pdfium.page_geometry(pdf_pdfium.open_document(data), 0)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        theirs = [sorted(t.cells) for t in plumber.pages[0].find_tables(pdf._TABLE_SETTINGS)]
    ours = [sorted(t) for t in pdf_lattice.find_tables(geo.edges)]
    assert len(ours) == 1
    assert [[tuple(round(v, 2) for v in c) for c in t] for t in ours] == [
        [tuple(round(v, 2) for v in c) for c in t] for t in theirs
    ]


def test_document_is_the_pdfplumber_readers() -> None:
    data = _ruled_pdf()
    fast, slow = pdf._read_pdfium(data), pdf._read_pdfplumber(data)
    assert fast.text == slow.text
    assert fast.tables == slow.tables
    assert fast.tables[0][1] == ["row 1", "11 77", "12 77"]  # numbers from their own cells
    assert "1" not in fast.text.splitlines()  # the page number is dropped


def test_rotated_page_falls_back_to_pdfplumber() -> None:
    data = _ruled_pdf(rotate=90)
    with pytest.raises(pdf_pdfium.Unsupported):
        pdf_pdfium.page_geometry(pdf_pdfium.open_document(data), 0)
    assert pdf.read(data).text == pdf._read_pdfplumber(data).text


def test_file_pdfium_refuses_goes_to_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2

    def refuse(data: bytes) -> None:
        raise pypdfium2.PdfiumError("Failed to load document (PDFium: Data format error).")

    data = _ruled_pdf()
    monkeypatch.setattr(pdf_pdfium, "open_document", refuse)
    assert pdf.read(data).tables == pdf._read_pdfplumber(data).tables


def test_page_pdfium_cannot_load_goes_to_pdfplumber(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2

    def refuse(doc: object, index: int) -> None:
        raise pypdfium2.PdfiumError("Failed to load page.")

    data = _ruled_pdf()
    monkeypatch.setattr(pdf_pdfium, "page_geometry", refuse)
    assert pdf.read(data).text == pdf._read_pdfplumber(data).text


def _lattice(rng: random.Random) -> list[dict]:
    """Ruling lines of a grid with gaps, jitter within the snap tolerance, doubled and
    overlapping segments and a few short strokes."""
    xs = sorted(rng.sample(range(0, 300, 9), rng.randint(2, 7)))
    ys = sorted(rng.sample(range(0, 300, 9), rng.randint(2, 7)))

    def jitter() -> float:
        return rng.choice([0.0, 0.0, 0.1, 1.45, rng.uniform(-2.9, 2.9)])

    edges = []
    for y in ys:
        for x0, x1 in itertools.pairwise(xs):
            r = rng.random()
            if r < 0.75:
                yy = y + jitter()
                edges.append(pdf_pdfium._edge(x0 + jitter(), yy, x1 + jitter(), yy, "h", "line"))
            if r < 0.1:
                edges.append(pdf_pdfium._edge(x0 + jitter(), y, x1, y, "h", "line"))
    for x in xs:
        for y0, y1 in itertools.pairwise(ys):
            r = rng.random()
            if r < 0.75:
                xx = x + jitter()
                edges.append(pdf_pdfium._edge(xx, y0 + jitter(), xx, y1 + jitter(), "v", "line"))
            if r < 0.1:
                edges.append(pdf_pdfium._edge(x, y0, x, y1 - rng.uniform(0, 5), "v", "line"))
    for _ in range(rng.randint(0, 3)):
        x, y = rng.uniform(0, 300), rng.uniform(0, 300)
        edges.append(pdf_pdfium._edge(x, y, x + rng.uniform(0, 4), y, "h", "line"))
    rng.shuffle(edges)
    return edges


def _pdfplumber_tables(edges: list[dict]) -> list[list[tuple]]:
    """What pdfplumber's TableFinder does with these edges (lines strategy, tolerance 3)."""
    v = utils.filter_edges(edges, "v", min_length=1)
    h = utils.filter_edges(edges, "h", min_length=1)
    merged = utils.filter_edges(pt.merge_edges(v + h, 3, 3, 3, 3), min_length=3)
    cells = pt.intersections_to_cells(pt.edges_to_intersections(merged, 3, 3))
    return [list(t) for t in pt.cells_to_tables(cells)]


def test_tables_are_pdfplumbers_on_broken_lattices() -> None:
    rng = random.Random(11)
    for _ in range(1000):
        edges = _lattice(rng)
        assert pdf_lattice.find_tables(edges) == _pdfplumber_tables(edges)


def test_outside_bboxes_is_pdfplumbers_outside_bbox() -> None:
    rng = random.Random(7)
    objs = []
    for _ in range(300):
        x0, top = rng.uniform(0, 100), rng.uniform(0, 100)
        objs.append({"x0": x0, "x1": x0 + rng.choice([0, 3]), "top": top, "bottom": top + rng.choice([0, 5])})
    boxes = [(10, 10, 40, 40), (40, 50, 90, 60), (0, 95, 100, 100)]
    expected = objs
    for box in boxes:
        expected = utils.outside_bbox(expected, box)
    assert pdf_lattice.outside_bboxes(objs, boxes) == expected
