"""Rows -> a Walk: captions, headers and row labels recognised, each labelled row a Hit; the
template version decided from them (annual-report-format.md §2.1, §9).

The walk works the same on grid rows (positions reliable) and text rows (positions not
reliable); reading the figures of each Hit into keys is cells.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import itemgetter

from govreports import spec
from parsers.tables import mapping
from parsers.tables.mapping import TABLES, table_of
from parsers.tables.normalize import (
    CACHE_SIZE,
    edit_distance,
    inert_prefix,
    normalize,
    prefixes,
    split_ordinal,
    variants,
)
from parsers.tables.rows import Row, dedupe_labels, is_value, more_cjk_than, split_cells

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
    values: tuple[str, ...]  # the row view's own tuple, shared (never changed)
    row: Row
    offset: int  # grid rows: position of the first value cell
    # grid rows: position -> canonical column label (table 2 sub-table header, table 3 header);
    # a label starting with "?" is a header cell that names no column of the template
    header: dict[int, str] | None
    table: str  # table2 | table3 | table4, the table of `row_id` (table 4 for T4_ROW)


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


# What the walk needs of one row, a pure function of its cells; a plain tuple (a NamedTuple of
# twelve fields costs ~6x as much to build, once per new row), unpacked once per row by `walk`:
#   labels, values: the row's label and value cells
#   offset: position of the first value cell
#   norms: normalised labels
#   has_values
#   named: (row id, label) of the last label naming a row
#   caption: a table-2 caption (第二十条第(一)项) among the labels
#   t2_header: the first label is table 2's header word (信息内容)
#   t3_mark: 商业企业 among the labels (table 3's header row)
#   t3_note: table 3's 勾稽关系 note among the labels
#   t4_marker: a table-4 header word among the labels
#   inert: none of the above and no row named: the row matters only inside table 2 or 4
_View = tuple[
    tuple[str, ...],
    tuple[str, ...],
    int,
    tuple[str, ...],
    bool,
    tuple[str | None, str],
    str | None,
    bool,
    bool,
    bool,
    bool,
    bool,
]


@lru_cache(maxsize=CACHE_SIZE)
def _row_view(cells: tuple[str, ...], positional: bool) -> _View:
    """Memoised: the rows of the tables recur from report to report. A row whose figures are
    new still finds its labels' reading in `_grid_labels` / `_label_view`."""
    if positional:
        offset = _last_label(cells) + 1
        labels, label_view = _grid_labels(cells[:offset])
        values = cells[offset:]
    else:
        split_labels, split_values, offset = split_cells(cells, positional)
        labels, values = tuple(split_labels), tuple(split_values)
        label_view = _label_view(labels)
    norms, named, caption, t2_header, t3_mark, t3_note, t4_marker = label_view
    has_values = any(map(str.strip, values)) or (positional and bool(values) and bool(norms))
    inert = caption is None and named[0] is None and not (t2_header or t3_mark or t3_note or t4_marker)
    return (
        labels,
        values,
        offset,
        norms,
        has_values,
        named,
        caption,
        t2_header,
        t3_mark,
        t3_note,
        t4_marker,
        inert,
    )


def _last_label(cells: tuple[str, ...]) -> int:
    """Position of a grid row's last label cell (-1 if none): every cell after it is a value
    or blank. Searched from the end, where a row's figures are."""
    for i in range(len(cells) - 1, -1, -1):
        cell = cells[i]
        if cell.isdigit() and cell.isascii():
            continue  # a plain figure (is_value's own first test): no cache lookup
        if cell.strip() and not is_value(cell):
            return i
    return -1


@lru_cache(maxsize=CACHE_SIZE)
def _grid_labels(head: tuple[str, ...]) -> tuple[tuple[str, ...], _LabelView]:
    """(labels, their `_label_view`) of a grid row's cells up to its last label: the printed
    labels once each (spanned cells repeat). Memoised apart from the figures after them."""
    labels = tuple(dedupe_labels([c for c in head if c.strip()]))
    return labels, _label_view(labels)


_LabelView = tuple[tuple[str, ...], tuple[str | None, str], str | None, bool, bool, bool, bool]


@lru_cache(maxsize=CACHE_SIZE)
def _label_view(labels: tuple[str, ...]) -> _LabelView:
    """The part of a row's view that depends on its labels only (norms, named, caption and the
    marker tests): the fixed vocabulary of the templates, so it stays cached across reports."""
    caption_re, table2_header, table3_note, table4_markers = _markers()
    if len(labels) == 1 and _no_template_word(labels[0]):
        # A narrative line: its printed text stands in for its normalised one, which walk would
        # only test for its length (> _T4_HEADER_MAX either way) and with match_column (no
        # column either way): see `_no_template_word`.
        return labels, (None, ""), None, False, False, False, False
    norms = tuple(normalize(lab) for lab in labels)
    named: tuple[str | None, str] = (None, "")
    for n in reversed(norms):
        row_id, _ = match_row(n)
        if row_id:
            named = (row_id, n)
            break
    cap = next((m for n in norms if (m := caption_re.match(n))), None)
    return (
        norms,
        named,
        cap.group(0) if cap else None,
        bool(norms) and norms[0] == table2_header,
        _T3_HEADER_MARK in norms,
        any(table3_note in n for n in norms),
        any(n in table4_markers for n in norms),
    )


def _no_template_word(label: str) -> bool:
    """normalize(label) names no row, variant, column, header word, table-4 marker nor table-2
    caption, holds no table-3 note, and is longer than any table-4 header word; so does the
    printed label itself (no column, longer than _T4_HEADER_MAX). Told without normalising it,
    from its `inert_prefix` (which normalize(label) starts with): narrative lines, new in every
    report, are most of the labels that are not in the cache."""
    opening = inert_prefix(label)
    if opening is None or opening in _word_prefixes() or _UNIT_RE.search(opening):
        return False  # (a unit inside the opening: match_column's unit swap would change it)
    if opening[0].isdigit():
        if len(opening) < 3:
            return False  # "12." would be an ordinal, and a variant is looked up after it
    else:
        ordinal, body = split_ordinal(opening)  # the ordinal normalize(label) starts with
        if ordinal and (not body or body in _variant_prefixes()):
            return False
    literal = _caption_literal()
    if not literal or literal.startswith(opening) or opening.startswith(literal):
        return False
    note = _markers()[2]
    # The note's ideographs can only come from the same ideographs printed, or from the
    # compatibility characters NFKC turns into ideographs.
    if _COMPAT_IDEOGRAPH_RE.search(label) or all(ch in label for ch in note):
        return False
    return more_cjk_than(label, _T4_HEADER_MAX)


# Characters outside U+4E00–U+9FFF whose NFKC form holds a CJK ideograph of that block (radicals,
# compatibility and enclosed ideographs, Kanbun, Hangzhou numerals); a test checks every code point.
_COMPAT_IDEOGRAPH_RE = re.compile(
    "[\u2e80-\u2fdf\u3038-\u303a\u3192-\u319f\u3200-\u33ff\uf900-\ufaff\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]"
)


@cache
def _word_prefixes() -> frozenset[str]:
    """Every prefix of every word a normalised label is compared with as a whole."""
    _, table2_header, _, table4_markers = _markers()
    words = [*mapping.row_labels(), *variants(), *mapping.table2_columns(), table2_header, _T3_HEADER_MARK]
    return prefixes([*words, *table4_markers])


@cache
def _variant_prefixes() -> frozenset[str]:
    return prefixes(variants())


@cache
def _caption_literal() -> str:
    """The literal text every table-2 caption match starts with ("" when its pattern does not
    start with one): the characters after "^" up to the first one with a special meaning or a
    quantifier."""
    pattern = _caption_re().pattern
    if not pattern.startswith("^"):
        return ""
    out = []
    for n, ch in enumerate(pattern[1:], 1):
        following = pattern[n + 1 : n + 2]
        if ch in ".^$*+?{}[]\\|()" or following in ("*", "?", "{"):
            break
        out.append(ch)
        if following == "+":
            break
    return "".join(out)


@cache
def _markers() -> tuple[re.Pattern[str], str, str, frozenset[str]]:
    """(table-2 caption pattern, normalised table-2 header word, normalised table-3 note,
    table-4 header words)."""
    conf = _conf()
    return (
        _caption_re(),
        normalize(conf["table2_header"]),
        normalize(conf["table3_note"]),
        frozenset(conf["table4_markers"]),
    )


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
        positional = row.grid is not None
        # (one unpacking of the view: a dozen named-field reads cost more, on every row)
        (
            labels,
            values,
            offset,
            norms,
            has_values,
            named,
            row_caption,
            t2_header,
            t3_mark,
            t3_note,
            t4_marker,
            inert,
        ) = _row_view(tuple(row.cells), positional)
        if inert and ctx != "table2" and ctx != "table4":
            continue  # (every test below would fail: narrative and rows of no table)
        if row_caption is not None:
            ctx, caption, header = "table2", row_caption, None
            w.mark("table2", row)
            continue
        if t2_header:
            header = _read_header(row, labels, caption, w)
            ctx = "table2"
            w.mark("table2", row)
            continue
        if (
            ctx == "table2"
            and not positional
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
        if positional and not has_values and t3_mark:
            t3header = _read_t3_header(row, w)
            ctx = "table3"
            w.mark("table3", row)
            continue
        if t3_note:
            ctx = "table3"
            w.mark("table3", row)
            continue
        if not has_values and t4_marker:
            ctx = "table4"
            w.mark("table4", row)
            continue
        row_id, label = named
        if row_id and has_values:
            table = table_of(row_id)
            own = header if table == "table2" else t3header if table == "table3" else None
            w.hits.append(Hit(row_id, label, values, row, offset, own, table))
            if row.lines:
                w.lines[table] |= row.lines
            ctx = table
        elif ctx == "table4" and (
            (has_values and any(v.strip() for v in values)) or (positional and not norms and values)
        ):  # the line of 15 figures (in a grid it may be all blanks)
            w.hits.append(Hit(T4_ROW, "", values, row, offset, None, "table4"))
            w.mark("table4", row)
            ctx = None
        elif ctx == "table4" and norms:
            if all(len(n) <= _T4_HEADER_MAX for n in norms):
                w.mark("table4", row)  # header words, possibly split ("结果" / "维持")
            else:
                ctx = None  # narrative: table 4 had no line of figures
    return w


# Table 4's header cells are short (未经复议直接起诉 is the longest); longer text ends the table.
_T4_HEADER_MAX = 8


# The header row of table 3 that names every applicant column (after span resolution).
_T3_HEADER_MARK = "商业企业"


def _t3_column_labels() -> dict[str, str]:
    return {lab: lab for lab in mapping.rows("v2021")["applications.new_received"].column_labels}


def _read_t3_header(row: Row, w: Walk) -> dict[int, str]:
    """Position -> canonical applicant-column label of table 3's header (grid rows only).

    Spanned cells repeat, so the row holding 商业企业 also holds 自然人 and 总计 at their
    positions; group words (申请人情况, the 勾稽关系 note) are not columns."""
    out, headers = _t3_header(tuple(row.cells))
    w.headers += headers
    return out


@lru_cache(maxsize=CACHE_SIZE)
def _t3_header(cells: tuple[str, ...]) -> tuple[dict[int, str], tuple[HeaderLabel, ...]]:
    """`_read_t3_header` of a row's cells: (columns, C24 material). Memoised: header rows are
    template text (the returned dict is shared, never changed)."""
    columns = _t3_column_labels()
    note = normalize(_conf()["table3_note"])
    out: dict[int, str] = {}
    headers: list[HeaderLabel] = []
    seen: set[str] = set()
    for pos, printed in enumerate(cells):
        norm = normalize(printed)
        if not norm or note in norm or norm in ("申请人情况", "法人或其他组织"):
            continue
        canonical, via = (norm, None) if norm in columns else (None, None)
        variant = variants().get(norm)
        if canonical is None and variant and variant.canonical in columns:
            canonical, via = variant.canonical, variant.kind
        out[pos] = canonical or f"?{norm}"
        if canonical and via and canonical not in seen:
            headers.append(HeaderLabel("table3", None, printed, canonical, via))
        if canonical:
            seen.add(canonical)
    return out, tuple(headers)


def _read_header(row: Row, labels: tuple[str, ...], caption: str | None, w: Walk) -> dict[int, str]:
    """Position -> canonical column label of a table-2 header row; also records C24 material.

    A label that matches nothing is compared with the label each version expects at that
    position (edit distance, §9 "positional fallback")."""
    out, headers = _t2_header(tuple(row.cells) if row.positional else labels, caption)
    for h in headers:
        w.headers.append(h)
        if h.via and h.via.startswith("unit:"):
            w.units[caption or ""] = h.via.removeprefix("unit:")
    return out


@lru_cache(maxsize=CACHE_SIZE)
def _t2_header(
    printed_cells: tuple[str, ...], caption: str | None
) -> tuple[dict[int, str], tuple[HeaderLabel, ...]]:
    """`_read_header` of a row's cells (grid) or labels (text) under `caption`: (columns, header
    labels read). Memoised: header rows are template text (the returned dict is shared, never
    changed)."""
    per_template = [
        list(rows[0].column_labels)
        for t in mapping.TEMPLATES
        if (rows := mapping.table2_captions(t).get(caption or ""))
    ]
    cells = list(enumerate(printed_cells))[1:]
    out: dict[int, str] = {}
    headers: list[HeaderLabel] = []
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
            headers.append(HeaderLabel("table2", caption, printed, canonical, via))
        k += 1
        last = (norm, pos)
    return out, tuple(headers)


@cache
def _owners() -> dict[str, tuple[str, ...]]:
    """Row id -> the template versions that have the row."""
    ids = {r for t in mapping.TEMPLATES for r in mapping.rows(t)}
    return {r: tuple(t for t in mapping.TEMPLATES if r in mapping.rows(t)) for r in ids}


def decide_template(w: Walk) -> str | None:
    """§2.1: any fingerprint decides; on a mix the majority wins (the mix is C04, not ours)."""
    # (a plain dict: Counter's += and most_common cost more per hit; max keeps most_common's
    # order among equal counts, first counted first)
    votes: dict[str, int] = {}
    owners_of = _owners()
    for hit in w.hits:
        owners = owners_of.get(hit.row_id, ())
        if len(owners) == 1:
            votes[owners[0]] = votes.get(owners[0], 0) + 1
    prints = mapping.fingerprints()
    for h in w.headers:
        if h.canonical in prints:
            version = prints[h.canonical]
            votes[version] = votes.get(version, 0) + 1
    if not votes:
        return None
    return max(votes.items(), key=itemgetter(1))[0]
