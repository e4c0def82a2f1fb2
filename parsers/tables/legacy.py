"""The legacy statistics appendix of 2008–2018 reports (annual-report-format.md §2.3).

Columns like 指标名称 | 计量单位 | 2018年度 | 历年累计 (Pingtan) or 统计指标 | 单位 | 统计数. Each row
becomes `{indicator: value}`, a 历年累计 column `{indicator_cumulative: value}`. Recurring
indicators get the stable names of labels.yaml `tables.legacy.indicators`; any other keeps its
normalised label (ordinal prefix and parenthetical remarks dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from govreports import spec
from parsers.tables.normalize import CACHE_SIZE, inert_prefix, normalize, prefixes, split_ordinal
from parsers.tables.rows import Row, is_value
from parsers.tables.values import clean, is_blank

_PAREN_RE = re.compile(r"\([^)]*\)")


@cache
def _conf() -> dict[str, Any]:
    return spec.labels()["tables"]["legacy"]


def indicator_name(label: str) -> str:
    """Stable name of a printed indicator label, else its normalised label."""
    body = split_ordinal(normalize(label))[1]
    body = _PAREN_RE.sub("", body).removeprefix("其中:").removeprefix("其中")
    for name, variants in _indicator_prefixes():
        if body.startswith(variants):
            return name
    return body


@cache
def _indicator_prefixes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(stable name, normalised printed variants) of each recurring indicator, in labels.yaml order."""
    return tuple(
        (name, tuple(normalize(v) for v in entry["variants"]))
        for name, entry in _conf()["indicators"].items()
    )


_UNIT_SUFFIX_RE = re.compile(r"(万元|元|件|条|个|次|项|人|篇|期)$")


def legacy_value(raw: str) -> int | str | None:
    """Integers as int, other figures as exact decimal strings, blanks as None."""
    text = clean(raw).replace(",", "")
    text = _UNIT_SUFFIX_RE.sub("", text)
    if is_blank(text) or not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        Decimal(text)
    except InvalidOperation:
        return None
    return text


@dataclass(frozen=True, slots=True)
class _Header:
    label: int
    unit: int | None
    value: int | None
    cumulative: int | None
    width: int


def _header(row: Row) -> _Header | None:
    # Most rows hold no header word at all: answered per cell (cached) before the row is.
    if not any(map(_is_label_header, row.cells)):
        return None
    return _header_of(tuple(row.cells))


@lru_cache(maxsize=CACHE_SIZE)
def _is_label_header(cell: str) -> bool:
    """The cell is a label-column header word (指标名称, …): a row without one is no header."""
    opening = inert_prefix(cell)
    if opening is not None and opening not in _label_header_prefixes():
        return False  # (narrative, figures: not normalised to learn it)
    return normalize(cell) in _conf()["label_headers"]


@cache
def _label_header_prefixes() -> frozenset[str]:
    return prefixes(_conf()["label_headers"])


@lru_cache(maxsize=CACHE_SIZE)
def _header_of(cells: tuple[str, ...]) -> _Header | None:
    """The appendix header a row of these cells is, if any (memoised: a pure function of the
    cells, asked of every row of every table)."""
    conf = _conf()
    norms = [normalize(c) for c in cells]
    label = next((i for i, n in enumerate(norms) if n in conf["label_headers"]), None)
    if label is None:
        return None
    unit = next((i for i, n in enumerate(norms) if n in conf["unit_headers"]), None)
    cumulative = next(
        (i for i, n in enumerate(norms) if any(n.endswith(w) for w in conf["cumulative_headers"])), None
    )
    value = next(
        (
            i
            for i, n in enumerate(norms)
            if i not in (label, unit, cumulative) and n and any(w in n for w in conf["value_headers"])
        ),
        None,
    )
    if unit is None and value is None:
        return None
    return _Header(label, unit, value, cumulative, len(cells))


def read_legacy(rows: list[Row]) -> tuple[dict[str, Any] | None, set[int], int | None]:
    """The appendix as a dict (None when there is none), the text lines it occupies and the
    index of its grid (None for text)."""
    out: dict[str, Any] = {}
    lines: set[int] = set()
    header: _Header | None = None
    owner: int | None = None  # grid index of the header, or -1 for text
    last_line: int | None = None
    pending: set[int] = set()
    start = _first_candidate(rows)
    if start is None:
        return None, lines, None
    for row in map(_spaced, rows[start:]):
        if header is None:
            header = _header(row)
            if header is not None:
                owner = row.grid if row.positional else -1
                lines |= row.lines
                last_line = max(row.lines) if row.lines else None
            continue
        same_table = (
            row.grid == owner
            if row.positional
            else (
                owner == -1
                and last_line is not None
                and bool(row.lines)
                and min(row.lines) - last_line <= 2
                and (len(row.cells) > 1 or len(row.cells[0].strip()) <= _BLOCK_HEADING_MAX)
            )
        )
        if not same_table:
            if out:
                break
            header = None
            continue
        before = len(out)
        _read_row(row, header, out)
        # a block heading ("一、主动公开情况") belongs to the table only if figures follow it;
        # a short line after the last figures (the 落款) does not
        if len(out) > before:
            lines |= pending | row.lines
            pending = set()
        else:
            pending |= row.lines
        last_line = max(row.lines) if row.lines else last_line
    grid = owner if owner is not None and owner >= 0 and out else None
    return (out or None), lines, grid


def _first_candidate(rows: list[Row]) -> int | None:
    """Index of the first row that may be an appendix header, None when none may be: one holding
    a label-header cell (指标名称, …), or a text line `_spaced` would cut into cells. The rows
    before it pass through `read_legacy` without effect (no header yet), so they are skipped
    here in bulk: most reports have no appendix, and asking each row costs more than this."""
    headers = set(filter(_is_label_header, set(chain.from_iterable(row.cells for row in rows))))
    for i, row in enumerate(rows):
        if (headers and not headers.isdisjoint(row.cells)) or (
            row.grid is None and len(row.cells) == 1 and len(row.cells[0].split(None, 2)) == 3
        ):
            return i
    return None


# A one-cell text line this short inside the appendix is a block heading, not the end of it.
_BLOCK_HEADING_MAX = 20


def _spaced(row: Row) -> Row:
    """A text line whose cells are separated by spaces (PDF text): label, unit, figures."""
    if row.positional or len(row.cells) != 1 or len(row.cells[0].split()) < 3:
        return row
    tokens = row.cells[0].split()
    if _header(Row(tokens)) is not None:
        return Row(tokens, row.lines)
    n = len(tokens)
    while n > 0 and is_value(tokens[n - 1]):
        n -= 1
    figures = tokens[n:]
    if not figures or n == 0:
        return row
    unit = tokens[n - 1] if n > 1 and len(tokens[n - 1]) <= 2 else ""
    label = "".join(tokens[: n - 1] if unit else tokens[:n])
    return Row([label, unit, *figures], row.lines)


def _read_row(row: Row, header: _Header, out: dict[str, Any]) -> None:
    cells = row.cells
    if len(cells) == header.width:
        label = cells[header.label]
        current = cells[header.value] if header.value is not None else None
        cumulative = cells[header.cumulative] if header.cumulative is not None else None
    else:  # shifted text row: label first, then the figures in column order
        filled = [c for c in cells if c.strip()]
        if not filled:
            return
        label = filled[0]
        figures = [c for c in filled[1:] if is_value(c)]
        current = figures[0] if figures else None
        cumulative = figures[1] if len(figures) > 1 and header.cumulative is not None else None
    if not label.strip() or not ((current or "").strip() or (cumulative or "").strip()):
        return  # a block heading such as "一、主动公开情况": no figure at all
    name = indicator_name(label)
    if name in out:
        name = split_ordinal(normalize(label))[1]
    if name in out:
        return
    if header.value is not None or current is not None:
        out[name] = legacy_value(current or "")
    if header.cumulative is not None:
        out[f"{name}_cumulative"] = legacy_value(cumulative or "")
