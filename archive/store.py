"""Filing one parsed record: body, report, version, cells and URL — with change detection.

Rules (the issue "The archive: versions, change detection…"):
- unchanged re-crawl: no new version, only last_seen moves;
- same document at a new URL: same version, the URL is added ("moved");
- different normalised document for a body and year already archived: a new version, with the
  differences stored and a C23 finding (published report changed silently);
- a report that comes back after being marked disappeared is simply seen again.

Every function here runs inside the caller's transaction (archive.api): a failure anywhere leaves
the whole version or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.changes import describe, record_changes
from archive.models import YEAR_BASE, Body, Capture, Cell, Portal, Report, Version, VersionUrl
from archive.normalize import cell_columns, content_hash, norm_name, parse_date, validate_record
from govreports import spec
from govreports.errors import ArchiveError


@dataclass(slots=True)
class StoreOutcome:
    kind: str  # new_report | new_version | unchanged | moved
    version: int  # the version number (1, 2, …) the record was filed as
    report_id: int
    version_id: int
    body_id: int
    findings: list[dict[str, Any]] = field(default_factory=list)  # C23 for a new version
    changes: dict[str, Any] | None = None  # what differs from the version before (new_version)


def get_or_create_portal(session: Session, name: str, now: datetime) -> Portal:
    portal = session.scalars(select(Portal).where(Portal.name == name)).one_or_none()
    if portal is None:
        portal = Portal(name=name, start_urls=[], has_expected_list=False, created_at=now)
        session.add(portal)
        session.flush()
    return portal


def store_report(
    session: Session,
    *,
    portal: str,
    url: str,
    record: dict[str, Any],
    raw_sha256: str | None,
    fetched_at: datetime,
    run_id: int | None,
) -> StoreOutcome:
    validate_record(record)
    if not portal:
        raise ArchiveError("store_report needs the portal name")
    if raw_sha256 is not None and session.get(Capture, raw_sha256) is None:
        raise ArchiveError(f"raw capture {raw_sha256} is not in the archive; store_capture() it first")

    portal_row = get_or_create_portal(session, portal, fetched_at)
    body = _get_or_create_body(session, portal_row, record)
    year: int = record["year"]
    report = session.scalars(
        select(Report).where(Report.body_id == body.id, Report.year == year)
    ).one_or_none()
    published = parse_date((record.get("dates") or {}).get("published"))
    digest = content_hash(record)

    if report is None:
        report = Report(
            body_id=body.id,
            year=year,
            first_seen=fetched_at,
            last_seen=fetched_at,
            published=published,
            released_on=published or fetched_at.date(),
        )
        session.add(report)
        session.flush()
        _mark_year(session, body.id, year)
        version = _new_version(
            session, report, 1, record, digest, published, raw_sha256, run_id, fetched_at, url
        )
        report.current_version_id = version.id
        return StoreOutcome("new_report", 1, report.id, version.id, body.id)

    _touch_report(report, fetched_at, published)
    existing = session.scalars(
        select(Version).where(Version.report_id == report.id, Version.content_hash == digest)
    ).one_or_none()
    if existing is not None:
        existing.first_seen = min(existing.first_seen, fetched_at)
        existing.last_seen = max(existing.last_seen, fetched_at)
        moved = _see_url(session, existing, url, fetched_at)
        if fetched_at >= report.last_seen:
            report.current_version_id = existing.id
        return StoreOutcome(
            "moved" if moved else "unchanged", existing.number, report.id, existing.id, body.id
        )

    previous = session.get(Version, report.current_version_id) if report.current_version_id else None
    number = (session.scalar(select(func.max(Version.number)).where(Version.report_id == report.id)) or 0) + 1
    changes = record_changes(previous.record, record) if previous is not None else None
    findings: list[dict[str, Any]] = []
    if previous is not None and changes is not None:
        findings.append(_c23(previous.number, number, changes))
    version = _new_version(
        session, report, number, record, digest, published, raw_sha256, run_id, fetched_at, url,
        changes=changes, archive_findings=findings,
    )  # fmt: skip
    if fetched_at >= report.last_seen:
        report.current_version_id = version.id
    return StoreOutcome("new_version", number, report.id, version.id, body.id, findings, changes)


def _get_or_create_body(session: Session, portal: Portal, record: dict[str, Any]) -> Body:
    name: str = record["agency"].strip()
    key = norm_name(name)
    kind = record.get("body_kind") or portal.body_kind
    body = session.scalars(
        select(Body).where(Body.portal_id == portal.id, Body.norm_name == key)
    ).one_or_none()
    if body is None:
        body = Body(portal_id=portal.id, name=name, norm_name=key, body_kind=kind, expected=False)
        session.add(body)
        session.flush()
    elif record.get("body_kind") and body.body_kind != record["body_kind"]:
        # The report's own statement of what it is wins over a portal default or an older guess.
        body.body_kind = record["body_kind"]
    return body


def _mark_year(session: Session, body_id: int, year: int) -> None:
    # One atomic UPDATE (not read-modify-write): concurrent writers adding other years of the same
    # body on PostgreSQL cannot lose each other's bit.
    bit = 1 << (year - YEAR_BASE)
    session.execute(update(Body).where(Body.id == body_id).values(years_mask=Body.years_mask.op("|")(bit)))


def _touch_report(report: Report, fetched_at: datetime, published: Any) -> None:
    report.first_seen = min(report.first_seen, fetched_at)
    report.last_seen = max(report.last_seen, fetched_at)
    report.disappeared_at = None
    if report.published is None and published is not None:
        report.published = published
    report.released_on = report.published or report.first_seen.date()


def _new_version(
    session: Session,
    report: Report,
    number: int,
    record: dict[str, Any],
    digest: str,
    published: Any,
    raw_sha256: str | None,
    run_id: int | None,
    fetched_at: datetime,
    url: str,
    *,
    changes: dict[str, Any] | None = None,
    archive_findings: list[dict[str, Any]] | None = None,
) -> Version:
    # A shallow copy is enough: only the findings list is replaced, nothing nested is mutated.
    stored = dict(record)
    if archive_findings:
        stored["findings"] = [*(stored.get("findings") or []), *archive_findings]
    version = Version(
        report_id=report.id,
        number=number,
        content_hash=digest,
        record=stored,
        template=record.get("template"),
        title=record.get("title"),
        published=published,
        raw_sha256=raw_sha256,
        run_id=run_id,
        first_seen=fetched_at,
        last_seen=fetched_at,
        changes=changes,
    )
    session.add(version)
    session.flush()
    _insert_cells(session, version.id, record.get("cells") or {})
    _see_url(session, version, url, fetched_at)
    return version


def _insert_cells(session: Session, version_id: int, cells: dict[str, Any]) -> None:
    # 200 rows per version: straight to the driver's executemany (the ORM bulk path costs more than
    # the insert itself). Values are plain ints and strings, nothing for SQLAlchemy to convert.
    if not cells:
        return
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    rows = [(version_id, key, *cell_columns(value)) for key, value in cells.items()]
    conn.exec_driver_sql(
        f"INSERT INTO {Cell.__tablename__} (version_id, key, value_int, value_text) VALUES ({mark}, {mark}, {mark}, {mark})",
        rows,
    )


def _see_url(session: Session, version: Version, url: str, at: datetime) -> bool:
    """Record that `version` was seen at `url`; True when the URL is new for this version."""
    row = session.scalars(
        select(VersionUrl).where(VersionUrl.version_id == version.id, VersionUrl.url == url)
    ).one_or_none()
    if row is None:
        session.add(VersionUrl(version_id=version.id, url=url, first_seen=at, last_seen=at))
        session.flush()
        return True
    row.first_seen = min(row.first_seen, at)
    row.last_seen = max(row.last_seen, at)
    return False


def _c23(prev_number: int, number: int, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "check": "C23",
        "severity": spec.check("C23").severity,
        "message": (
            f"published report changed silently: version {number} differs from version {prev_number} "
            f"({describe(changes)})"
        ),
        "keys": [c["key"] for c in changes.get("cells") or []],
    }
