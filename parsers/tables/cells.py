"""A Walk -> the cells of keys.yaml with their findings: every row's figures read into its keys
(grid positions, header positions, or text order with digit runs resolved), absent tables and
rows as C06, blanks as C07, units and ranges as C12, variant labels as C24.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import product
from math import prod

from parsers.record import Finding, finding
from parsers.tables import digits, identities, mapping
from parsers.tables.mapping import TABLES, RowSpec
from parsers.tables.normalize import CACHE_SIZE
from parsers.tables.values import clean, is_blank, looks_numeric, plain_count, read_value
from parsers.tables.walk import T4_ROW, Hit, Walk


@dataclass(slots=True)
class Cells:
    cells: dict[str, int | str | None] = field(default_factory=dict)
    present: dict[str, bool] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    ambiguous: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)


def build_cells(w: Walk, template: str | None, uncertain: set[tuple[int, int, int]]) -> Cells:
    out = Cells()
    t = template or "v2021"  # table 4 reads the same in both versions
    specs = mapping.rows(t)
    by_table: dict[str, list[Hit]] = {table: [] for table in TABLES}
    for hit in w.hits:
        by_table[hit.table].append(hit)
    national = template is not None or any(by_table.values())  # a national-template report
    columns = _COLUMNS
    columns.trim()  # (between reports: no entry a report is using goes)
    for table in TABLES:
        hits = by_table[table]
        out.present[table] = bool(hits)
        if not hits:
            if national:
                out.findings.append(finding("C06", f"{_TABLE_NAMES[table]} is absent"))
            continue
        if template is None and table != "table4":
            out.findings.append(
                finding("C06", f"{_TABLE_NAMES[table]}: no v2019/v2021 fingerprint, its cells are left out")
            )
            continue
        if table == "table4":
            _read_table4(hits[0], t, out, uncertain, columns)
            continue
        first: dict[str, Hit] = {}
        for hit in hits:
            if hit.row_id not in specs:
                out.findings.append(
                    finding(
                        "C06", f"{_TABLE_NAMES[table]}: row {hit.label!r} is not part of the {t} template"
                    )
                )
                continue
            first.setdefault(hit.row_id, hit)  # a repeated group label after a page break is ignored
        missing: list[str] = []
        for r in mapping.table_rows(t, table):
            hit = first.get(r.row_id)
            if hit is None:
                missing += r.keys
                out.cells.update(dict.fromkeys(r.keys))
                continue
            if hit.label != r.label and hit.label != r.bare_label:
                _label_finding(hit, r, out)
            unit = (w.units.get(r.caption) or w.units.get("")) if w.units else None
            _read_row(hit, r, out, uncertain, unit, columns)
        if missing:
            out.findings.append(
                finding("C06", f"{_TABLE_NAMES[table]}: {len(missing)} cells of missing rows", missing)
            )
    _prune_ambiguous(out, t)
    return out


# Where a header puts a row's figures: (their positions, or None when the header does not place
# every column of the row; the header's labels "?…" from the first figure on that name no
# column of the template, without the "?", in header order). Shared, never changed.
_Placed = tuple[list[int] | None, list[str]]


class _HeaderColumns:
    """`_place` memoised per (header, first value position, row width, row spec) and kept from
    report to report: the headers are walk's memoised readings of the template's header rows,
    the same dict objects report after report, so a row's columns are placed once, not once per
    report."""

    def __init__(self) -> None:
        # Each entry holds the header and row spec its key names by id(): while the entry lives
        # they do, so no other object can take their id; the identity test on a hit makes that
        # hold even when parsing threads (crawler.pipelines) interleave a store with a clear().
        self._placed: dict[tuple[int, int, int, int], tuple[dict[int, str], RowSpec | None, _Placed]] = {}

    def trim(self) -> None:
        """Bounded like the caches (normalize.CACHE_SIZE entries): emptied when full."""
        if len(self._placed) > CACHE_SIZE:
            self.clear()

    def clear(self) -> None:
        self._placed.clear()

    def place(self, header: dict[int, str], first: int, width: int, r: RowSpec | None) -> _Placed:
        key = (id(header), first, width, id(r))
        found = self._placed.get(key)
        if found is not None and found[0] is header and found[1] is r:
            return found[2]
        placed = _place(header, first, width, r)
        self._placed[key] = (header, r, placed)
        return placed


def _place(header: dict[int, str], first: int, width: int, r: RowSpec | None) -> _Placed:
    """Row `r`'s columns by their labels in `header` (each label at its leftmost position from
    `first` on; table 2: inside the row's `width`), and the header's unknown columns."""
    at: dict[str, int] = {}
    for p, lab in sorted(header.items()):
        if p >= first:
            at.setdefault(lab, p)
    extra = [lab[1:] for p, lab in header.items() if p >= first and lab.startswith("?")]
    if r is None:
        return None, extra
    found = list(map(at.get, r.column_labels))
    if None in found or (r.table == "table2" and max(found) >= width):  # type: ignore[type-var]
        return None, extra
    return found, extra  # type: ignore[return-value]


_COLUMNS = _HeaderColumns()


_TABLE_NAMES = {
    "table2": "table 2 (主动公开政府信息情况)",
    "table3": "table 3 (收到和处理政府信息公开申请情况)",
    "table4": "table 4 (行政复议、行政诉讼情况)",
}


def _label_finding(hit: Hit, r: RowSpec, out: Cells) -> None:
    """C24: the printed row label is not the version's own label (typo or synonym)."""
    out.findings.append(
        finding("C24", f"row label {hit.label!r} read as {r.label!r} (typo/synonym dictionary)", r.keys)
    )


def header_findings(w: Walk, template: str | None) -> list[Finding]:
    out: list[Finding] = []
    if template is None:
        return out
    for h in w.headers:
        if h.via is None:
            continue
        keys = [
            r.key(col)
            for r in mapping.rows(template).values()
            if r.table == h.table and (h.caption is None or r.caption == h.caption)
            for col, label in zip(r.columns, r.column_labels, strict=True)
            if label == h.canonical
        ]
        if h.via.startswith("unit:"):
            unit = h.via.removeprefix("unit:")
            out.append(
                finding("C12", f"column header {h.printed!r} counts in {unit}; figures converted", keys)
            )
        else:
            out.append(finding("C24", f"column header {h.printed!r} read as {h.canonical!r} ({h.via})", keys))
    return out


def _has_unit(text: str) -> bool:
    return clean(text).endswith("元")


@lru_cache(maxsize=CACHE_SIZE)
def _clean_token(text: str) -> bool:
    """A figure whose cell boundary is certain: no inner space, no leading zero."""
    token = text.strip()
    if not token or len(token.split()) > 1:  # split() breaks at the same whitespace as isspace()
        return False
    return not (token.isdigit() and len(token) > 1 and token[0] == "0")


def _read_row(
    hit: Hit,
    r: RowSpec,
    out: Cells,
    uncertain: set[tuple[int, int, int]],
    unit: str | None,
    columns: _HeaderColumns,
) -> None:
    group = len(r.columns) if r.table == "table3" else None  # A3: the row ends in its total
    placed = columns.place(hit.header, hit.offset, len(hit.row.cells), r) if hit.header else None
    raw = _raw_values(hit, r, len(r.columns), group, out, placed)
    if raw is not None and unit:  # the header's unit applies to figures printed without one
        texts, positions = raw
        texts = [
            f"{text}{unit}" if kind == "decimal" and looks_numeric(text) and not _has_unit(text) else text
            for text, kind in zip(texts, r.types, strict=True)
        ]
        raw = texts, positions
    _store(hit, r.keys, r.types, r.has_decimal, raw, out, uncertain, placed)


def _read_table4(
    hit: Hit, template: str, out: Cells, uncertain: set[tuple[int, int, int]], columns: _HeaderColumns
) -> None:
    keys, types, group = _table4_layout(template)
    placed = columns.place(hit.header, hit.offset, len(hit.row.cells), None) if hit.header else None
    raw = _raw_values(hit, None, len(keys), group, out, placed)
    _store(hit, keys, types, "decimal" in types, raw, out, uncertain, placed)


@cache
def _table4_layout(template: str) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(keys, types, group size) of table 4's one line of figures; A4: each group ends in its total."""
    groups = mapping.table4_groups(template)
    keys = tuple(k for g in groups for k in g.keys)
    types = tuple(ty for g in groups for ty in g.types)
    return keys, types, len(groups[0].columns)


_SIGNED_RUN_RE = re.compile(r"[\d\s+\-]+")
_SIGNED_FIGURE_RE = re.compile(r"[+\-]?(?:0|[1-9]\d*)")
_SIGN_RE = re.compile(r"[+\-]")
_BEFORE_SIGN_RE = re.compile(r"(?=[+\-])")

# (printed figures, their grid columns or None for text): a row's n figures in column order.
_Raw = tuple[list[str], list[int] | None]


def _raw_values(
    hit: Hit, r: RowSpec | None, n: int, group: int | None, out: Cells, placed: _Placed | None
) -> _Raw | None:
    """The row's n printed figures in column order with their grid columns (None for text),
    or None when they cannot be told apart."""
    if hit.row.grid is not None:
        positions = _grid_positions(hit, r, n, placed)
        if positions is None:
            return None
        cells = hit.row.cells
        return [cells[p] for p in positions], positions
    # (a text row's values are its non-blank cells: stripping drops none of them)
    values = list(map(str.strip, hit.values))
    if len(values) == n and (
        all(map(_clean_token, values)) or all(_clean_token(v) or is_blank(v) for v in values)
    ):
        return values, None
    joined = " ".join(values)
    if values and _SIGNED_RUN_RE.fullmatch(joined) and _SIGN_RE.search(joined):
        # v2019 本年增/减 printed inside a run ("35-15"): a sign starts a figure, nothing else does
        for pieces in (joined.split(), [p for p in _BEFORE_SIGN_RE.split(joined.replace(" ", "")) if p]):
            if len(pieces) == n and all(_SIGNED_FIGURE_RE.fullmatch(p) for p in pieces):
                return pieces, None
        return None
    if values and all(v.replace(" ", "").isdigit() for v in values):
        found = digits.candidates(joined, n, group)
        if len(found) == 1:
            return [str(x) for x in found[0]], None
        if len(found) > 1:
            out.ambiguous[r.row_id if r else T4_ROW] = found
    return None


def _grid_positions(hit: Hit, r: RowSpec | None, n: int, placed: _Placed | None) -> list[int] | None:
    if placed is not None and placed[0] is not None:
        return placed[0]  # tables 2 and 3: columns by their header labels
    first = hit.offset
    width = len(hit.row.cells)
    if r is not None and r.table == "table2":
        values = hit.row.cells[first:]
        if len(values) >= n and len(set(values[n - 1 :])) == 1:
            return list(range(first, first + n))  # the last figure spans the remaining columns
        return None
    return list(range(width - n, width)) if width - first >= n else None


def _store(
    hit: Hit,
    keys: tuple[str, ...],
    types: tuple[str, ...],
    has_decimal: bool,
    raw: _Raw | None,
    out: Cells,
    uncertain: set[tuple[int, int, int]],
    placed: _Placed | None,
) -> None:
    if raw is None:
        out.cells.update(dict.fromkeys(keys))
        printed = " | ".join(v.strip() for v in hit.values)
        ambiguous = out.ambiguous.get(hit.row_id)
        if ambiguous:
            message = f"figures {printed!r} split {len(ambiguous)} ways into {len(keys)} cells; left null"
        else:
            message = f"figures {printed!r} do not fit the {len(keys)} cells of the row; left null"
        out.findings.append(finding("C07", message, keys))
        return
    texts, positions = raw
    row = hit.row
    if placed is not None:
        extra = placed[1]
        if extra:
            out.findings.append(
                finding("C06", f"row {hit.label!r}: columns not in the template: {extra}", keys)
            )
    elif row.grid is not None and len(hit.values) > len(texts):
        out.findings.append(
            finding("C06", f"row {hit.label!r} has {len(hit.values)} columns, expected {len(keys)}", keys)
        )
    cells = out.cells
    flagged = bool(uncertain) and row.grid is not None and positions is not None
    if not has_decimal and not flagged:
        # Counts only, nothing flagged by the reader: plain whole numbers are the common case.
        counts = list(map(plain_count, texts))
        if None not in counts:
            cells.update(zip(keys, counts, strict=True))
            return
    for n, (key, kind, text) in enumerate(zip(keys, types, texts, strict=True)):
        if flagged and (row.grid, row.index, positions[n]) in uncertain:  # type: ignore[index]
            cells[key] = None
            out.findings.append(finding("C07", f"{key}: low-confidence reading {text!r}", [key]))
            continue
        if kind != "decimal":
            count = plain_count(text)
            if count is not None:
                cells[key] = count
                continue
        value, issues = read_value(text, key, kind)
        cells[key] = value
        if issues:
            out.findings += [finding(cid, message, [key]) for cid, message in issues]


def _prune_ambiguous(out: Cells, template: str) -> None:
    """Cross-row pruning (§10): keep a reading only if A1/A2 hold with it; accept a unique one.

    Rows are first pruned one at a time (the other rows as read); rows that stay ambiguous
    together (两 rows of one column sum) are then tried jointly, when the combinations are few."""
    rows = {rid: found for rid, found in out.ambiguous.items() if rid.startswith("applications.")}
    if not rows:
        return
    progress = True
    while progress:
        progress = False
        for row_id in list(rows):
            keep = [v for v in rows[row_id] if _consistent(out, template, {row_id: v})]
            if len(keep) == 1:
                _accept(out, template, {row_id: keep[0]})
                del rows[row_id]
                progress = True
            elif keep:
                rows[row_id] = keep
    if not rows or prod(len(v) for v in rows.values()) > _MAX_JOINT:
        return
    ids = list(rows)
    joint = [dict(zip(ids, combo, strict=True)) for combo in product(*(rows[i] for i in ids))]
    keep = [choice for choice in joint if _consistent(out, template, choice)]
    if len(keep) == 1:
        _accept(out, template, keep[0])


_MAX_JOINT = 5000


def _consistent(out: Cells, template: str, choice: dict[str, tuple[int, ...]]) -> bool:
    """No A1/A2 violation touching the chosen rows when they take these readings."""
    trial = dict(out.cells)
    touched: set[str] = set()
    for row_id, values in choice.items():
        keys = mapping.rows(template)[row_id].keys
        trial.update(zip(keys, values, strict=True))
        touched.update(keys)
    return not any(
        cid in ("C08", "C09") and touched & set(keys)
        for cid, _, keys in identities.violations(trial, template)
    )


def _accept(out: Cells, template: str, choice: dict[str, tuple[int, ...]]) -> None:
    for row_id, values in choice.items():
        keys = mapping.rows(template)[row_id].keys
        out.cells.update(zip(keys, values, strict=True))
        out.findings = [f for f in out.findings if not (f.check == "C07" and tuple(keys) == f.keys)]
        out.ambiguous.pop(row_id, None)
