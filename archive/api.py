"""The archive's one entry point for the crawler, the scheduler and the commands.

    archive = Archive.open(url)                     # migrates to head; None -> paths.database_url()
    archive.sync_portals(load_portals(path))
    run_id = archive.begin_run("pingtan")
    sha = archive.store_capture(url=u, body=data, headers=h, fetched_at=t, run_id=run_id)
    outcome = archive.store_report(portal="pingtan", url=u, record=rec, raw_sha256=sha,
                                   fetched_at=t, run_id=run_id)
    archive.record_error(run_id, url=u, kind="http_5xx", message="503")
    archive.mark_disappeared("pingtan", seen_urls, at=t)
    archive.end_run(run_id, status="ok", stats={...})

Every write is one transaction: it lands whole or not at all. Timestamps may be aware (converted
to UTC) or naive (taken as UTC). Database trouble surfaces as govreports.errors.ArchiveError.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from archive import captures as captures_mod
from archive import db, migrate
from archive.models import Body, CrawlError, CrawlRun, Portal, Report, Version, VersionUrl
from archive.normalize import norm_name, utc_naive
from archive.store import StoreOutcome, get_or_create_portal, store_report
from govreports import paths
from govreports.errors import ArchiveError
from govreports.portals import PortalConfig

RUN_STATUSES = ("ok", "partial", "blocked", "failed")

__all__ = ["Archive", "StoreOutcome"]


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    portal: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    stats: dict[str, Any] | None


class Archive:
    def __init__(self, engine: Engine, url: str, captures_dir: Path, busy_timeout: float) -> None:
        self.engine = engine
        self.url = url
        self.captures_dir = captures_dir
        self.busy_timeout = busy_timeout
        self._read = sessionmaker(engine, expire_on_commit=False)
        # SQLite: take the write lock at BEGIN so two writers queue on busy_timeout instead of one
        # failing at once when it upgrades a read lock (WAL's SQLITE_BUSY_SNAPSHOT).
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        captures_dir: str | Path | None = None,
        busy_timeout: float = db.DEFAULT_BUSY_TIMEOUT,
        migrate_to_head: bool = True,
    ) -> Archive:
        """Connect (and migrate to head). Large raw captures go to `captures_dir`: by default
        beside an SQLite file (`<file>.captures/`), else `<data folder>/captures/`."""
        url = paths.database_url(url)
        engine = db.make_engine(url, busy_timeout=busy_timeout)
        with db.errors_as_archive_error(url, busy_timeout):
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                if migrate_to_head:
                    migrate.upgrade(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(
            engine, url, Path(captures_dir) if captures_dir else _default_captures_dir(url), busy_timeout
        )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (queries); errors become ArchiveError."""
        with db.errors_as_archive_error(self.url, self.busy_timeout), self._read() as s:
            yield s

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits at the end, rolls back on any exception."""
        with db.errors_as_archive_error(self.url, self.busy_timeout), self._write() as s, s.begin():
            yield s

    @contextmanager
    def _core_transaction(self) -> Iterator[Connection]:
        """One write transaction on a bare connection, for the Core paths (filing captures and
        reports): a Session costs as much to set up and commit as the statements of a capture."""
        with db.errors_as_archive_error(self.url, self.busy_timeout), self._write_engine.begin() as conn:
            yield conn

    def _retrying(self, fn, *args: Any, core: bool = False, **kwargs: Any):
        """Run a write; retry once when a concurrent writer inserted the same row first."""
        begin = self._core_transaction if core else self.transaction
        try:
            with begin() as s:
                return fn(s, *args, **kwargs)
        except ArchiveError as err:
            if not isinstance(err.__cause__, sa_exc.IntegrityError):
                raise
        with begin() as s:
            return fn(s, *args, **kwargs)

    # ---------------------------------------------------------------- portals

    def sync_portals(self, portals: Iterable[PortalConfig]) -> None:
        """Make the archive's portal rows (and expected bodies) match the portals file.

        Portals absent from the file are kept (their history stays queryable); a body no longer
        listed stops being expected but keeps its reports.
        """
        portals = list(portals)
        now = utc_naive(None)

        def work(s: Session) -> None:
            for cfg in portals:
                portal = get_or_create_portal(s, cfg.name, now)
                portal.start_urls = list(cfg.start_urls)
                portal.body_kind = cfg.body_kind
                portal.deadline = cfg.deadline
                portal.has_expected_list = bool(cfg.expected_bodies)
                portal.synced_at = now
                listed = {norm_name(n): n.strip() for n in cfg.expected_bodies if norm_name(n)}
                bodies = {b.norm_name: b for b in s.scalars(select(Body).where(Body.portal_id == portal.id))}
                for key, body in bodies.items():
                    body.expected = key in listed
                    if body.body_kind is None and cfg.body_kind:
                        body.body_kind = cfg.body_kind
                for key, name in listed.items():
                    if key not in bodies:
                        s.add(
                            Body(
                                portal_id=portal.id,
                                name=name,
                                norm_name=key,
                                body_kind=cfg.body_kind,
                                expected=True,
                            )
                        )
                s.flush()

        self._retrying(work)

    # ---------------------------------------------------------------- runs

    def begin_run(self, portal: str, *, at: datetime | None = None) -> int:
        started = utc_naive(at)
        with self.transaction() as s:
            run = CrawlRun(portal=portal, started_at=started, status="running", stats=None)
            s.add(run)
            s.flush()
            return run.id

    def end_run(
        self, run_id: int, *, status: str, stats: dict[str, Any] | None = None, at: datetime | None = None
    ) -> None:
        if status not in RUN_STATUSES:
            raise ArchiveError(f"run status must be one of {', '.join(RUN_STATUSES)}, got {status!r}")
        with self.transaction() as s:
            run = s.get(CrawlRun, run_id)
            if run is None:
                raise ArchiveError(f"no crawl run {run_id}")
            run.status = status
            run.stats = dict(stats or {})
            run.ended_at = utc_naive(at)

    def record_error(
        self, run_id: int, *, url: str | None, kind: str, message: str, at: datetime | None = None
    ) -> None:
        with self.transaction() as s:
            if s.get(CrawlRun, run_id) is None:
                raise ArchiveError(f"no crawl run {run_id}")
            s.add(CrawlError(run_id=run_id, url=url, kind=kind, message=message, at=utc_naive(at)))

    def run(self, run_id: int) -> RunInfo:
        with self.session() as s:
            r = s.get(CrawlRun, run_id)
            if r is None:
                raise ArchiveError(f"no crawl run {run_id}")
            return RunInfo(r.id, r.portal, r.started_at, r.ended_at, r.status, r.stats)

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(select(CrawlError).where(CrawlError.run_id == run_id).order_by(CrawlError.id))
            return [{"url": e.url, "kind": e.kind, "message": e.message, "at": e.at} for e in rows]

    def last_runs(self, portal: str | None = None, limit: int = 20) -> list[RunInfo]:
        with self.session() as s:
            q = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
            if portal:
                q = q.where(CrawlRun.portal == portal)
            return [
                RunInfo(r.id, r.portal, r.started_at, r.ended_at, r.status, r.stats) for r in s.scalars(q)
            ]

    # ---------------------------------------------------------------- captures and reports

    def store_capture(
        self,
        *,
        url: str,
        body: bytes | BinaryIO | Path | Iterable[bytes],
        headers: dict[str, str] | None = None,
        fetched_at: datetime | None = None,
        run_id: int | None = None,
    ) -> str:
        """Keep the exact bytes (once per sha256) and this sighting; returns the sha256.

        `body` may be bytes, a binary file, a Path or an iterable of chunks: large documents are
        hashed and written in chunks, never held whole in memory.
        """
        try:
            staged = captures_mod.stage(body, self.captures_dir)
        except OSError as err:
            raise ArchiveError(f"cannot write raw capture under {self.captures_dir}: {err}") from err
        at = utc_naive(fetched_at)
        self._retrying(
            lambda conn: captures_mod.record(
                conn, staged, url=url, headers=headers or {}, fetched_at=at, run_id=run_id
            ),
            core=True,
        )
        return staged.sha256

    def read_capture(self, sha256: str) -> bytes:
        with self.session() as s:
            return captures_mod.read(s, sha256, self.captures_dir)

    def capture_info(self, sha256: str) -> dict[str, Any] | None:
        from archive.models import Capture, CaptureSighting

        with self.session() as s:
            cap = s.get(Capture, sha256)
            if cap is None:
                return None
            sightings = s.scalars(select(CaptureSighting).where(CaptureSighting.sha256 == sha256)).all()
            return {
                "sha256": cap.sha256,
                "size": cap.size,
                "content_type": cap.content_type,
                "headers": cap.headers,
                "stored": "file" if cap.path else "db",
                "first_seen": cap.first_seen,
                "last_seen": cap.last_seen,
                "urls": {x.url: {"times_seen": x.times_seen, "headers": x.headers} for x in sightings},
            }

    def store_report(
        self,
        *,
        portal: str,
        url: str,
        record: dict[str, Any],
        raw_sha256: str | None = None,
        fetched_at: datetime | None = None,
        run_id: int | None = None,
    ) -> StoreOutcome:
        """File one parsed record; see archive.store for the change-detection rules."""
        at = utc_naive(fetched_at)
        return self._retrying(
            lambda conn: store_report(
                conn,
                portal=portal,
                url=url,
                record=record,
                raw_sha256=raw_sha256,
                fetched_at=at,
                run_id=run_id,
            ),
            core=True,
        )

    def mark_disappeared(
        self, portal: str, seen_urls: set[str] | Iterable[str], at: datetime | None = None
    ) -> int:
        """Mark the portal's reports none of whose URLs were seen in this (complete) crawl.

        Call it only after a crawl that covered the whole portal: a blocked or partial crawl would
        mark everything it did not reach. Nothing is deleted; a report seen again is unmarked.
        Returns how many reports were newly marked.
        """
        seen = set(seen_urls)
        when = utc_naive(at)

        def work(s: Session) -> int:
            rows = s.execute(
                select(Report.id, VersionUrl.url)
                .join(Body, Body.id == Report.body_id)
                .join(Portal, Portal.id == Body.portal_id)
                .join(Version, Version.report_id == Report.id)
                .join(VersionUrl, VersionUrl.version_id == Version.id)
                .where(Portal.name == portal, Report.disappeared_at.is_(None))
            ).all()
            urls: dict[int, set[str]] = {}
            for report_id, url in rows:
                urls.setdefault(report_id, set()).add(url)
            gone = [rid for rid, us in urls.items() if not (us & seen)]
            for i in range(0, len(gone), 500):
                s.execute(update(Report).where(Report.id.in_(gone[i : i + 500])).values(disappeared_at=when))
            return len(gone)

        return self._retrying(work)

    # ---------------------------------------------------------------- reading

    def versions(self, agency: str, year: int, portal: str | None = None) -> list[dict[str, Any]]:
        """Every version of one report, oldest first, with its URLs and what changed."""
        from archive.queries.common import find_body

        with self.session() as s:
            body = find_body(s, agency, portal)
            report = s.scalars(
                select(Report).where(Report.body_id == body.id, Report.year == year)
            ).one_or_none()
            if report is None:
                return []
            out = []
            for v in s.scalars(
                select(Version).where(Version.report_id == report.id).order_by(Version.number)
            ):
                out.append(
                    {
                        "version": v.number,
                        "content_hash": v.content_hash,
                        "first_seen": v.first_seen,
                        "last_seen": v.last_seen,
                        "urls": [u.url for u in v.urls],
                        "raw_sha256": v.raw_sha256,
                        "current": v.id == report.current_version_id,
                        "changes": v.changes,
                        "record": v.record,
                    }
                )
            return out

    def report_status(self, agency: str, year: int, portal: str | None = None) -> dict[str, Any] | None:
        from archive.queries.common import find_body

        with self.session() as s:
            body = find_body(s, agency, portal)
            r = s.scalars(select(Report).where(Report.body_id == body.id, Report.year == year)).one_or_none()
            if r is None:
                return None
            return {
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
                "published": r.published,
                "disappeared_at": r.disappeared_at,
                "versions": len(r.versions),
            }

    def missing(
        self, year: int, as_of: date | None = None, *, portal: str | None = None, agency: str | None = None
    ) -> list[dict[str, Any]]:
        from archive.queries.missing import missing

        with self.session() as s:
            return missing(s, year, as_of, portal=portal, agency=agency)

    def late(
        self, year: int, as_of: date | None = None, *, portal: str | None = None, agency: str | None = None
    ) -> list[dict[str, Any]]:
        from archive.queries.late import late

        with self.session() as s:
            return late(s, year, as_of, portal=portal, agency=agency)

    def diff(self, agency: str, from_year: int, to_year: int, *, portal: str | None = None) -> dict[str, Any]:
        from archive.queries.diff import diff

        with self.session() as s:
            return diff(s, agency, from_year, to_year, portal=portal)

    def export(
        self,
        *,
        year: int | None = None,
        agency: str | None = None,
        all_versions: bool = False,
        portal: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        from archive.queries.export import export

        with self.session() as s:
            yield from export(s, year=year, agency=agency, all_versions=all_versions, portal=portal)

    # ---------------------------------------------------------------- browsing (read-only, the dashboard)

    def portals_overview(self) -> list[dict[str, Any]]:
        """Per portal: settings, bodies (and expected ones), reports per year."""
        from archive.queries.browse import portals_overview

        with self.session() as s:
            return portals_overview(s)

    def bodies(self, portal: str | None = None) -> list[dict[str, Any]]:
        """Every body (of one portal), with the years it has reports for."""
        from archive.queries.browse import bodies

        with self.session() as s:
            return bodies(s, portal)

    def find_bodies(self, agency: str, portal: str | None = None) -> list[dict[str, Any]]:
        """The bodies with this name (on `portal`); [] when none, several when on several portals."""
        from archive.queries.browse import find_bodies

        with self.session() as s:
            return find_bodies(s, agency, portal)

    def body_reports(self, agency: str, portal: str) -> list[dict[str, Any]] | None:
        """One body's reports with their versions and findings; None when there is no such body."""
        from archive.queries.browse import body_reports

        with self.session() as s:
            return body_reports(s, agency, portal)

    def body_kinds(self, portal: str | None = None) -> dict[tuple[str, str], str | None]:
        """(portal, body name) -> body_kind, to filter missing/late rows by kind."""
        from archive.queries.browse import body_kinds

        with self.session() as s:
            return body_kinds(s, portal)

    def portal_names(self) -> list[str]:
        from archive.queries.browse import portal_names

        with self.session() as s:
            return portal_names(s)

    def report_years(self) -> list[int]:
        """The reporting years the archive has reports for, ascending."""
        from archive.queries.browse import report_years

        with self.session() as s:
            return report_years(s)

    def run_error_summary(self, run_id: int, limit: int = 5) -> dict[str, Any]:
        """A run's error counts per kind and its first `limit` errors."""
        from archive.queries.browse import run_error_summary

        with self.session() as s:
            return run_error_summary(s, run_id, limit)

    def portal_health(self) -> list[dict[str, Any]]:
        """The scheduler's view of each known portal (as `govreports status`): last run, alerts."""
        from archive.health import HealthStore

        with db.errors_as_archive_error(self.url, self.busy_timeout):
            return HealthStore(self.engine).portal_health(self.portal_names())

    def open_alerts(self, limit: int = 200) -> list[dict[str, Any]]:
        from archive.health import HealthStore

        with db.errors_as_archive_error(self.url, self.busy_timeout):
            return HealthStore(self.engine).alerts(open_only=True, limit=limit)


def _default_captures_dir(url: str) -> Path:
    u = db.parse_url(url)
    path = db.sqlite_path(u)
    if path is not None:
        return path.with_name(path.name + ".captures")
    return paths.data_dir() / "captures"
