"""The hard identities A1–A4 of annual-report-format.md §7 as findings C08–C11.

An identity that involves a null or missing cell is not evaluated (C07 reports the blank).
`parsers/checks.py` calls `identity_findings`; the digit-run resolver uses `violations` to
prune candidate readings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from parsers.record import Finding, finding
from parsers.tables import mapping

Cells = Mapping[str, int | str | None]
# (check id, message, keys involved)
Violation = tuple[str, str, tuple[str, ...]]


def _ints(cells: Cells, keys: list[str]) -> list[int] | None:
    values = [cells.get(k) for k in keys]
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        return None
    return values  # type: ignore[return-value]


def outcome_rows(template: str) -> list[str]:
    """Row ids of table 3 from （一）予以公开 up to, not including, （七）总计 (A2)."""
    ids = [r.row_id for r in mapping.rows(template).values() if r.table == "table3"]
    return ids[ids.index("applications.granted") : ids.index("applications.total_processed")]


def violations(cells: Cells, template: str) -> Iterator[Violation]:
    rows = mapping.rows(template)
    if "applications.new_received" in rows:
        columns = rows["applications.new_received"].columns
        outcomes = outcome_rows(template)
        for c in columns:
            keys = [
                f"applications.{r}.{c}"
                for r in ("new_received", "carried_over", "total_processed", "carried_forward")
            ]
            v = _ints(cells, keys)
            if v is not None and v[0] + v[1] != v[2] + v[3]:
                yield (
                    "C08",
                    f"A1 ({c}): new received {v[0]} + carried over {v[1]} = {v[0] + v[1]}, "
                    f"but total processed {v[2]} + carried forward {v[3]} = {v[2] + v[3]}",
                    tuple(keys),
                )
            keys = [f"applications.total_processed.{c}"] + [f"{r}.{c}" for r in outcomes]
            v = _ints(cells, keys)
            if v is not None and v[0] != sum(v[1:]):
                yield (
                    "C09",
                    f"A2 ({c}): total processed is {v[0]} but the outcome rows sum to {sum(v[1:])}",
                    tuple(keys),
                )
        for r in rows.values():
            if r.table != "table3":
                continue
            keys = list(r.keys)
            v = _ints(cells, keys)
            if v is not None and v[-1] != sum(v[:-1]):
                yield (
                    "C10",
                    f"A3 ({r.label}): total is {v[-1]} but the columns sum to {sum(v[:-1])}",
                    tuple(keys),
                )
    for r in mapping.table4_groups(template):
        keys = list(r.keys)
        v = _ints(cells, keys)
        if v is not None and v[-1] != sum(v[:-1]):
            yield (
                "C11",
                f"A4 ({r.row_id}): total is {v[-1]} but the results sum to {sum(v[:-1])}",
                tuple(keys),
            )


def identity_findings(cells: dict, template: str) -> list[Finding]:
    """C08 (A1), C09 (A2), C10 (A3), C11 (A4) findings for the cells of one record."""
    if template not in mapping.TEMPLATES:
        return []
    return [finding(cid, message, keys) for cid, message, keys in violations(cells, template)]
