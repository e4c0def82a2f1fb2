"""The tables' shape, derived from keys.yaml: which printed label is which row, which columns a
row has, which labels fingerprint a template version (§2.1). Nothing here repeats the key table.

Row ids are the key prefix ("active.regulations", "applications.granted", "appeals.review");
column ids the last key segment ("issued", "natural_person", "upheld").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from govreports import spec
from parsers.tables.normalize import normalize, split_ordinal

TEMPLATES: tuple[str, ...] = ("v2021", "v2019")
TABLE_OF_PREFIX = {"active": "table2", "applications": "table3", "appeals": "table4"}
TABLES: tuple[str, ...] = ("table2", "table3", "table4")


@dataclass(frozen=True, slots=True)
class RowSpec:
    row_id: str
    table: str  # table2 | table3 | table4
    caption: str  # normalised caption (table 2: 第二十条第(一)项)
    label: str  # normalised own label (last level of the row path)
    path: tuple[str, ...]  # normalised labels of every level
    columns: tuple[str, ...]  # column ids in printed order
    column_labels: tuple[str, ...]  # normalised column labels, same order
    types: tuple[str, ...]  # keys.yaml types, same order
    keys: tuple[str, ...] = ()  # full keys, same order (filled by `rows`)
    bare_label: str = ""  # `label` without its ordinal ("本年度办理结果" for "三、本年度办理结果")
    has_decimal: bool = False  # some column is a money amount (type decimal)

    def key(self, column: str) -> str:
        return f"{self.row_id}.{column}"


@cache
def table_of(key: str) -> str:
    return TABLE_OF_PREFIX[key.split(".", 1)[0]]


@cache
def rows(template: str) -> dict[str, RowSpec]:
    """Row id -> RowSpec, in keys.yaml order."""
    grouped: dict[str, list[spec.KeySpec]] = defaultdict(list)
    for k in spec.keys(template):  # type: ignore[arg-type]
        grouped[k.key.rsplit(".", 1)[0]].append(k)
    out: dict[str, RowSpec] = {}
    for row_id, specs in grouped.items():
        first = specs[0]
        path = tuple(normalize(p) for p in first.row.replace("›", "/").split("/"))
        out[row_id] = RowSpec(
            row_id=row_id,
            table=table_of(first.key),
            caption=normalize(first.table),
            label=path[-1],
            path=path,
            columns=tuple(k.key.rsplit(".", 1)[1] for k in specs),
            column_labels=tuple(normalize(k.column) for k in specs),
            types=tuple(k.type for k in specs),
            keys=tuple(k.key for k in specs),
            bare_label=split_ordinal(path[-1])[1],
            has_decimal=any(k.type == "decimal" for k in specs),
        )
    return out


@cache
def table_rows(template: str, table: str) -> tuple[RowSpec, ...]:
    """The rows of one table of a version, in keys.yaml order."""
    return tuple(r for r in rows(template).values() if r.table == table)


@cache
def row_labels() -> dict[str, set[str]]:
    """Normalised row label -> row ids (any version). Sub-item labels are also indexed without
    their "1." ordinal, since flattened text sometimes drops it."""
    out: dict[str, set[str]] = defaultdict(set)
    for template in TEMPLATES:
        for r in rows(template).values():
            if r.table == "table4":
                continue  # table 4's groups are header cells, not row labels
            out[r.label].add(r.row_id)
            ordinal, body = split_ordinal(r.label)
            if ordinal[:1].isdigit():
                out[body].add(r.row_id)
    return dict(out)


@cache
def group_labels() -> frozenset[str]:
    """Normalised labels of table 3's upper levels (三、本年度办理结果, 三、不予公开, ...)."""
    out: set[str] = set()
    for template in TEMPLATES:
        for r in rows(template).values():
            if r.table == "table3":
                out.update(r.path[:-1])
    return frozenset(out)


@cache
def table2_columns() -> dict[str, set[tuple[str, str]]]:
    """Normalised table-2 column label -> {(template, column id)}."""
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for template in TEMPLATES:
        for r in rows(template).values():
            if r.table == "table2":
                for col, label in zip(r.columns, r.column_labels, strict=True):
                    out[label].add((template, col))
    return dict(out)


@cache
def table2_captions(template: str) -> dict[str, list[RowSpec]]:
    """Normalised caption -> its rows, for one version."""
    out: dict[str, list[RowSpec]] = defaultdict(list)
    for r in rows(template).values():
        if r.table == "table2":
            out[r.caption].append(r)
    return dict(out)


@cache
def fingerprints() -> dict[str, str]:
    """Normalised label -> the only version that prints it (row or table-2 column labels)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for template in TEMPLATES:
        for r in rows(template).values():
            if r.table == "table2":
                seen[r.label].add(template)
                for label in r.column_labels:
                    seen[label].add(template)
            elif r.table == "table3":
                seen[r.label].add(template)
    return {label: next(iter(ts)) for label, ts in seen.items() if len(ts) == 1}


def table4_groups(template: str) -> list[RowSpec]:
    return [r for r in rows(template).values() if r.table == "table4"]
