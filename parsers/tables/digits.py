"""Digit runs: figures printed without cell boundaries (annual-report-format.md §10 item 4).

"10203120001200000" (table 4), "200 000121" (a table-3 row), "8855698" (a table-2 row) are
split back into the expected count of integers. Whitespace is tried first as boundaries; then
every split without leading zeros is enumerated and filtered by the identities local to the
run (A3 for a table-3 row, A4 per group for table 4). Only a unique survivor is accepted — a
figure is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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


def sum_splits(digits: str, group: int) -> Iterator[tuple[int, ...]]:
    """Splits of `digits` into consecutive groups of `group` integers, each group ending in the
    sum of the others (A3 on a table-3 row: group 7; A4 on table 4: group 5).

    Only the first group-1 figures of a group are enumerated; the last one is then fixed (it
    must be their sum), which keeps long runs cheap."""

    def heads(pos: int, left: int) -> Iterator[tuple[tuple[int, ...], int]]:
        if left == 0:
            yield (), pos
            return
        if pos >= len(digits):
            return
        ends = [pos + 1] if digits[pos] == "0" else range(pos + 1, len(digits) + 1)
        for end in ends:
            head = int(digits[pos:end])
            for tail, stop in heads(end, left - 1):
                yield (head, *tail), stop

    def rec(pos: int) -> Iterator[tuple[int, ...]]:
        if pos == len(digits):
            yield ()
            return
        for head, end in heads(pos, group - 1):
            total = str(sum(head))
            if digits.startswith(total, end):
                for tail in rec(end + len(total)):
                    yield (*head, int(total), *tail)

    yield from rec(0)


def groups_hold(values: Sequence[int], group: int) -> bool:
    """Every `group` figures end in the sum of the others."""
    return all(values[i + group - 1] == sum(values[i : i + group - 1]) for i in range(0, len(values), group))


def candidates(run: str, count: int, group: int | None = None) -> list[tuple[int, ...]]:
    """All readings of `run` as `count` integers (the §10 procedure).

    `group`: the identity local to the run — every `group` figures end in their sum (7 for a
    table-3 row, 5 for table 4); None when the run has no identity (table 2). If whitespace
    already cuts the run into `count` integers that pass, that reading alone is returned;
    otherwise the spaces are dropped and every split is tried.
    """
    pieces = run.split()
    spaced: tuple[int, ...] | None = None
    if len(pieces) == count and all(p.isdigit() for p in pieces):
        spaced = tuple(int(p) for p in pieces)
        if group is None or groups_hold(spaced, group):
            return [spaced]
        if any(len(p) > 1 and p[0] == "0" for p in pieces):
            spaced = None
    digits = "".join(pieces)
    if not digits.isdigit():
        return []
    out: list[tuple[int, ...]] = []
    source = splits(digits, count) if group is None else sum_splits(digits, group)
    for n, values in enumerate(source):
        if n > _MAX_CANDIDATES:
            return []  # too many readings to mean anything: left null
        if len(values) == count:
            out.append(values)
    if not out and spaced is not None:
        # The spaces cut exactly `count` clean figures and no other reading exists: they are
        # the cell boundaries of a table that breaks its own identity (C10/C11 will say so).
        return [spaced]
    return out


def resolve(run: str, count: int, group: int | None = None) -> tuple[int, ...] | None:
    """The unique reading of `run`, or None when there is none or more than one."""
    found = candidates(run, count, group)
    return found[0] if len(found) == 1 else None
