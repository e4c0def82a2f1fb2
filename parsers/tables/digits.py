"""Digit runs: figures printed without cell boundaries (annual-report-format.md §10 item 4).

"10203120001200000" (table 4), "200 000121" (a table-3 row), "8855698" (a table-2 row) are
split back into the expected count of integers. Whitespace is tried first as boundaries; then
every split without leading zeros is enumerated and filtered by the identities local to the
run (A3 for a table-3 row, A4 per group for table 4). Only a unique survivor is accepted — a
figure is never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

Check = Callable[[Sequence[int]], bool]
# Enumerations beyond this are abandoned (left null): a run that long is not a table row.
_MAX_CANDIDATES = 20000


def splits(digits: str, count: int) -> Iterator[tuple[int, ...]]:
    """Every way to cut `digits` into `count` integers without leading zeros ("0" itself is fine)."""

    def rec(pos: int, left: int) -> Iterator[tuple[int, ...]]:
        rest = len(digits) - pos
        if left == 0:
            if rest == 0:
                yield ()
            return
        if rest < left:
            return
        if digits[pos] == "0":
            for tail in rec(pos + 1, left - 1):
                yield (0, *tail)
            return
        for end in range(pos + 1, len(digits) - (left - 1) + 1):
            head = int(digits[pos:end])
            for tail in rec(end, left - 1):
                yield (head, *tail)

    yield from rec(0, count)


def row_sum_check(values: Sequence[int]) -> bool:
    """A3 on one table-3 row: the last figure (总计) is the sum of the others."""
    return values[-1] == sum(values[:-1])


def group_sum_check(group: int) -> Check:
    """A4 on table 4: every `group` figures end in their total (upheld+corrected+other+pending)."""

    def check(values: Sequence[int]) -> bool:
        return all(
            values[i + group - 1] == sum(values[i : i + group - 1]) for i in range(0, len(values), group)
        )

    return check


def candidates(run: str, count: int, check: Check | None = None) -> list[tuple[int, ...]]:
    """All readings of `run` as `count` integers that pass `check` (the §10 procedure).

    If whitespace already cuts the run into `count` integers that pass, that reading alone is
    returned; otherwise the spaces are dropped and every split is tried.
    """
    pieces = run.split()
    if len(pieces) == count and all(p.isdigit() for p in pieces):
        values = tuple(int(p) for p in pieces)
        if check is None or check(values):
            return [values]
    digits = "".join(pieces)
    if not digits.isdigit():
        return []
    out: list[tuple[int, ...]] = []
    for n, values in enumerate(splits(digits, count)):
        if n > _MAX_CANDIDATES:
            return []
        if check is None or check(values):
            out.append(values)
    return out


def resolve(run: str, count: int, check: Check | None = None) -> tuple[int, ...] | None:
    """The unique reading of `run`, or None when there is none or more than one."""
    found = candidates(run, count, check)
    return found[0] if len(found) == 1 else None
