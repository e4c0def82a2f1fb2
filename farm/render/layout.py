"""The report as blocks (title, headings, paragraphs, tables with spans), shared by the renderers.

Every attachment renderer (DOCX, XLSX, OFD, and through DOCX the PDF/DOC/WPS/scan) lays out the
same logical document, so a reader of any format can be checked against one expected grid:
`resolve(table)` is exactly what a faithful reader must return for that table.

The tables follow the national templates (annual-report-format.md §4–§6): table 2 as one
4-column table with caption rows, table 3 with its 3-row header block and the
"三、本年度办理结果" vertical merge, table 4 with its 3-row header and one row of 15 numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govreports import spec

Grid = list[list[str | None]]

SECTION_HEADINGS: dict[str, str] = spec.section_headings()
# Which table follows which section heading.
_TABLE_OF_SECTION = {"proactive": "table2", "applications": "table3", "review_litigation": "table4"}

T3_NOTE = spec.table3_note()
T3_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
T4_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(slots=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # a label cell (bold, centred); numbers are not


@dataclass(slots=True)
class Table:
    name: str  # table2 | table3 | table4
    ncols: int
    # Only the cells that start at a position, left to right, as in HTML.
    rows: list[list[Cell]]
    header_rows: int = 0  # rows repeated on every page (table 3, table 4)
    col_widths: list[float] = field(default_factory=list)  # relative widths


@dataclass(slots=True)
class Block:
    kind: str  # title | heading | para | table
    text: str = ""
    table: Table | None = None


def record_digest(record: Mapping[str, Any]) -> str:
    """Stable hash of a record, the cache key of its rendered files."""
    blob = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def fmt_value(key: str, value: Any) -> str:
    """How a cell value is printed: None -> blank (the reader must give null, never 0)."""
    if value is None:
        return ""
    if key == "active.procurement.amount_yuan":
        return f"{value}元"  # the v2019 header has no unit; real cells carry it (§4.2)
    return str(value)


def _c(text: str, rs: int = 1, cs: int = 1, header: bool = True) -> Cell:
    return Cell(text, rs, cs, header)


def _table2(template: str, cells: Mapping[str, Any]) -> Table:
    by_caption: dict[str, list[spec.KeySpec]] = {}
    for k in spec.keys(template):  # type: ignore[arg-type]
        if k.key.startswith("active."):
            by_caption.setdefault(k.table, []).append(k)
    rows: list[list[Cell]] = []
    for caption, ks in by_caption.items():
        columns = list(dict.fromkeys(k.column for k in ks))
        row_labels = list(dict.fromkeys(k.row for k in ks))
        rows.append([_c(caption, cs=4)])
        # Sub-tables narrower than 3 value columns stretch their last column (colspan) to width 4.
        spans = [1] * len(columns)
        spans[-1] += 3 - len(columns)
        rows.append([_c("信息内容")] + [_c(c, cs=s) for c, s in zip(columns, spans, strict=True)])
        for label in row_labels:
            row = [_c(label)]
            for col, s in zip(columns, spans, strict=True):
                key = next(k.key for k in ks if k.row == label and k.column == col)
                row.append(Cell(fmt_value(key, cells.get(key)), 1, s))
            rows.append(row)
    return Table("table2", 4, rows, 0, [2.4, 1.2, 1.2, 1.2])


def _table3(template: str, cells: Mapping[str, Any]) -> Table:
    rows: list[list[Cell]] = [
        [_c(T3_NOTE, rs=3, cs=3), _c("申请人情况", cs=7)],
        [_c("自然人", rs=2), _c("法人或其他组织", cs=5), _c("总计", rs=2)],
        [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")],
    ]
    for rk, head in spec.table3_row_heads(template):  # type: ignore[arg-type]
        row: list[Cell] = [_c(h.text, rs=h.rowspan, cs=h.colspan) for h in head]
        for col in T3_COLUMNS:
            key = f"applications.{rk}.{col}"
            row.append(Cell(fmt_value(key, cells.get(key))))
        rows.append(row)
    widths = [1.0, 1.3, 2.6] + [0.8] * 7
    return Table("table3", 10, rows, 3, widths)


def _table4(cells: Mapping[str, Any]) -> Table:
    rows: list[list[Cell]] = [
        [_c("行政复议", cs=5), _c("行政诉讼", cs=10)],
        [_c(label, rs=2) for label in T4_LABELS] + [_c("未经复议直接起诉", cs=5), _c("复议后起诉", cs=5)],
        [_c(label) for label in T4_LABELS * 2],
    ]
    rows.append(
        [
            Cell(fmt_value(k, cells.get(k)))
            for g in T4_GROUPS
            for c in T4_COLUMNS
            for k in [f"appeals.{g}.{c}"]
        ]
    )
    return Table("table4", 15, rows, 3, [1.0] * 15)


def tables_of(record: Mapping[str, Any]) -> dict[str, Table]:
    """The tables a record has: a table whose keys are all absent from `cells` is left out."""
    template = record.get("template") or "v2021"
    cells: Mapping[str, Any] = record.get("cells") or {}
    if template not in spec.TEMPLATES:
        return {}  # legacy reports have no national tables; their appendix is _legacy_table
    out: dict[str, Table] = {}
    if any(k.startswith("active.") for k in cells):
        out["table2"] = _table2(template, cells)
    if any(k.startswith("applications.") for k in cells):
        out["table3"] = _table3(template, cells)
    if any(k.startswith("appeals.") for k in cells):
        out["table4"] = _table4(cells)
    return out


def _legacy_table(record: Mapping[str, Any]) -> Table | None:
    """The 2008–2018 statistics appendix (§2.3): 指标名称 | 计量单位 | Y年度 [| 历年累计]."""
    legacy: Mapping[str, Any] = record.get("legacy") or {}
    if not legacy:
        return None
    indicators = spec.labels()["tables"]["legacy"]["indicators"]
    names = [k for k in legacy if not k.endswith("_cumulative")]
    cumulative = any(k.endswith("_cumulative") for k in legacy)
    head = ["指标名称", "计量单位", f"{record.get('year') or ''}年度"] + (["历年累计"] if cumulative else [])
    rows: list[list[Cell]] = [[_c(h) for h in head]]
    for name in names:
        info = indicators.get(name) or {}
        row = [_c(str(info.get("label") or name)), _c(str(info.get("unit") or ""))]
        row.append(Cell(fmt_value(name, legacy.get(name))))
        if cumulative:
            row.append(Cell(fmt_value(name, legacy.get(f"{name}_cumulative"))))
        rows.append(row)
    ncols = len(head)
    return Table("legacy", ncols, rows, 1, [2.6, 1.0, 1.2] + ([1.2] if cumulative else []))


def _cn_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{y}年{m}月{d}日"


def _filler(section: str, record: Mapping[str, Any]) -> str:
    agency = record.get("agency") or "本机关"
    year = record.get("year") or ""
    texts = {
        "overview": f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "扎实做好主动公开、依申请公开、政府信息管理、政府信息公开平台建设和监督保障等工作。",
        "proactive": f"{year}年，{agency}通过政府网站主动公开政府信息。",
        "applications": f"{year}年，{agency}依法办理政府信息公开申请。",
        "review_litigation": f"{year}年，{agency}政府信息公开行政复议、行政诉讼情况如下。",
        "problems": "存在的主要问题是公开内容还不够丰富；改进措施是进一步加强培训，完善工作机制。",
        "other": f"{year}年度本机关未收取政府信息处理费。",
    }
    return texts[section]


def blocks_of(record: Mapping[str, Any]) -> list[Block]:
    """The document in reading order. Section texts come from `record["sections"]` when given."""
    sections: Mapping[str, Any] = record.get("sections") or {}
    present = record.get("sections_present")
    if present is None:
        present = [s for s in SECTION_HEADINGS if sections.get(s)] or list(SECTION_HEADINGS)
    tables = tables_of(record)
    out: list[Block] = [Block("title", str(record.get("title") or ""))]
    dates: Mapping[str, Any] = record.get("dates") or {}
    preface = record.get("preface")
    if preface is None and dates.get("period_start") and dates.get("period_end"):
        preface = (
            f"本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自"
            f"{_cn_date(dates['period_start'])}起至{_cn_date(dates['period_end'])}止。"
        )
    if preface:
        out.extend(Block("para", p) for p in str(preface).split("\n") if p.strip())
    for sid, heading in SECTION_HEADINGS.items():
        if sid not in present:
            continue
        out.append(Block("heading", heading))
        text = sections.get(sid)
        if text is None:
            text = _filler(sid, record)
        out.extend(Block("para", p) for p in str(text).split("\n") if p.strip())
        tname = _TABLE_OF_SECTION.get(sid)
        if tname and tname in tables:
            out.append(Block("table", table=tables.pop(tname)))
    # A table whose section heading is missing still belongs in the document.
    out.extend(Block("table", table=t) for t in tables.values())
    if legacy_table := _legacy_table(record):
        out.append(Block("heading", "附表：政府信息公开情况统计表"))
        out.append(Block("table", table=legacy_table))
    signature = record.get("signature")
    if signature is None and dates.get("signed"):
        signature = f"{record.get('agency') or ''}\n{_cn_date(dates['signed'])}"
    if signature:
        out.extend(Block("para", p) for p in str(signature).split("\n") if p.strip())
    return out


def resolve(table: Table) -> Grid:
    """The grid a faithful reader returns: spans resolved, the spanning text repeated."""
    grid: list[list[str | None]] = []
    occupied: dict[tuple[int, int], str] = {}
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied[(r + dr, c + dc)] = cell.text
            c += cell.colspan
    nrows = max(r for r, _ in occupied) + 1
    for r in range(nrows):
        grid.append([occupied.get((r, c)) for c in range(table.ncols)])
    return grid


def origins(table: Table) -> list[tuple[int, int, Cell]]:
    """(row, col, cell) of every cell, with columns resolved (what DOCX/XLSX/OFD need)."""
    out: list[tuple[int, int, Cell]] = []
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            c += cell.colspan
    return out


def expected_grids(record: Mapping[str, Any]) -> list[Grid]:
    """The grids of every table of the rendered document, in document order."""
    return [resolve(b.table) for b in blocks_of(record) if b.kind == "table" and b.table is not None]
