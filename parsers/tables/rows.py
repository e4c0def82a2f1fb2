"""Rows of cells, from HTML/DOCX grids or from flattened text, and their label/value split.

A `Row` is what every table reader downstream sees. Grid rows are positional: a blank cell is
a blank value at a known column. Text rows are not: empty cells of a tab row are layout debris
(shifted merged cells, §10 item 3), so only the non-blank cells count there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from parsers.document import Grid
from parsers.tables import mapping
from parsers.tables.normalize import CACHE_SIZE, normalize
from parsers.tables.values import clean, is_blank, looks_numeric, value_cjk_max


@dataclass(slots=True)
class Row:
    cells: list[str]  # every cell, blanks included ("" for a position no cell covers)
    lines: set[int] = field(default_factory=set)  # indices of doc.text.splitlines() (text rows)
    grid: int | None = None  # index into doc.tables (grid rows)
    index: int = 0  # row index inside its grid

    @property
    def positional(self) -> bool:
        return self.grid is not None


# CJK unified ideographs: NFKC keeps them and nothing composes with them, so a string holding n
# of them normalises (and cleans) to a string holding at least n. That bounds what a narrative
# line can be without normalising it.
_CJK = "\u4e00-\u9fff"


@cache
def _more_cjk_than(n: int) -> re.Pattern[str]:
    """Matches (from the start) a string holding more than `n` CJK ideographs."""
    return re.compile(f"(?:[^{_CJK}]*[{_CJK}]){{{n + 1}}}")


@cache
def label_cjk_max() -> int:
    """Most CJK ideographs a known row or group label holds."""
    labels = [*mapping.row_labels(), *mapping.group_labels()]
    return max(len(re.findall(f"[{_CJK}]", label)) for label in labels)


@lru_cache(maxsize=CACHE_SIZE)
def is_value(cell: str) -> bool:
    """A cell that holds a figure (or a printed blank marker such as "/"), not a label."""
    if cell.isdigit() and cell.isascii():
        return True  # a plain figure, the one new cell of most rows: no NFKC, no patterns
    if _more_cjk_than(value_cjk_max()).match(cell):
        return False  # narrative: no need to normalise it
    text = clean(cell)
    return bool(text) and (looks_numeric(cell) or is_blank(cell) or _digit_run(cell))


_SIGNED_RUN_RE = re.compile(r"[+\-]?\d[\d\s]*(?:[+\-]\d[\d\s]*)*")


def _digit_run(cell: str) -> bool:
    """Digits with stray spaces ("200 000121") or with v2019 signs inside ("35-15"): a value
    whose cell boundaries are lost."""
    return bool(_SIGNED_RUN_RE.fullmatch(cell.strip()))


def grid_rows(grids: list[Grid]) -> list[Row]:
    # (Row's fields by position: a dataclass __init__ called by keyword costs more, once per row;
    # a row without None, nearly every one, is copied in C rather than cell by cell)
    return [
        Row(list(r) if None not in r else [c or "" for c in r], set(), g, i)
        for g, grid in enumerate(grids)
        for i, r in enumerate(grid)
    ]


def is_known_label(norm: str) -> bool:
    return norm in mapping.row_labels() or norm in mapping.group_labels()


def more_cjk_than(text: str, n: int) -> bool:
    """`text` holds more than `n` CJK ideographs (so does its normalised form)."""
    return _more_cjk_than(n).match(text) is not None


def more_cjk_than_labels(text: str) -> bool:
    """`text` holds more CJK ideographs than any known row or group label (so does its normalised
    form): it is no known label."""
    return _more_cjk_than(label_cjk_max()).match(text) is not None


def is_known_printed_label(text: str) -> bool:
    """is_known_label(normalize(text)), without normalising a narrative line."""
    if more_cjk_than_labels(text):
        return False
    return is_known_label(normalize(text))


def split_labels(row: Row) -> tuple[list[str], list[str], int]:
    """(label cells, value cells, index of the first value cell).

    Grid rows: the values are every cell after the last label cell (blanks included, so a blank
    zero stays in its column). Text rows: the non-blank cells after the labels.
    """
    return split_cells(row.cells, row.positional)


def split_cells(cells: Sequence[str], positional: bool) -> tuple[list[str], list[str], int]:
    """`split_labels` of a row's cells, without a Row."""
    if positional:
        last = -1
        for i, cell in enumerate(cells):
            if cell.strip() and not is_value(cell):
                last = i
        labels = dedupe_labels([c for c in cells[: last + 1] if c.strip()])
        return labels, list(cells[last + 1 :]), last + 1
    if len(cells) == 1:  # one cell per line (text reports: narrative, mostly): no loop, no dedupe
        cell = cells[0]
        if not cell.strip():
            return [], [], 0
        return ([], [cell], 0) if is_value(cell) else ([cell], [], 0)
    labels: list[str] = []
    values: list[str] = []
    for cell in cells:
        if not cell.strip():
            continue
        if is_value(cell):
            values.append(cell)
        elif not values:
            labels.append(cell)
        # a label after values starts the next row; layout_text already split such lines
    return dedupe_labels(labels), values, 0


def dedupe_labels(labels: list[str]) -> list[str]:
    """Spanned labels repeat in a grid row ("一、本年新收…" ×3); keep each once, in order."""
    out: list[str] = []
    for label in labels:
        # (the same printed text normalises the same: a spanned cell needs no lookup)
        if not out or (out[-1] != label and normalize(out[-1]) != normalize(label)):
            out.append(label)
    return out
