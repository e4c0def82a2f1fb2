"""Rows -> cells of keys.yaml: walk the rows, recognise captions, headers and row labels, decide
the template version (§2.1), then read each row's figures into its keys.

The walk works the same on grid rows (positions reliable) and text rows (positions not
reliable, figures read in order, digit runs resolved by identities).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from govreports import spec
from parsers.record import Finding, finding
from parsers.tables import digits, identities, mapping
from parsers.tables.mapping import TABLES, RowSpec, table_of
from parsers.tables.normalize import edit_distance, normalize, split_ordinal, variants
from parsers.tables.rows import Row, split_labels
from parsers.tables.values import clean, is_blank, looks_numeric, parse_value

T4_ROW = "appeals"  # pseudo row id of table 4's single line of 15 figures


@cache
def _conf() -> dict:
    return spec.labels()["tables"]


@cache
def _caption_re() -> re.Pattern[str]:
    return re.compile(_conf()["table2_caption_pattern"])


@dataclass(slots=True)
class Hit:
    row_id: str
    label: str  # normalised label that named the row ("" for table 4's figures)
    values: list[str]
    row: Row
    offset: int  # grid rows: position of the first value cell
    # grid rows: position -> canonical column label (table 2 sub-table header, table 3 header);
    # a label starting with "?" is a header cell that names no column of the template
    header: dict[int, str] | None


@dataclass(slots=True)
class HeaderLabel:
    table: str  # table2 | table3
    caption: str | None
    printed: str
    canonical: str
    via: str | None  # None | typo | synonym | fuzzy


@dataclass(slots=True)
class Walk:
    hits: list[Hit] = field(default_factory=list)
    headers: list[HeaderLabel] = field(default_factory=list)
    lines: dict[str, set[int]] = field(default_factory=lambda: {t: set() for t in TABLES})
    units: dict[str, str] = field(default_factory=dict)  # caption -> money unit its header prints

    def mark(self, table: str, row: Row) -> None:
        self.lines[table] |= row.lines


def match_row(norm: str) -> tuple[str | None, str | None]:
    """(row id, variant kind) for a normalised row label; (None, None) if it names no row."""
    ids = mapping.row_labels().get(norm)
    if ids:
        return sorted(ids)[0], None
    ordinal, body = split_ordinal(norm)
    variant = variants().get(body)
    if variant:
        ids = mapping.row_labels().get(ordinal + variant.canonical) or mapping.row_labels().get(
            variant.canonical
        )
        if ids:
            return sorted(ids)[0], variant.kind
    return None, None


_UNIT_RE = re.compile(r"单位:?(万元|元)")


def match_column(norm: str, expected: str | None = None) -> tuple[str | None, str | None]:
    """(canonical table-2 column label, variant kind) for a printed header cell."""
    columns = mapping.table2_columns()
    if norm in columns:
        return norm, None
    variant = variants().get(norm)
    if variant and variant.canonical in columns:
        return variant.canonical, variant.kind
    unit = _UNIT_RE.search(norm)
    if unit:  # same label in another money unit: not a typo, the figures need converting (C12)
        other = "万元" if unit.group(1) == "元" else "元"
        swapped = f"{norm[: unit.start(1)]}{other}{norm[unit.end(1) :]}"
        if swapped in columns:
            return swapped, f"unit:{unit.group(1)}"
    limit = int(_conf()["max_header_edit_distance"])
    if expected and len(norm) >= 4 and edit_distance(norm, expected) <= limit:
        return expected, "fuzzy"  # positional fallback: the label expected in this column
    return None, None


def walk(rows: list[Row]) -> Walk:
    w = Walk()
    ctx: str | None = None
    caption: str | None = None
    header: dict[int, str] | None = None
    t3header: dict[int, str] | None = None
    grid: int | None = -2
    for row in rows:
        if row.grid != grid:  # a new grid starts without context
            grid, ctx, caption, header, t3header = row.grid, None, None, None, None
        labels, values, offset = split_labels(row)
        norms = [normalize(lab) for lab in labels]
        has_values = any(v.strip() for v in values) or (row.positional and bool(values) and bool(norms))
        cap = next((m for n in norms if (m := _caption_re().match(n))), None)
        if cap:
            ctx, caption, header = "table2", cap.group(0), None
            w.mark("table2", row)
            continue
        if norms and norms[0] == normalize(_conf()["table2_header"]):
            header = _read_header(row, labels, caption, w)
            ctx = "table2"
            w.mark("table2", row)
            continue
        if (
            ctx == "table2"
            and not row.positional
            and not has_values
            and header is not None
            and norms
            and all(match_column(n)[0] for n in norms)
        ):  # one cell per line: header labels arrive as rows of their own
            for n, printed in zip(norms, labels, strict=True):
                canonical, via = match_column(n)
                w.headers.append(HeaderLabel("table2", caption, printed, canonical or n, via))
                if via and via.startswith("unit:"):
                    w.units[caption or ""] = via.removeprefix("unit:")
            w.mark("table2", row)
            continue
        if row.positional and not has_values and _T3_HEADER_MARK in norms:
            t3header = _read_t3_header(row, w)
            ctx = "table3"
            w.mark("table3", row)
            continue
        if any(normalize(_conf()["table3_note"]) in n for n in norms):
            ctx = "table3"
            w.mark("table3", row)
            continue
        if not has_values and any(n in _conf()["table4_markers"] for n in norms):
            ctx = "table4"
            w.mark("table4", row)
            continue
        row_id, label = None, ""
        for n in reversed(norms):
            row_id, _ = match_row(n)
            if row_id:
                label = n
                break
        if row_id and has_values:
            table = table_of(row_id)
            own = {"table2": header, "table3": t3header}.get(table)
            w.hits.append(Hit(row_id, label, values, row, offset, own))
            w.mark(table, row)
            ctx = table
        elif ctx == "table4" and (
            (has_values and any(v.strip() for v in values)) or (row.positional and not norms and values)
        ):  # the line of 15 figures (in a grid it may be all blanks)
            w.hits.append(Hit(T4_ROW, "", values, row, offset, None))
            w.mark("table4", row)
            ctx = None
        elif ctx == "table4" and norms:
            w.mark("table4", row)
    return w


# The header row of table 3 that names every applicant column (after span resolution).
_T3_HEADER_MARK = "商业企业"


def _t3_column_labels() -> dict[str, str]:
    return {lab: lab for lab in mapping.rows("v2021")["applications.new_received"].column_labels}


def _read_t3_header(row: Row, w: Walk) -> dict[int, str]:
    """Position -> canonical applicant-column label of table 3's header (grid rows only).

    Spanned cells repeat, so the row holding 商业企业 also holds 自然人 and 总计 at their
    positions; group words (申请人情况, the 勾稽关系 note) are not columns."""
    columns = _t3_column_labels()
    note = normalize(_conf()["table3_note"])
    out: dict[int, str] = {}
    seen: set[str] = set()
    for pos, printed in enumerate(row.cells):
        norm = normalize(printed)
        if not norm or note in norm or norm in ("申请人情况", "法人或其他组织"):
            continue
        canonical, via = (norm, None) if norm in columns else (None, None)
        variant = variants().get(norm)
        if canonical is None and variant and variant.canonical in columns:
            canonical, via = variant.canonical, variant.kind
        out[pos] = canonical or f"?{norm}"
        if canonical and via and canonical not in seen:
            w.headers.append(HeaderLabel("table3", None, printed, canonical, via))
        if canonical:
            seen.add(canonical)
    return out


def _read_header(row: Row, labels: list[str], caption: str | None, w: Walk) -> dict[int, str]:
    """Position -> canonical column label of a table-2 header row; also records C24 material.

    A label that matches nothing is compared with the label each version expects at that
    position (edit distance, §9 "positional fallback")."""
    per_template = [
        list(rows[0].column_labels)
        for t in mapping.TEMPLATES
        if (rows := mapping.table2_captions(t).get(caption or ""))
    ]
    cells = list(enumerate(row.cells if row.positional else labels))[1:]
    out: dict[int, str] = {}
    k = 0
    last: tuple[str, int] | None = None
    for pos, printed in cells:
        norm = normalize(printed)
        if not norm:
            continue
        if last and norm == last[0] and last[1] in out:  # the same cell spanning columns
            out[pos] = out[last[1]]
            continue
        canonical, via = match_column(norm)
        if canonical is None:
            for cols in per_template:
                if k < len(cols):
                    canonical, via = match_column(norm, cols[k])
                    if canonical:
                        break
        if canonical:
            out[pos] = canonical
            w.headers.append(HeaderLabel("table2", caption, printed, canonical, via))
            if via and via.startswith("unit:"):
                w.units[caption or ""] = via.removeprefix("unit:")
        k += 1
        last = (norm, pos)
    return out


def decide_template(w: Walk) -> str | None:
    """§2.1: any fingerprint decides; on a mix the majority wins (the mix is C04, not ours)."""
    votes: Counter[str] = Counter()
    for hit in w.hits:
        owners = [t for t in mapping.TEMPLATES if hit.row_id in mapping.rows(t)]
        if len(owners) == 1:
            votes[owners[0]] += 1
    prints = mapping.fingerprints()
    for h in w.headers:
        if h.canonical in prints:
            votes[prints[h.canonical]] += 1
    if not votes:
        return None
    ranked = votes.most_common()
    return ranked[0][0]


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
        by_table["table4" if hit.row_id == T4_ROW else table_of(hit.row_id)].append(hit)
    for table in TABLES:
        hits = by_table[table]
        out.present[table] = bool(hits)
        if template is None and table != "table4":
            continue
        if not hits:
            if template is not None:
                out.findings.append(finding("C06", f"{_TABLE_NAMES[table]} is absent"))
            continue
        if table == "table4":
            _read_table4(hits[0], mapping.table4_groups(t), out, uncertain)
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
        for r in specs.values():
            if r.table != table:
                continue
            hit = first.get(r.row_id)
            if hit is None:
                missing += r.keys
                out.cells.update(dict.fromkeys(r.keys))
                continue
            _check_label(hit, r, out)
            _read_row(hit, r, out, uncertain, w.units.get(r.caption) or w.units.get(""))
        if missing:
            out.findings.append(
                finding("C06", f"{_TABLE_NAMES[table]}: {len(missing)} cells of missing rows", missing)
            )
    _prune_ambiguous(out, t)
    return out


_TABLE_NAMES = {
    "table2": "table 2 (主动公开政府信息情况)",
    "table3": "table 3 (收到和处理政府信息公开申请情况)",
    "table4": "table 4 (行政复议、行政诉讼情况)",
}


def _check_label(hit: Hit, r: RowSpec, out: Cells) -> None:
    """C24 when the printed row label is not the version's own label (typo or synonym)."""
    if hit.label in (r.label, split_ordinal(r.label)[1]):
        return
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


def _clean_token(text: str) -> bool:
    """A figure whose cell boundary is certain: no inner space, no leading zero."""
    token = text.strip()
    if not token or any(ch.isspace() for ch in token):
        return False
    return not (token.isdigit() and len(token) > 1 and token[0] == "0")


def _read_row(
    hit: Hit, r: RowSpec, out: Cells, uncertain: set[tuple[int, int, int]], unit: str | None = None
) -> None:
    group = len(r.columns) if r.table == "table3" else None  # A3: the row ends in its total
    raw = _raw_values(hit, r, len(r.columns), group, out)
    if raw is not None and unit:  # the header's unit applies to figures printed without one
        raw = [
            (
                f"{text}{unit}"
                if kind == "decimal" and looks_numeric(text) and not _has_unit(text)
                else text,
                pos,
            )
            for (text, pos), kind in zip(raw, r.types, strict=True)
        ]
    _store(hit, list(r.keys), list(r.types), raw, out, uncertain)


def _read_table4(hit: Hit, groups: list[RowSpec], out: Cells, uncertain: set[tuple[int, int, int]]) -> None:
    keys = [k for g in groups for k in g.keys]
    types = [ty for g in groups for ty in g.types]
    group = len(groups[0].columns)  # A4: each group ends in its total
    raw = _raw_values(hit, None, len(keys), group, out)
    _store(hit, keys, types, raw, out, uncertain)


def _raw_values(
    hit: Hit, r: RowSpec | None, n: int, group: int | None, out: Cells
) -> list[tuple[str, int]] | None:
    """The row's n printed figures in column order with their grid column (-1 for text),
    or None when they cannot be told apart."""
    if hit.row.positional:
        positions = _grid_positions(hit, r, n)
        return None if positions is None else [(hit.row.cells[p], p) for p in positions]
    values = [v.strip() for v in hit.values if v.strip()]
    if len(values) == n and all(_clean_token(v) or is_blank(v) for v in values):
        return [(v, -1) for v in values]
    if values and all(v.replace(" ", "").isdigit() for v in values):
        found = digits.candidates(" ".join(values), n, group)
        if len(found) == 1:
            return [(str(x), -1) for x in found[0]]
        if len(found) > 1:
            out.ambiguous[r.row_id if r else T4_ROW] = found
    return None


def _grid_positions(hit: Hit, r: RowSpec | None, n: int) -> list[int] | None:
    first = hit.offset
    width = len(hit.row.cells)
    if r is not None and r.table == "table2":
        if hit.header:
            found: list[int] = []
            for label in r.column_labels:
                pos = next((p for p, lab in sorted(hit.header.items()) if lab == label and p >= first), None)
                if pos is None or pos >= width:
                    break
                found.append(pos)
            else:
                return found
        values = hit.row.cells[first:]
        if len(values) >= n and len(set(values[n - 1 :])) == 1:
            return list(range(first, first + n))  # the last figure spans the remaining columns
        return None
    if r is not None and hit.header:  # table 3: columns by their header labels
        positions = {lab: p for p, lab in sorted(hit.header.items(), reverse=True) if p >= first}
        if all(lab in positions for lab in r.column_labels):
            return [positions[lab] for lab in r.column_labels]
    return list(range(width - n, width)) if width - first >= n else None


def _store(
    hit: Hit,
    keys: list[str],
    types: list[str],
    raw: list[tuple[str, int]] | None,
    out: Cells,
    uncertain: set[tuple[int, int, int]],
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
    extra = [lab[1:] for p, lab in (hit.header or {}).items() if p >= hit.offset and lab.startswith("?")]
    if extra:
        out.findings.append(finding("C06", f"row {hit.label!r}: columns not in the template: {extra}", keys))
    elif hit.row.positional and not hit.header and len(hit.values) > len(raw):
        out.findings.append(
            finding("C06", f"row {hit.label!r} has {len(hit.values)} columns, expected {len(keys)}", keys)
        )
    for key, kind, (text, pos) in zip(keys, types, raw, strict=True):
        if hit.row.grid is not None and (hit.row.grid, hit.row.index, pos) in uncertain:
            out.cells[key] = None
            out.findings.append(finding("C07", f"{key}: low-confidence reading {text!r}", [key]))
            continue
        value, issues = parse_value(text, key, kind)
        out.cells[key] = value
        out.findings += [finding(cid, message, [key]) for cid, message in issues]


def _prune_ambiguous(out: Cells, template: str) -> None:
    """Cross-row pruning (§10): keep a reading only if A1/A2 hold with it; accept a unique one."""
    progress = True
    while progress and out.ambiguous:
        progress = False
        for row_id, found in list(out.ambiguous.items()):
            if not row_id.startswith("applications."):
                continue
            keys = list(mapping.rows(template)[row_id].keys)
            keep = []
            for values in found:
                trial = dict(out.cells)
                trial.update(zip(keys, values, strict=True))
                bad = any(
                    cid in ("C08", "C09") and set(keys) & set(ks)
                    for cid, _, ks in identities.violations(trial, template)
                )
                if not bad:
                    keep.append(values)
            if len(keep) == 1:
                out.cells.update(zip(keys, keep[0], strict=True))
                out.findings = [f for f in out.findings if not (f.check == "C07" and tuple(keys) == f.keys)]
                del out.ambiguous[row_id]
                progress = True
            else:
                out.ambiguous[row_id] = keep or found
