"""The hard identities A1–A4 of annual-report-format.md §7 as findings C08–C11.

An identity that involves a null or missing cell is not evaluated (C07 reports the blank).
`parsers/checks.py` calls `identity_findings`; the digit-run resolver uses `violations` to
prune candidate readings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from operator import itemgetter

from parsers.record import Finding, finding
from parsers.tables import mapping

Cells = Mapping[str, int | str | None]
# (check id, message, keys involved)
Violation = tuple[str, str, tuple[str, ...]]


_INT_ONLY = {int}


def _ints(cells: Cells, keys: tuple[str, ...]) -> list[int] | None:
    values = list(map(cells.get, keys))
    if {*map(type, values)} <= _INT_ONLY:  # the common case, tested in C: exact ints only
        return values  # type: ignore[return-value]
    for v in values:
        # an int subclass still counts; None, text or a bool (never a count) does not
        if type(v) is not int and (not isinstance(v, int) or isinstance(v, bool)):
            return None
    return values  # type: ignore[return-value]


def outcome_rows(template: str) -> list[str]:
    """Row ids of table 3 from （一）予以公开 up to, not including, （七）总计 (A2)."""
    ids = [r.row_id for r in mapping.rows(template).values() if r.table == "table3"]
    return ids[ids.index("applications.granted") : ids.index("applications.total_processed")]


# (identity, label for the message, keys): the key lists of every identity of a template.
_Identity = tuple[str, str, tuple[str, ...]]


@cache
def _identities(template: str) -> tuple[_Identity, ...]:
    """A1 and A2 per applicant column, A3 per table-3 row, A4 per table-4 group, in the order
    the findings are reported. Built once per template: the same keys are checked in every report."""
    rows = mapping.rows(template)
    out: list[_Identity] = []
    if "applications.new_received" in rows:
        outcomes = outcome_rows(template)
        for c in rows["applications.new_received"].columns:
            a1 = ("new_received", "carried_over", "total_processed", "carried_forward")
            out.append(("A1", c, tuple(f"applications.{r}.{c}" for r in a1)))
            a2 = [f"applications.total_processed.{c}"] + [f"{r}.{c}" for r in outcomes]
            out.append(("A2", c, tuple(a2)))
        out += [("A3", r.label, tuple(r.keys)) for r in rows.values() if r.table == "table3"]
    out += [("A4", r.row_id, tuple(r.keys)) for r in mapping.table4_groups(template)]
    return tuple(out)


@cache
def _gathered(
    template: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, str, tuple[str, ...], itemgetter], ...]]:
    """(every key the identities involve, once; per identity: kind, name, keys and a getter of
    its values out of that key list's values)."""
    identities = _identities(template)
    every = tuple(dict.fromkeys(k for _, _, keys in identities for k in keys))
    index = {k: i for i, k in enumerate(every)}
    # itemgetter of one index returns the value itself, not a 1-tuple: every identity has >= 2 keys
    return every, tuple(
        (identity, name, keys, itemgetter(*(index[k] for k in keys))) for identity, name, keys in identities
    )


def violations(cells: Cells, template: str) -> Iterator[Violation]:
    every, identities = _gathered(template)
    values = list(map(cells.get, every))
    # Usually every cell involved is read: one type test for all, then no per-identity one.
    all_ints = {*map(type, values)} <= _INT_ONLY
    for identity, name, keys, get in identities:
        v = get(values) if all_ints else _ints(cells, keys)
        if v is None:
            continue
        if identity == "A1":
            if v[0] + v[1] != v[2] + v[3]:
                yield (
                    "C08",
                    f"A1 ({name}): new received {v[0]} + carried over {v[1]} = {v[0] + v[1]}, "
                    f"but total processed {v[2]} + carried forward {v[3]} = {v[2] + v[3]}",
                    keys,
                )
        elif identity == "A2":
            if v[0] != sum(v[1:]):
                yield (
                    "C09",
                    f"A2 ({name}): total processed is {v[0]} but the outcome rows sum to {sum(v[1:])}",
                    keys,
                )
        elif v[-1] != sum(v[:-1]):
            cid = "C10" if identity == "A3" else "C11"
            yield (
                cid,
                f"{identity} ({name}): total is {v[-1]} but the "
                f"{'columns' if identity == 'A3' else 'results'} sum to {sum(v[:-1])}",
                keys,
            )


def identity_findings(cells: dict, template: str) -> list[Finding]:
    """C08 (A1), C09 (A2), C10 (A3), C11 (A4) findings for the cells of one record."""
    if template not in mapping.TEMPLATES:
        return []
    return [finding(cid, message, keys) for cid, message, keys in violations(cells, template)]
