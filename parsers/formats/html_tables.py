"""HTML <table> elements -> Grids with row/column spans resolved (docs/ARCHITECTURE.md).

A spanning cell's text is repeated in every position it covers, so a row label spanning 22 rows
(三、本年度办理结果) appears in each of them and a value spanning 3 columns appears 3 times.
Positions no cell covers stay None. Nested tables become grids of their own; their text is left
out of the enclosing cell (layout tables wrapping the report tables are common on CMS pages).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

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
    return numbered_grids(root)[0]


def numbered_grids(root: _Element) -> tuple[list[Grid], list[int]]:
    """(grids, ordinals): every <table> under `root` with rows as a Grid, and for each grid the
    table's position among all <table> elements in document order (a table without rows gives
    no grid, so the two numberings differ)."""
    try:
        return _grids_xslt(root)
    except etree.XSLTApplyError:
        # libxslt stops at a few thousand nested templates: a pathologically deep page is read
        # by the Python walk (same grids, slower).
        tables = [(n, t) for n, t in enumerate(root.iter("table")) if _own_rows(t)]
        return [_grid(t) for _, t in tables], [n for n, _ in tables]


# ------------------------------------------------------------------- fast path: one XSLT pass
#
# Walking the cells from Python costs ~25 µs a cell (an lxml proxy and a class lookup per
# element); a report page has hundreds. One XSLT pass (in libxml2) flattens every table into a
# string instead: per table its own rows, per row its own cells, per cell rowspan, colspan and
# text (nested tables skipped, a space before each p/div/li, exactly as `cell_text`); the span
# fields only for a cell that has a span attribute. The marks
# are Unicode noncharacters, which never occur in text (unlike private-use characters, which
# GB18030 pages do carry).
_TABLE, _ROW, _CELL, _FIELD = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_MARKS = (_TABLE, _ROW, _CELL, _FIELD)
_MARK_BLANKS = re.compile(f"\\s*([{''.join(_MARKS)}])\\s*")
# A single space next to a mark (the text's blank runs collapsed to one space before). It opens
# with the space, a literal sre scans for, and looks at the neighbours of each space found.
_MARK_SPACE = re.compile(f" (?:(?=[{''.join(_MARKS)}])|(?<=[{''.join(_MARKS)}] ))")
# What str.strip() strips and _WS_RE does not collapse (every such character is below U+3001).
_OTHER_BLANKS = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace() and not _WS_RE.fullmatch(ch))


def _mark(ch: str) -> str:
    return f"<xsl:text>&#x{ord(ch):X};</xsl:text>"


# The grid pass as stylesheet pieces, so that html.py can run it in the same XSLT as the text.
# GRID_ROOT_XSLT: what the "/" template outputs; GRID_CELL_TEMPLATES: the templates of mode "cell".
GRID_ROOT_XSLT = f"""<xsl:for-each select="descendant-or-self::table">{_mark(_TABLE)}
    <xsl:for-each select="tr | thead/tr | tbody/tr | tfoot/tr">{_mark(_ROW)}
      <xsl:for-each select="td | th">{_mark(_CELL)}<xsl:if test="@rowspan or @colspan"><xsl:value-of
        select="@rowspan"/>{_mark(_FIELD)}<xsl:value-of select="@colspan"/>{_mark(_FIELD)}</xsl:if><xsl:apply-templates
        mode="cell"/></xsl:for-each>
    </xsl:for-each>
  </xsl:for-each>"""
# Other elements and text nodes take XSLT's built-in rules (descend; copy the text), which
# libxslt runs without instantiating a template: a fifth of the grid pass.
GRID_CELL_TEMPLATES = """<xsl:template match="table" mode="cell"/>
<xsl:template match="p | div | li" mode="cell"><xsl:text> </xsl:text><xsl:apply-templates mode="cell"/></xsl:template>"""


@cache
def _grid_xslt() -> etree.XSLT:
    sheet = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
  {GRID_ROOT_XSLT}
</xsl:template>
{GRID_CELL_TEMPLATES}
</xsl:stylesheet>"""
    return etree.XSLT(etree.XML(sheet))


@lru_cache(maxsize=256)
def _span_value(raw: str) -> int:
    match = re.match(r"\d+", raw.strip() or "1")
    return max(1, min(int(match.group()), _MAX_SPAN)) if match else 1


def _grids_xslt(root: _Element) -> tuple[list[Grid], list[int]]:
    return grids_from_flat(str(_grid_xslt()(root)))


def grids_from_flat(flat: str) -> tuple[list[Grid], list[int]]:
    """`numbered_grids` from the output of the grid pass (GRID_ROOT_XSLT)."""
    # Whitespace is collapsed on the whole string at once: the marks are not whitespace, so a
    # run never crosses a cell boundary. Each cell's text is stripped here too: after the
    # collapse a blank next to a mark is a single space. Text without a blank _WS_RE leaves
    # alone (_OTHER_BLANKS) and without U+200B (which _WS_RE collapses, str.split() does not) is
    # collapsed by str.split(), three times faster than the regex; the edges of the whole
    # string it drops are outside every cell or stripped anyway.
    if "\u200b" in flat or any(ch in flat for ch in _OTHER_BLANKS):
        flat = _MARK_BLANKS.sub(r"\1", _WS_RE.sub(" ", flat)).rstrip()
    else:
        flat = _MARK_SPACE.sub("", " ".join(flat.split()))
    grids: list[Grid] = []
    ordinals: list[int] = []
    for n, table in enumerate(flat.split(_TABLE)[1:]):
        rows = table.split(_ROW)[1:]
        if rows:
            grids.append(_resolve(rows))
            ordinals.append(n)
    return grids, ordinals


def _resolve(rows: list[str]) -> Grid:
    """Rows of the grid pass, their cells stripped (each cell "<C>rowspan<F>colspan<F>text", or
    "<C>text" for a cell without span attributes) -> the grid with spans resolved (as `_grid`).

    Most rows hold no spanning cell: their cells fill, left to right, the positions the rows
    above left free, then extend the row (one list operation instead of a loop step per cell)."""
    n = len(rows)
    filled: list[list[str | None] | None] = [None] * n
    width = 0
    for r, row in enumerate(rows):
        line = filled[r]
        if _FIELD not in row:
            cells: list[str | None] = row.split(_CELL)[1:]  # type: ignore[assignment]
            if line is None:
                filled[r] = cells
                end = len(cells)
            else:
                holes = [c for c, text in enumerate(line) if text is None]
                for c, text in zip(holes, cells, strict=False):
                    line[c] = text
                if len(cells) > len(holes):
                    line.extend(cells[len(holes) :])
                    end = len(line)
                else:
                    end = holes[len(cells) - 1] + 1 if cells else 0
            if end > width:
                width = end
            continue
        if line is None:
            line = filled[r] = []
        c = 0
        for cell in row.split(_CELL)[1:]:
            size = len(line)
            while c < size and line[c] is not None:
                c += 1
            if _FIELD not in cell:  # a cell without span attributes
                if c < size:
                    line[c] = cell
                else:
                    line.append(cell)
                c += 1
            else:
                rs_raw, cs_raw, text = cell.split(_FIELD, 2)
                rs = _span_value(rs_raw) if rs_raw else 1
                cs = _span_value(cs_raw) if cs_raw else 1
                end = c + cs
                if rs == 1 and c == size:  # a colspan at the row's end: extend it
                    line.extend([text] * cs)
                else:
                    for below in range(r, min(r + rs, n)):
                        target = filled[below]
                        if target is None:  # a row nothing reached yet
                            filled[below] = [None] * c + [text] * cs
                            continue
                        if len(target) < end:
                            target.extend([None] * (end - len(target)))
                        for dc in range(c, end):
                            if target[dc] is None:
                                target[dc] = text
                c = end
            if c > width:
                width = c
    grid: Grid = []
    for line in filled:
        if line is None:
            line = []
        if len(line) < width:
            line.extend([None] * (width - len(line)))
        grid.append(line)
    return grid


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
