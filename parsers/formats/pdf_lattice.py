"""Tables from ruling-line edges, and text lines from characters, for one PDF page.

The same results as pdfplumber's `page.find_tables({"vertical_strategy": "lines",
"horizontal_strategy": "lines", "snap_tolerance": 3})`, `page.outside_bbox` and
`page.extract_text_lines(layout=False)`, computed from edge and character dicts that need not
come from pdfminer (see pdf_pdfium).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable

from pdfplumber import utils

Box = tuple[float, float, float, float]  # x0, top, x1, bottom

TOLERANCE = 3  # snap, join and intersection tolerance (pt), pdfplumber's defaults
EDGE_MIN_LENGTH = 3
EDGE_MIN_LENGTH_PREFILTER = 1


def find_tables(edges: list[dict]) -> list[list[Box]]:
    """Cell boxes of each table, tables top to bottom (pdfplumber's TableFinder, lines strategy)."""
    v = [
        [e["x0"], e["top"], e["x1"], e["bottom"], e["width"], e["height"]]
        for e in edges
        if e["orientation"] == "v" and e["height"] >= EDGE_MIN_LENGTH_PREFILTER
    ]
    h = [
        [e["x0"], e["top"], e["x1"], e["bottom"], e["width"], e["height"]]
        for e in edges
        if e["orientation"] == "h" and e["width"] >= EDGE_MIN_LENGTH_PREFILTER
    ]
    v = [e for e in _join(_snap(v, 0), 1, 3) if e[5] >= EDGE_MIN_LENGTH]
    h = [e for e in _join(_snap(h, 1), 0, 2) if e[4] >= EDGE_MIN_LENGTH]
    return cells_to_tables(intersections_to_cells(_crossings(v, h)))


# Edges below are lists [x0, top, x1, bottom, width, height]. The arithmetic is pdfplumber's,
# step for step, so that edges land on the same floats.


def _snap(edges: list[list[float]], at: int) -> list[list[float]]:
    """pdfplumber's snap_objects: positions (x0 of vertical edges, top of horizontal ones) that
    chain within TOLERANCE form a cluster; each edge moves to its cluster's mean position."""
    if not edges:
        return []
    values = sorted({e[at] for e in edges})
    cluster_of: dict[float, int] = {}
    cluster, last = 0, values[0]
    for x in values:
        if x > last + TOLERANCE:
            cluster += 1
        cluster_of[x] = cluster
        last = x
    groups: dict[int, list[list[float]]] = {}
    for e in sorted(edges, key=lambda e: cluster_of[e[at]]):
        groups.setdefault(cluster_of[e[at]], []).append(e)
    out: list[list[float]] = []
    other = at + 2  # x1 moves with x0, bottom with top
    for group in groups.values():
        mean = sum(e[at] for e in group) / len(group)
        for e in group:
            shift = mean - e[at]
            moved = e[:]
            moved[at] = e[at] + shift
            moved[other] = e[other] + shift
            out.append(moved)
    return out


def _join(edges: list[list[float]], lo: int, hi: int) -> list[list[float]]:
    """pdfplumber's join_edge_group per line: edges on one line that overlap or come within
    TOLERANCE of each other become one edge (`lo`/`hi`: the indices of its ends)."""
    at = 0 if lo == 1 else 1
    size = 5 if lo == 1 else 4  # height of a vertical edge, width of a horizontal one
    out: list[list[float]] = []
    lines: dict[float, list[list[float]]] = {}
    for e in sorted(edges, key=lambda e: e[at]):
        lines.setdefault(e[at], []).append(e)
    for line in lines.values():
        line.sort(key=lambda e: e[lo])
        joined = [line[0]]
        for e in line[1:]:
            last = joined[-1]
            if e[lo] <= last[hi] + TOLERANCE:
                if e[hi] > last[hi]:
                    grown = last[:]
                    if lo == 1:  # pdfplumber's resize_object: "bottom" grows the height by the difference
                        grown[size] = last[size] + (e[hi] - last[hi])
                    else:  # "x1" sets the width anew
                        grown[size] = e[hi] - last[0]
                    grown[hi] = e[hi]
                    joined[-1] = grown
            else:
                joined.append(e)
        out.extend(joined)
    return out


def _crossings(v: list[list[float]], h: list[list[float]]) -> dict[tuple[float, float], dict[str, list[int]]]:
    """pdfplumber's edges_to_intersections (same tolerances, same tests), each vertical edge
    tried only against the horizontal ones near its vertical extent."""
    hs = sorted(h, key=lambda e: (e[1], e[0]))
    tops = [e[1] for e in hs]
    out: dict[tuple[float, float], dict[str, list[Box]]] = {}
    for ve in sorted(v, key=lambda e: (e[0], e[1])):
        x, top, bottom = ve[0], ve[1], ve[3]
        # A margin beyond the tolerance: the exact tests below decide.
        lo = bisect_left(tops, top - TOLERANCE - 0.01)
        hi = bisect_right(tops, bottom + TOLERANCE + 0.01)
        for he in hs[lo:hi]:
            y = he[1]
            if (
                top <= y + TOLERANCE
                and bottom >= y - TOLERANCE
                and x >= he[0] - TOLERANCE
                and x <= he[2] + TOLERANCE
            ):
                vertex = (x, y)
                at = out.get(vertex)
                if at is None:
                    at = out[vertex] = {"v": [], "h": []}
                # Edges by number: after joining no two edges of one direction share a box,
                # so a number stands for a box as well as pdfplumber's box comparison.
                at["v"].append(id(ve))
                at["h"].append(id(he))
    return out


def intersections_to_cells(intersections: dict[tuple[float, float], dict[str, list[Hashable]]]) -> list[Box]:
    """pdfplumber's intersections_to_cells, same cells in the same order, without its quadratic
    scans: for each crossing point, the smallest cell whose four sides are drawn. The edges at
    each point are given by anything that is equal for equal boxes (x0, top, x1, bottom), which
    is how pdfplumber compares them."""
    points = sorted(intersections)
    # Two points are joined when one ruling line (compared by its box, as pdfplumber does) runs
    # through both.
    v_lines = {p: set(intersections[p]["v"]) for p in points}
    h_lines = {p: set(intersections[p]["h"]) for p in points}
    row_of: dict[float, list[tuple[float, float]]] = {}
    for p in points:  # sorted by x, so each row is left to right
        row_of.setdefault(p[1], []).append(p)
    row_pos = {p: i for row in row_of.values() for i, p in enumerate(row)}
    cells: list[Box] = []
    n = len(points)
    for i in range(n - 1):
        here = points[i]
        x, y = here
        v_here, h_here = v_lines[here], h_lines[here]
        right: list[tuple[float, float]] | None = None  # points to the right on a shared line
        found = None
        j = i + 1
        while j < n and points[j][0] == x:  # same x, larger y: the points under this one
            below = points[j]
            j += 1
            if v_here.isdisjoint(v_lines[below]):
                continue
            if right is None:
                row = row_of[y]
                right = [r for r in row[row_pos[here] + 1 :] if not h_here.isdisjoint(h_lines[r])]
            h_below = h_lines[below]
            for r in right:
                corner = (r[0], below[1])
                v_corner = v_lines.get(corner)
                if (
                    v_corner is not None
                    and not v_corner.isdisjoint(v_lines[r])
                    and not h_lines[corner].isdisjoint(h_below)
                ):
                    found = (x, y, corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def cells_to_tables(cells: list[Box]) -> list[list[Box]]:
    """pdfplumber's cells_to_tables for distinct cells (intersections_to_cells gives each its own
    top-left corner): cells join the table in the making while they share a corner with it, the
    tables are sorted by their top-left cell and one-cell tables dropped."""
    corners = [((x0, top), (x0, bottom), (x1, top), (x1, bottom)) for x0, top, x1, bottom in cells]
    remaining = list(range(len(cells)))
    tables: list[list[Box]] = []
    current: list[int] = []
    seen: set[tuple[float, float]] = set()
    while remaining:
        before = len(current)
        left = []
        for i in remaining:
            a, b, c, d = corners[i]
            if not current or a in seen or b in seen or c in seen or d in seen:
                seen.update(corners[i])
                current.append(i)
            else:
                left.append(i)
        remaining = left
        if len(current) == before:
            tables.append([cells[i] for i in current])
            current, seen = [], set()
    if current:
        tables.append([cells[i] for i in current])
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def outside_bboxes(objs: list[dict], bboxes: list[Box]) -> list[dict]:
    """The objects that touch none of `bboxes` (pdfplumber's outside_bbox applied once per box,
    with get_bbox_overlap's rule: boxes sharing only an edge of non-zero length still touch)."""
    if not bboxes:
        return objs
    out = []
    for obj in objs:
        x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
        for b_left, b_top, b_right, b_bottom in bboxes:
            # Necessary for an overlap; the exact test follows only for the few that pass.
            if x1 >= b_left and x0 <= b_right and bottom >= b_top and top <= b_bottom:
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
