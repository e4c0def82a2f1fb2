"""The three national tables of a record laid out as the template prints them (annual-report-format.md
§4–§6), from govreports.spec only: table 2 as captioned sub-tables, table 3 with its applicant
header block and nested outcome rows, table 4 as one row of 15 numbers under a 3-row header.

Each number cell carries its canonical key, so the page can show it (tooltip, all-cells list) and
tests can find it. A null cell stays None (shown "null", never 0); a table absent from the record
(no key of it in `cells`) is left out and reported as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govreports import spec

TABLE_TITLES = {
    "table2": "二、主动公开政府信息情况",
    "table3": "三、收到和处理政府信息公开申请情况",
    "table4": "四、政府信息公开行政复议、行政诉讼情况",
}
_PREFIX = {"table2": "active.", "table3": "applications.", "table4": "appeals."}


@dataclass(frozen=True, slots=True)
class Cell:
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    header: bool = True
    key: str | None = None  # set on number cells
    value: Any = None

    @property
    def is_null(self) -> bool:
        return self.key is not None and self.value is None


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # table2 | table3 | table4
    title: str
    rows: list[list[Cell]]
    header_rows: int


def _num(key: str, cells: Mapping[str, Any]) -> Cell:
    return Cell(header=False, key=key, value=cells.get(key))


def _keys(template: str, table: str) -> list[spec.KeySpec]:
    return [k for k in spec.keys(template) if k.key.startswith(_PREFIX[table])]  # type: ignore[arg-type]


def _table2(template: str, cells: Mapping[str, Any]) -> Table:
    by_caption: dict[str, list[spec.KeySpec]] = {}
    for k in _keys(template, "table2"):
        by_caption.setdefault(k.table, []).append(k)
    width = max(len({k.column for k in ks}) for ks in by_caption.values())
    rows: list[list[Cell]] = []
    for caption, ks in by_caption.items():
        columns = list(dict.fromkeys(k.column for k in ks))
        # Narrower sub-tables stretch their last column, as the template does.
        spans = [1] * len(columns)
        spans[-1] += width - len(columns)
        rows.append([Cell(caption, colspan=width + 1)])
        rows.append([Cell("信息内容"), *(Cell(c, colspan=s) for c, s in zip(columns, spans, strict=True))])
        for label in dict.fromkeys(k.row for k in ks):
            row = [Cell(label)]
            for col, s in zip(columns, spans, strict=True):
                key = next(k.key for k in ks if k.row == label and k.column == col)
                row.append(Cell(header=False, key=key, value=cells.get(key), colspan=s))
            rows.append(row)
    return Table("table2", TABLE_TITLES["table2"], rows, 0)


def _table3(template: str, cells: Mapping[str, Any]) -> Table:
    ks = _keys(template, "table3")
    columns = list(dict.fromkeys(k.key.split(".")[2] for k in ks))
    labels = {k.key.split(".")[2]: k.column for k in ks}
    org_cols = [c for c in columns if c not in ("natural_person", "total")]
    rows: list[list[Cell]] = [
        [Cell(spec.table3_note(), rowspan=3, colspan=3), Cell("申请人情况", colspan=len(columns))],
        [
            Cell(labels["natural_person"], rowspan=2),
            Cell("法人或其他组织", colspan=len(org_cols)),
            Cell(labels["total"], rowspan=2),
        ],
        [Cell(labels[c]) for c in org_cols],
    ]
    for rk, head in spec.table3_row_heads(template):  # type: ignore[arg-type]
        row: list[Cell] = [Cell(h.text, rowspan=h.rowspan, colspan=h.colspan) for h in head]
        row += [_num(f"applications.{rk}.{c}", cells) for c in columns]
        rows.append(row)
    return Table("table3", TABLE_TITLES["table3"], rows, 3)


def _table4(template: str, cells: Mapping[str, Any]) -> Table:
    ks = _keys(template, "table4")
    groups = list(dict.fromkeys(k.key.split(".")[1] for k in ks))
    columns = list(dict.fromkeys(k.key.split(".")[2] for k in ks))
    col_label = {k.key.split(".")[2]: k.column for k in ks}
    group_label = {k.key.split(".")[1]: k.row for k in ks}
    review = [g for g in groups if " › " not in group_label[g]]
    litigation = [g for g in groups if " › " in group_label[g]]
    n = len(columns)
    rows: list[list[Cell]] = [
        [*(Cell(group_label[g], colspan=n) for g in review), Cell("行政诉讼", colspan=n * len(litigation))],
        [Cell(col_label[c], rowspan=2) for _ in review for c in columns]
        + [Cell(group_label[g].split(" › ")[1], colspan=n) for g in litigation],
        [Cell(col_label[c]) for _ in litigation for c in columns],
        [_num(f"appeals.{g}.{c}", cells) for g in groups for c in columns],
    ]
    return Table("table4", TABLE_TITLES["table4"], rows, 3)


def tables_of(record: Mapping[str, Any]) -> tuple[list[Table], list[str]]:
    """(the tables the record has, the names of the template's tables it lacks).

    Legacy and unknown templates have no national tables: ([], []).
    """
    template = record.get("template")
    if template not in spec.TEMPLATES:
        return [], []
    cells: Mapping[str, Any] = record.get("cells") or {}
    present: list[Table] = []
    absent: list[str] = []
    for name, build in (("table2", _table2), ("table3", _table3), ("table4", _table4)):
        if any(k.startswith(_PREFIX[name]) for k in cells):
            present.append(build(template, cells))
        else:
            absent.append(name)
    return present, absent


def key_labels(template: str | None) -> dict[str, str]:
    """Canonical key -> "caption / row / column", for diffs and the all-cells list."""
    out: dict[str, str] = {}
    for t in [template] if template in spec.TEMPLATES else list(spec.TEMPLATES):
        for k in spec.keys(t):  # type: ignore[arg-type]
            out.setdefault(k.key, f"{k.table} / {k.row} / {k.column}")
    return out


def legacy_rows(record: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The 2008–2018 statistics appendix (§2.3) as (key, label, unit, value), in the record's order."""
    indicators: Mapping[str, Any] = spec.labels()["tables"]["legacy"]["indicators"]
    out = []
    for key, value in (record.get("legacy") or {}).items():
        base = key.removesuffix("_cumulative")
        info = indicators.get(base) or {}
        label = str(info.get("label") or base) + ("（历年累计）" if key != base else "")
        out.append((key, label, str(info.get("unit") or ""), value))
    return out
