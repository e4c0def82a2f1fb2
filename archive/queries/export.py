"""`govreports export`: archived records with their archive block (CONTRACT.md §2).

Latest (current) version per body and year unless all_versions. Streams: rows are fetched in
batches, so exporting the whole archive does not hold it in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Body, Portal, Report, Version, VersionUrl
from archive.normalize import iso, norm_name
from govreports import spec

BATCH = 500


def _selection(
    session: Session, *, year: int | None, agency: str | None, all_versions: bool, portal: str | None
):
    q = (
        select(Version, Report, Body.name, Portal.name)
        .join(Report, Report.id == Version.report_id)
        .join(Body, Body.id == Report.body_id)
        .join(Portal, Portal.id == Body.portal_id)
    )
    if not all_versions:
        q = q.where(Version.id == Report.current_version_id)
    if year is not None:
        q = q.where(Report.year == year)
    if agency:
        q = q.where(Body.norm_name == norm_name(agency))
    if portal:
        q = q.where(Portal.name == portal)
    return q


def templates_in(session: Session, **filters: Any) -> list[str]:
    """Templates of the selected records (for the CSV/XLSX columns), in spec order."""
    q = _selection(session, **filters).with_only_columns(Version.template).distinct()
    found = set(session.scalars(q))
    return [t for t in spec.TEMPLATES if t in found]


def export(
    session: Session,
    *,
    year: int | None = None,
    agency: str | None = None,
    all_versions: bool = False,
    portal: str | None = None,
) -> Iterator[dict[str, Any]]:
    q = _selection(session, year=year, agency=agency, all_versions=all_versions, portal=portal).order_by(
        Portal.name, Body.name, Report.year, Version.number
    )
    batch: list[Any] = []
    for row in session.execute(q.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _emit(session, batch)
            batch = []
    if batch:
        yield from _emit(session, batch)


def _emit(session: Session, rows: list[Any]) -> Iterator[dict[str, Any]]:
    ids = [r[0].id for r in rows]
    latest_url: dict[int, tuple[Any, str]] = {}
    for vid, url, last in session.execute(
        select(VersionUrl.version_id, VersionUrl.url, VersionUrl.last_seen).where(
            VersionUrl.version_id.in_(ids)
        )
    ):
        if vid not in latest_url or last > latest_url[vid][0]:
            latest_url[vid] = (last, url)
    for version, report, _agency, portal in rows:
        record = dict(version.record)
        block: dict[str, Any] = {
            "version": version.number,
            "first_seen": iso(version.first_seen),
            "last_seen": iso(version.last_seen),
            "url": latest_url.get(version.id, (None, None))[1],
            "portal": portal,
        }
        if report.disappeared_at is not None:
            block["disappeared_at"] = iso(report.disappeared_at)
        record["archive"] = block
        yield record
