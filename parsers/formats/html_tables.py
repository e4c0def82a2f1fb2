"""HTML <table> elements -> Grids with row/column spans resolved (docs/ARCHITECTURE.md).

A spanning cell's text is repeated in every position it covers, so a row label spanning 22 rows
(三、本年度办理结果) appears in each of them and a value spanning 3 columns appears 3 times.
Positions no cell covers stay None. Nested tables become grids of their own; their text is left
out of the enclosing cell (layout tables wrapping the report tables are common on CMS pages).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element

from parsers.document import Grid

# Spans beyond this are authoring errors ("rowspan=9999"); clamp so one bad cell cannot explode.
_MAX_SPAN = 200
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_WS_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003\u2009\u200b]+")


def read_grids(source: str | bytes | _Element | etree._ElementTree) -> list[Grid]:
    """Every <table> in `source` (markup or an lxml tree), in document order, as a resolved Grid."""
    if isinstance(source, str | bytes):
        if isinstance(source, str):
            # lxml refuses str input that carries an encoding declaration (XHTML pages)
            source = _XML_DECL_RE.sub("", source, count=1)
        if not source.strip():
            return []
        try:
            root = lxml_html.fromstring(source)
        except (etree.ParserError, ValueError):
            return []
    else:
        root = source.getroot() if hasattr(source, "getroot") else source
    return [_grid(t) for t in root.iter("table") if _own_rows(t)]


def _tag(el: _Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _own_rows(table: _Element) -> list[_Element]:
    """The <tr> of this table, not of tables nested inside it (thead/tbody/tfoot are transparent)."""
    rows: list[_Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _span(el: _Element, attr: str) -> int:
    raw = (el.get(attr) or "1").strip()
    match = re.match(r"\d+", raw)
    return max(1, min(int(match.group()), _MAX_SPAN)) if match else 1


def cell_text(el: _Element) -> str:
    """Visible text of a cell: <br> splits are joined ("本年新<br/>制作数量" -> "本年新制作数量"),
    block breaks become a space, &nbsp; is blank, nested tables are skipped."""
    parts: list[str] = []

    def walk(node: _Element) -> None:
        if node is not el and _tag(node) == "table":
            if node.tail:
                parts.append(node.tail)
            return
        if node is not el and _tag(node) in ("p", "div", "li"):
            parts.append(" ")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return _WS_RE.sub(" ", "".join(parts)).strip()


def _grid(table: _Element) -> Grid:
    grid: dict[tuple[int, int], str] = {}
    width = 0
    rows = _own_rows(table)
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = cell_text(td)
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            rs = min(rs, len(rows) - r)  # a rowspan past the last row covers nothing real
            for dr in range(rs):
                for dc in range(cs):
                    grid.setdefault((r + dr, c + dc), text)
            c += cs
            width = max(width, c)
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]
