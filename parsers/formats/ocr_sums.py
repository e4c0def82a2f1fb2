"""The table identities applied to OCR'd grids: distrust readings a failed sum implicates, and
accept a consistent but low-confidence reading only when an identity pins it down exactly.

Works on the reader's own grids (table, row, column positions), before the table code maps rows
to keys, so it finds the identity groups by shape and printed labels:

- A3: a table-3 row ends in seven integers (six applicant columns and their 总计);
- A4: a table-4 row of fifteen integers (three groups of four results and their 总计);
- A2: per table-3 column, the （七）总计 row equals the sum of the outcome rows
  (（一）予以公开 up to the 总计 row);
- A1: per table-3 column, 新收 + 上年结转 = （七）总计 + 结转下年度.

A *candidate* is an uncertain cell whose digit readings agreed (confidence above zero, below the
threshold) and read as an integer. It is accepted only when it is the single unknown of an
identity whose other cells were all read with confidence and the identity then gives exactly the
value read: two independent pieces of evidence. Disputed readings (confidence 0) are never
accepted, and nothing is ever filled in from a sum alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govreports.text import drop_spaces
from parsers.document import Grid

Pos = tuple[int, int, int]
# An identity: (position, coefficient) pairs whose weighted sum is 0.
Identity = list[tuple[Pos, int]]

# A cell the sums implicate is distrusted unless read with at least this confidence.
NEAR_CERTAIN = 90
# A candidate's readings must have agreed with at least this confidence (0 = disputed).
MIN_CANDIDATE = 30


def _int(text: str | None) -> int | None:
    return int(text) if text and re.fullmatch(r"\d+", text) else None


def _ends_in_seven(vals: list[int | None]) -> bool:
    """A table-3 (A3) row: seven integers after a label."""
    return len(vals) >= 8 and all(v is not None for v in vals[-7:]) and vals[-8] is None


def _table3_rows(grid: Grid) -> list[int]:
    """Rows that end in seven integers after a label (A3 rows)."""
    return [r for r, row in enumerate(grid) if _ends_in_seven([_int(c) for c in row])]


def _row_groups(t: int, grid: Grid) -> Iterator[Identity]:
    """A3 and A4 as identities: members minus total is zero."""
    for r, row in enumerate(grid):
        vals = [_int(c) for c in row]
        if len(row) == 15 and all(v is not None for v in vals):
            groups = [list(range(g, g + 5)) for g in (0, 5, 10)]
        elif _ends_in_seven(vals):
            groups = [list(range(len(row) - 7, len(row)))]
        else:
            continue
        for cols in groups:
            yield [((t, r, c), 1) for c in cols[:-1]] + [((t, r, cols[-1]), -1)]


def _label(row: list[str | None]) -> str:
    """The row's own label: the last cell before its seven figures (spans repeat it)."""
    return drop_spaces(row[-8] or "") if len(row) >= 8 else ""


def _column_groups(t: int, grid: Grid) -> Iterator[Identity]:
    """A2 and A1 per column of a table-3 grid, found by the printed row labels."""
    rows = _table3_rows(grid)
    if not rows:
        return
    width = len(grid[rows[0]])
    labels = {r: _label(grid[r]) for r in range(len(grid)) if len(grid[r]) == width}

    def first(word: str, after: int = -1) -> int | None:
        return next((r for r in sorted(labels) if r > after and word in labels[r]), None)

    start = first("予以公开")
    total = first("总计", start) if start is not None else None
    cols = range(width - 7, width)
    if start is not None and total is not None:
        block = range(start, total)  # every row in between: an unreadable one stops the sum
        for c in cols:
            yield [((t, r, c), 1) for r in block] + [((t, total, c), -1)]
    received, carried, forward = first("新收"), first("上年结转"), first("结转下年度")
    if None not in (received, carried, total, forward):
        for c in cols:
            yield [
                ((t, received, c), 1),  # type: ignore[arg-type]
                ((t, carried, c), 1),  # type: ignore[arg-type]
                ((t, total, c), -1),  # type: ignore[arg-type]
                ((t, forward, c), -1),  # type: ignore[arg-type]
            ]


def _value(grids: list[Grid], pos: Pos) -> int | None:
    t, r, c = pos
    row = grids[t][r]
    return _int(row[c]) if c < len(row) else None


def check_sums(grids: list[Grid], uncertain: set[Pos], confidence: dict[Pos, float]) -> int:
    """Distrust the less than near-certain cells of every failing A3/A4 group, then accept
    candidates the identities confirm. Returns the number of readings confirmed."""
    row_groups = [g for t, grid in enumerate(grids) for g in _row_groups(t, grid)]
    for group in row_groups:
        vals = [_value(grids, p) for p, _ in group]
        if None in vals:
            continue
        if sum(v * k for v, (_, k) in zip(vals, group, strict=True)) != 0:  # type: ignore[operator]
            for p, _ in group:
                if confidence.get(p, 100.0) < NEAR_CERTAIN:
                    uncertain.add(p)
    groups = row_groups + [g for t, grid in enumerate(grids) for g in _column_groups(t, grid)]
    confirmed = 0
    progress = True
    while progress:  # one confirmation can make another identity's last unknown decidable
        progress = False
        for group in groups:
            unknown = [(p, k) for p, k in group if p in uncertain]
            if len(unknown) != 1:
                continue
            (pos, coef) = unknown[0]
            read = _value(grids, pos)
            if read is None or confidence.get(pos, 0.0) < MIN_CANDIDATE:
                continue
            others = [(_value(grids, p), k) for p, k in group if p != pos]
            if any(v is None for v, _ in others):
                continue
            implied = -sum(v * k for v, k in others) * coef  # type: ignore[operator]
            if implied == read:
                uncertain.discard(pos)
                confirmed += 1
                progress = True
    return confirmed
