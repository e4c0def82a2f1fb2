"""C01 — bodies expected to report for a year that have no report in the archive.

Expected (annual-report-format.md §8 C01): on a portal whose portals-file entry lists
`expected_bodies`, exactly those; on any other portal, the bodies that reported for an earlier
year (whenever the archive learnt of that report: a body's history does not depend on our crawl).

`as_of` looks at the year's own reports as the archive stood at the end of that day: a report first
seen later does not count, so `missing --as-of 2024-02-01` gives the same answer after later crawls.

Speed: expectations and presence come from bodies.years_mask (one bit per reported year), so the
query is one scan of bodies; only reports of the year first seen after `as_of` are looked up in
reports (index reports(year, first_seen); none when as_of is today).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from archive.models import YEAR_BASE, YEAR_MAX, Body, Portal, Report


def as_of_end(as_of: date | None) -> datetime:
    """The first instant after `as_of` (today when None), in the archive's naive UTC."""
    day = as_of or datetime.now(UTC).date()
    return datetime.combine(day + timedelta(days=1), time())


def _bits(year: int) -> tuple[int, int]:
    """(bit of `year`, mask of every earlier year) in bodies.years_mask."""
    if year < YEAR_BASE:
        return 0, 0
    if year > YEAR_MAX:
        return 0, (1 << (YEAR_MAX - YEAR_BASE + 1)) - 1
    bit = 1 << (year - YEAR_BASE)
    return bit, bit - 1


def years_of(mask: int, before: int) -> list[int]:
    return [YEAR_BASE + i for i in range(63) if mask >> i & 1 and YEAR_BASE + i < before]


class MissingRow(NamedTuple):
    body_id: int
    agency: str
    portal: str
    body_kind: str | None
    portal_deadline: str | None
    listed: bool
    years_mask: int


def missing_rows(
    session: Session,
    year: int,
    as_of: date | None = None,
    *,
    portal: str | None = None,
    agency: str | None = None,
) -> list[MissingRow]:
    """The expected bodies without a report for `year` as of `as_of`, by portal and name; only
    those of `portal` and/or named `agency` when given (one office's portal, one body's page)."""
    cutoff = as_of_end(as_of)
    bit, earlier = _bits(year)
    mask = Body.years_mask
    conn = session.connection()
    # Portals are few: read them once, so that the bodies query has no join and the planner scans
    # bodies (with a join SQLite walks portals and looks every body up through an index).
    portals = {
        pid: (name, deadline)
        for pid, name, deadline in conn.execute(select(Portal.id, Portal.name, Portal.deadline))
    }
    listed_portals = select(Portal.id).where(Portal.has_expected_list == true())
    # sync_portals sets `expected` only for bodies its portal lists, so it alone says "listed".
    expected = Body.expected == true()
    if earlier:
        expected = or_(expected, and_(mask.op("&")(earlier) != 0, Body.portal_id.not_in(listed_portals)))
    seen_later = select(Report.body_id).where(Report.year == year, Report.first_seen >= cutoff)
    absent = or_(mask.op("&")(bit) == 0, Body.id.in_(seen_later)) if bit else true()
    q = select(Body.id, Body.name, Body.portal_id, Body.body_kind, Body.expected, mask).where(
        absent, expected
    )
    if portal is not None:
        q = q.where(Body.portal_id.in_([pid for pid, (name, _) in portals.items() if name == portal]))
    if agency is not None:
        q = q.where(Body.name == agency)
    rows = [
        MissingRow(bid, name, portals[pid][0], kind, portals[pid][1], bool(listed), ymask or 0)
        for bid, name, pid, kind, listed, ymask in conn.execute(q)
    ]
    rows.sort(key=lambda r: (r.portal, r.agency))
    return rows


def expected_because(listed: bool, earlier_years: list[int]) -> str:
    if listed:
        return "listed in the portals file (expected_bodies)"
    if not earlier_years:
        return "reported for an earlier year"
    first, last, n = earlier_years[0], earlier_years[-1], len(earlier_years)
    if n == 1:
        return f"reported for {last}"
    if last - first + 1 == n:
        return f"reported for {first}–{last}"
    return f"reported for {n} earlier years, last {last}"


def missing(
    session: Session,
    year: int,
    as_of: date | None = None,
    *,
    portal: str | None = None,
    agency: str | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "agency": row.agency,
            "portal": row.portal,
            "year": year,
            "expected_because": expected_because(bool(row.listed), years_of(row.years_mask or 0, year)),
        }
        for row in missing_rows(session, year, as_of, portal=portal, agency=agency)
    ]
