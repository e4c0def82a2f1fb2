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
    cells = intersections_to_cells(pt.edges_to_intersections(merged, TOLERANCE, TOLERANCE))
    return [list(t) for t in pt.cells_to_tables(cells)]


def intersections_to_cells(intersections: dict[tuple[float, float], dict[str, list[dict]]]) -> list[Box]:
    """pdfplumber's intersections_to_cells, same cells in the same order, without its quadratic
    scans: for each crossing point, the smallest cell whose four sides are drawn."""
    points = sorted(intersections)
    # Two points are joined when one ruling line (compared by its box, as pdfplumber does) runs
    # through both.
    boxes: dict[int, Box] = {}  # one box per edge object, however many points it crosses

    def lines(edges: list[dict]) -> set[Box]:
        out = set()
        for e in edges:
            box = boxes.get(id(e))
            if box is None:
                box = boxes[id(e)] = (e["x0"], e["top"], e["x1"], e["bottom"])
            out.add(box)
        return out

    v_lines = {p: lines(intersections[p]["v"]) for p in points}
    h_lines = {p: lines(intersections[p]["h"]) for p in points}
    row_of: dict[float, list[tuple[float, float]]] = {}
    for p in points:  # sorted by x, so each row is left to right
        row_of.setdefault(p[1], []).append(p)
    col_pos = {p: i for i, p in enumerate(points)}
    row_pos = {p: i for row in row_of.values() for i, p in enumerate(row)}

    def v_joined(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return not v_lines[a].isdisjoint(v_lines[b])

    def h_joined(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return not h_lines[a].isdisjoint(h_lines[b])

    cells: list[Box] = []
    n = len(points)
    for pt_ in points[:-1]:
        x, y = pt_
        below = []
        j = col_pos[pt_] + 1
        while j < n and points[j][0] == x:  # same x, larger y: the points under this one
            below.append(points[j])
            j += 1
        row = row_of[y]
        right = row[row_pos[pt_] + 1 :]
        found = None
        for below_pt in below:
            if not v_joined(pt_, below_pt):
                continue
            for right_pt in right:
                if not h_joined(pt_, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and v_joined(corner, right_pt) and h_joined(corner, below_pt):
                    found = (x, y, corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def outside_bboxes(objs: list[dict], bboxes: list[Box]) -> list[dict]:
    """The objects that touch none of `bboxes` (pdfplumber's outside_bbox applied once per box,
    with get_bbox_overlap's rule: boxes sharing only an edge of non-zero length still touch)."""
    if not bboxes:
        return objs
    out = []
    for obj in objs:
        x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
        for b_left, b_top, b_right, b_bottom in bboxes:
            width = min(x1, b_right) - max(x0, b_left)
            height = min(bottom, b_bottom) - max(top, b_top)
            if height >= 0 and width >= 0 and height + width > 0:
                break
        else:
            out.append(obj)
    return out


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
