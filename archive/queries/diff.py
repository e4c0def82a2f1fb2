"""`govreports diff`: one body's reports compared across years, or its versions within a year.

Across years (Y1 < Y2): the cells both reports have, with their delta; findings C20/C21 for every
consecutive pair of archived years in [Y1, Y2] and C22 for Y2 (against the body's latest earlier
report in range and the sibling bodies on the same portal for Y2).
Within a year (Y1 == Y2): the first version against the current one, and the C23 findings of every
revision in between.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.changes import cell_changes, record_changes
from archive.crosscheck import Narrative, c20, c21, c22
from archive.models import Body, Report, Version
from archive.queries.common import find_body
from govreports.errors import ArchiveError

MAX_SIBLINGS = 2000  # C22 reads each sibling's sections; a bound keeps one diff interactive


def _current_records(session: Session, body_id: int, y1: int, y2: int) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Report.year, Version.record)
        .join(Version, Version.id == Report.current_version_id)
        .where(Report.body_id == body_id, Report.year >= y1, Report.year <= y2)
        .order_by(Report.year)
    )
    return {year: record for year, record in rows}


def _siblings(session: Session, body: Body, year: int) -> list[Narrative]:
    rows = session.execute(
        select(Body.name, Version.record["sections"])
        .join(Report, Report.body_id == Body.id)
        .join(Version, Version.id == Report.current_version_id)
        .where(Body.portal_id == body.portal_id, Body.id != body.id, Report.year == year)
        .limit(MAX_SIBLINGS)
    )
    return [Narrative(name, year, sections or {}) for name, sections in rows]


def diff(
    session: Session, agency: str, from_year: int, to_year: int, *, portal: str | None = None
) -> dict[str, Any]:
    body = find_body(session, agency, portal)
    if from_year == to_year:
        return _versions_diff(session, body, from_year)
    if from_year > to_year:
        raise ArchiveError(f"--from {from_year} is after --to {to_year}")
    records = _current_records(session, body.id, from_year, to_year)
    for y in (from_year, to_year):
        if y not in records:
            have = sorted(set(_current_records(session, body.id, 0, 9999)))
            raise ArchiveError(
                f"no {y} report of {body.name} in the archive (archived years: {', '.join(map(str, have)) or 'none'})"
            )
    old, new = records[from_year], records[to_year]
    old_cells, new_cells = old.get("cells") or {}, new.get("cells") or {}
    common = {k: v for k, v in new_cells.items() if k in old_cells}
    changes = cell_changes({k: old_cells[k] for k in common}, common)
    findings: list[dict[str, Any]] = []
    years = sorted(records)
    for a, b in itertools.pairwise(years):
        if b == a + 1:
            findings += c20(records[a], records[b]) + c21(records[a], records[b])
    earlier = [y for y in years if y < to_year]
    prev = records[earlier[-1]] if earlier else None
    findings += c22(
        Narrative(body.name, to_year, new.get("sections") or {}),
        Narrative(body.name, earlier[-1], prev.get("sections") or {}) if prev else None,
        _siblings(session, body, to_year),
    )
    result: dict[str, Any] = {
        "agency": body.name,
        "portal": body.portal.name,
        "from": from_year,
        "to": to_year,
        "changes": changes,
        "findings": findings,
    }
    if old.get("template") != new.get("template"):
        result["templates"] = {"from": old.get("template"), "to": new.get("template")}
    return result


def _versions_diff(session: Session, body: Body, year: int) -> dict[str, Any]:
    report = session.scalars(
        select(Report).where(Report.body_id == body.id, Report.year == year)
    ).one_or_none()
    if report is None:
        raise ArchiveError(f"no {year} report of {body.name} in the archive")
    versions = list(
        session.scalars(select(Version).where(Version.report_id == report.id).order_by(Version.number))
    )
    current = next(v for v in versions if v.id == report.current_version_id)
    first = versions[0]
    overall = record_changes(first.record, current.record) if current.id != first.id else None
    findings = [f for v in versions for f in (v.record.get("findings") or []) if f.get("check") == "C23"]
    return {
        "agency": body.name,
        "portal": body.portal.name,
        "from": year,
        "to": year,
        "versions": {"from": first.number, "to": current.number, "count": len(versions)},
        "changes": overall["cells"] if overall else [],
        "sections_changed": overall["sections"] if overall else [],
        "findings": findings,
    }
