"""Tables from ruling-line edges, and text lines from characters, for one PDF page.

The same results as pdfplumber's `page.find_tables({"vertical_strategy": "lines",
"horizontal_strategy": "lines", "snap_tolerance": 3})`, `page.outside_bbox` and
`page.extract_text_lines(layout=False)`, computed from edge and character dicts that need not
come from pdfminer (see pdf_pdfium).
"""

from __future__ import annotations

from pdfplumber import table as pt
from pdfplumber import utils

Box = tuple[float, float, float, float]  # x0, top, x1, bottom

TOLERANCE = 3  # snap, join and intersection tolerance (pt), pdfplumber's defaults
EDGE_MIN_LENGTH = 3
EDGE_MIN_LENGTH_PREFILTER = 1


def find_tables(edges: list[dict]) -> list[list[Box]]:
    """Cell boxes of each table, tables top to bottom (pdfplumber's TableFinder, lines strategy)."""
    v = utils.filter_edges(edges, "v", min_length=EDGE_MIN_LENGTH_PREFILTER)
    h = utils.filter_edges(edges, "h", min_length=EDGE_MIN_LENGTH_PREFILTER)
    merged = pt.merge_edges(v + h, TOLERANCE, TOLERANCE, TOLERANCE, TOLERANCE)
    merged = utils.filter_edges(merged, min_length=EDGE_MIN_LENGTH)
    cells = pt.intersections_to_cells(pt.edges_to_intersections(merged, TOLERANCE, TOLERANCE))
    return [list(t) for t in pt.cells_to_tables(cells)]


def outside_bbox(objs: list[dict], bbox: Box) -> list[dict]:
    """The objects that do not touch `bbox` (pdfplumber's outside_bbox)."""
    return utils.outside_bbox(objs, bbox)


def text_lines(chars: list[dict], width: float, height: float) -> list[dict]:
    """Text lines (text, x0, x1, top, bottom) of characters in content order."""
    textmap = utils.chars_to_textmap(
        chars,
        layout=False,
        layout_bbox=(0, 0, width, height),
        layout_width=width,
        layout_height=height,
    )
    return textmap.extract_text_lines(strip=True, return_chars=False)
