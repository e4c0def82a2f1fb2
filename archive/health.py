"""Portal health for the scheduler: what each scheduled crawl observed, portal locks, and alerts.

Three tables (Alembic revision 0002_health):

- `run_health`: one row per crawl the scheduler launched — the numbers of the crawl's `--json`
  summary, its exit code, and the archive's `crawl_runs.id` when the summary names it. A crawl that
  crashed before it could open a run in `crawl_runs` still gets a row here, so a portal whose crawls
  keep dying is visible.
- `portal_locks`: at most one crawl per portal, across processes and hosts, surviving a crash: a
  lock names its owner (host, pid) and expires unless renewed; a lock whose owner is dead (same host)
  or whose expiry has passed is stale and is taken over.
- `alerts`: each alert once per condition, by `dedupe_key`. Conditions with episodes (a portal
  regresses, recovers, regresses again) put the first run of the episode in the key, so the second
  episode alerts again while repeated runs of one episode do not.

Timestamps are naive UTC, like the rest of the archive (archive/models.py).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from archive.models import Base, JsonType

Clock = Callable[[], datetime]

# Registered on the archive's metadata so that Alembic's comparison of models and migrations sees
# them (import archive.health before comparing).
metadata = Base.metadata

run_health = Table(
    "run_health",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("portal", String(200), nullable=False, index=True),
    Column("crawl_run_id", Integer),  # crawl_runs.id when the crawl reported it; no FK: runs may be pruned
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("status", String(20), nullable=False),  # running | ok | partial | blocked | failed
    Column("exit_code", Integer),
    Column("reports_found", Integer),
    Column("new_reports", Integer),
    Column("new_versions", Integer),
    Column("errors", Integer),
    Column("requests", Integer),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("message", Text),
    Column("summary", JsonType),
)

portal_locks = Table(
    "portal_locks",
    metadata,
    Column("portal", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("crawl_pid", Integer),
    Column("acquired_at", DateTime, nullable=False),
    Column("heartbeat_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("portal", String(200), index=True),
    Column("agency", String(300)),
    Column("year", Integer),
    Column("message", Text, nullable=False),
    Column("details", JsonType),
    Column("raised_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("webhook_status", String(200)),
    Column("email_status", String(200)),
)

HEALTH_TABLES = (run_health, portal_locks, alerts)
ALERT_KINDS = ("zero_reports", "error_rate", "blocked", "failing", "late")
FINISHED = ("ok", "partial", "blocked", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


# --------------------------------------------------------------------------------------------- runs


@dataclass(frozen=True, slots=True)
class RunStats:
    """The health numbers of one crawl; None = the crawl did not say."""

    status: str
    reports_found: int | None = None
    new_reports: int | None = None
    new_versions: int | None = None
    errors: int | None = None
    requests: int | None = None
    blocked: bool = False
    crawl_run_id: int | None = None
    exit_code: int | None = None
    message: str | None = None
    summary: dict[str, Any] | None = None

    @property
    def error_rate(self) -> float | None:
        if self.errors is None:
            return None
        denominator = self.requests if self.requests else (self.errors + (self.reports_found or 0))
        return self.errors / denominator if denominator else 0.0


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    portal: str
    started_at: datetime
    ended_at: datetime | None
    stats: RunStats


def _run_row(row: Any) -> RunRow:
    return RunRow(
        id=row.id,
        portal=row.portal,
        started_at=row.started_at,
        ended_at=row.ended_at,
        stats=RunStats(
            status=row.status,
            reports_found=row.reports_found,
            new_reports=row.new_reports,
            new_versions=row.new_versions,
            errors=row.errors,
            requests=row.requests,
            blocked=bool(row.blocked),
            crawl_run_id=row.crawl_run_id,
            exit_code=row.exit_code,
            message=row.message,
            summary=row.summary,
        ),
    )


# -------------------------------------------------------------------------------------------- locks


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds a portal lock. `token` tells two schedulers in one process apart."""

    host: str
    pid: int
    token: str

    @classmethod
    def this_process(cls) -> LockOwner:
        return cls(host=socket.gethostname(), pid=os.getpid(), token=uuid.uuid4().hex[:12])

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"


@dataclass(frozen=True, slots=True)
class LockInfo:
    portal: str
    owner: str
    host: str
    pid: int
    crawl_pid: int | None
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


# ------------------------------------------------------------------------------------------- alerts


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    dedupe_key: str
    message: str
    portal: str | None = None
    agency: str | None = None
    year: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    raised_at: datetime | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat() + "Z" if self.raised_at else None
        return data


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The alert thresholds of settings.schedule (copied so this module needs no settings import)."""

    error_rate_jump: float = 0.25
    error_min_count: int = 3
    error_baseline_runs: int = 5
    failed_runs_alert: int = 2


def evaluate_runs(
    portal: str, runs: Sequence[RunRow], thresholds: Thresholds
) -> tuple[list[Alert], set[str]]:
    """Alert conditions of a portal from its finished runs, oldest first.

    Returns the alerts the latest run calls for and the kinds whose condition is over (to resolve).
    Pure: the caller stores, dedupes and delivers.
    """
    finished = [r for r in runs if r.stats.status in FINISHED]
    if not finished:
        return [], set()
    latest = finished[-1]
    raised: list[Alert] = []
    cleared: set[str] = set()

    # Consecutive failures: the crawl itself is broken (crash, timeout, killed).
    streak = _streak(finished, lambda r: r.stats.status == "failed")
    if len(streak) >= thresholds.failed_runs_alert:
        raised.append(
            Alert(
                kind="failing",
                dedupe_key=f"failing:{portal}:{streak[0].id}",
                portal=portal,
                message=f"portal {portal}: the last {len(streak)} crawls failed ({latest.stats.message or 'no detail'})",
                details={"runs": [r.id for r in streak], "last_message": latest.stats.message},
            )
        )
    elif not streak:
        cleared.add("failing")

    # The other conditions judge what a crawl saw, so they skip failed runs.
    seen = [r for r in finished if r.stats.status != "failed"]
    if not seen or latest.stats.status == "failed":
        return raised, cleared
    current = seen[-1]

    blocked = _streak(seen, lambda r: r.stats.blocked or r.stats.status == "blocked")
    if blocked:
        before = seen[: len(seen) - len(blocked)]
        was = "was reachable before" if before else "on its first crawl"
        raised.append(
            Alert(
                kind="blocked",
                dedupe_key=f"blocked:{portal}:{blocked[0].id}",
                portal=portal,
                message=f"portal {portal} is blocking the crawler ({was}; blocked since run {blocked[0].id})",
                details={"since_run": blocked[0].id, "errors": current.stats.errors},
            )
        )
    else:
        cleared.add("blocked")
        zero = _streak(seen, lambda r: r.stats.reports_found == 0)
        earlier = seen[: len(seen) - len(zero)]
        productive = [r for r in earlier if (r.stats.reports_found or 0) > 0]
        if zero and productive:
            last_good = productive[-1]
            raised.append(
                Alert(
                    kind="zero_reports",
                    dedupe_key=f"zero_reports:{portal}:{zero[0].id}",
                    portal=portal,
                    message=(
                        f"portal {portal} yielded no reports (run {zero[0].id}) after "
                        f"{last_good.stats.reports_found} in run {last_good.id}: column moved, site redesigned or emptied?"
                    ),
                    details={
                        "since_run": zero[0].id,
                        "last_productive_run": last_good.id,
                        "last_reports_found": last_good.stats.reports_found,
                    },
                )
            )
        elif current.stats.reports_found:
            cleared.add("zero_reports")

    jump = _error_jump(seen, thresholds)
    if jump is not None:
        first, baseline = jump
        rate = current.stats.error_rate or 0.0
        raised.append(
            Alert(
                kind="error_rate",
                dedupe_key=f"error_rate:{portal}:{first.id}",
                portal=portal,
                message=(
                    f"portal {portal}: error rate {rate:.0%} ({current.stats.errors} errors) "
                    f"against {baseline:.0%} before"
                ),
                details={
                    "since_run": first.id,
                    "rate": rate,
                    "baseline": baseline,
                    "errors": current.stats.errors,
                },
            )
        )
    else:
        cleared.add("error_rate")
    return raised, cleared


def _streak(runs: Sequence[RunRow], pred: Callable[[RunRow], bool]) -> list[RunRow]:
    """The trailing runs that satisfy `pred`, oldest first."""
    out: list[RunRow] = []
    for run in reversed(runs):
        if not pred(run):
            break
        out.append(run)
    return out[::-1]


def _error_jump(seen: Sequence[RunRow], t: Thresholds) -> tuple[RunRow, float] | None:
    """(first run of the high-error episode, baseline rate) when the latest run is one."""

    def high(i: int) -> float | None:
        run = seen[i]
        rate = run.stats.error_rate
        if rate is None or (run.stats.errors or 0) < t.error_min_count:
            return None
        window = [r.stats.error_rate for r in seen[max(0, i - t.error_baseline_runs) : i]]
        window = [r for r in window if r is not None]
        if not window:
            return None
        baseline = sum(window) / len(window)
        return baseline if rate - baseline >= t.error_rate_jump else None

    last = len(seen) - 1
    baseline = high(last)
    if baseline is None:
        return None
    # Walk back while earlier runs were also a jump, measured against the same pre-episode baseline.
    first = last
    while first > 0:
        prev = seen[first - 1]
        rate = prev.stats.error_rate
        if (
            rate is None
            or (prev.stats.errors or 0) < t.error_min_count
            or rate - baseline < t.error_rate_jump
        ):
            break
        first -= 1
    return seen[first], baseline


# -------------------------------------------------------------------------------------------- store


class HealthStore:
    """Queries and writes of the health tables. Thread-safe: every call uses its own connection."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        # SQLite: take the write lock at BEGIN, so a read-then-write (lock takeover) queues on the
        # busy timeout instead of failing when it upgrades its read lock (archive/db.py).
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._clock = clock or utcnow

    def now(self) -> datetime:
        return _naive_utc(self._clock())

    def create_tables(self) -> None:
        """For databases not managed by Alembic (test doubles); the archive migrates to 0002_health."""
        metadata.create_all(self.engine, tables=list(HEALTH_TABLES))

    # runs ----------------------------------------------------------------------------------------

    def start_run(self, portal: str, started_at: datetime | None = None) -> int:
        with self._writer.begin() as conn:
            result = conn.execute(
                insert(run_health).values(
                    portal=portal, started_at=started_at or self.now(), status="running", blocked=False
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, stats: RunStats, ended_at: datetime | None = None) -> None:
        with self._writer.begin() as conn:
            conn.execute(
                update(run_health)
                .where(run_health.c.id == run_id)
                .values(
                    ended_at=ended_at or self.now(),
                    status=stats.status,
                    exit_code=stats.exit_code,
                    reports_found=stats.reports_found,
                    new_reports=stats.new_reports,
                    new_versions=stats.new_versions,
                    errors=stats.errors,
                    requests=stats.requests,
                    blocked=stats.blocked,
                    crawl_run_id=stats.crawl_run_id,
                    message=(stats.message or None) and stats.message[:4000],
                    summary=stats.summary,
                )
            )

    def runs(self, portal: str, limit: int = 50) -> list[RunRow]:
        """The portal's latest runs, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(run_health)
                .where(run_health.c.portal == portal)
                .order_by(run_health.c.id.desc())
                .limit(limit)
            ).all()
        return [_run_row(r) for r in reversed(rows)]

    def run(self, run_id: int) -> RunRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(run_health).where(run_health.c.id == run_id)).first()
        return _run_row(row) if row else None

    def recent_runs(self, limit: int = 20) -> list[RunRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(run_health).order_by(run_health.c.id.desc()).limit(limit)).all()
        return [_run_row(r) for r in rows]

    def close_dangling_runs(self, portal: str, message: str) -> int:
        """Runs left 'running' by a scheduler that died: failed, so they stop looking alive."""
        with self._writer.begin() as conn:
            result = conn.execute(
                update(run_health)
                .where(run_health.c.portal == portal, run_health.c.status == "running")
                .values(status="failed", ended_at=self.now(), message=message)
            )
            return result.rowcount or 0

    # locks ---------------------------------------------------------------------------------------

    def acquire_lock(self, portal: str, owner: LockOwner, ttl_s: float) -> bool:
        """Take the portal's lock; a stale one (dead owner on this host, or expired) is taken over."""
        now = self.now()
        values = {
            "owner": owner.name,
            "host": owner.host,
            "pid": owner.pid,
            "crawl_pid": None,
            "acquired_at": now,
            "heartbeat_at": now,
            "expires_at": now + timedelta(seconds=ttl_s),
        }
        for _ in range(3):  # a lock released between our insert and our read: try again
            try:
                with self._writer.begin() as conn:
                    conn.execute(insert(portal_locks).values(portal=portal, **values))
                return True
            except IntegrityError:
                pass
            with self._writer.begin() as conn:
                row = conn.execute(select(portal_locks).where(portal_locks.c.portal == portal)).first()
                if row is None:
                    continue
                if not self._stale(row, now, owner, ttl_s):
                    return False
                # Compare-and-swap on the old owner and expiry: of two schedulers that both saw the
                # stale lock, only one wins.
                result = conn.execute(
                    update(portal_locks)
                    .where(
                        portal_locks.c.portal == portal,
                        portal_locks.c.owner == row.owner,
                        portal_locks.c.expires_at == row.expires_at,
                    )
                    .values(**values)
                )
                return result.rowcount == 1
        return False

    @staticmethod
    def _stale(row: Any, now: datetime, me: LockOwner, ttl_s: float) -> bool:
        if row.owner == me.name:
            return False  # ours and in use: a second crawl of the portal must wait
        here = row.host == me.host
        # A crawl orphaned by a killed scheduler may still be running: taking its lock would mean
        # two crawls of the portal. Long past the expiry the pid is more likely reused than alive.
        orphan = here and row.crawl_pid is not None and pid_alive(row.crawl_pid)
        if orphan:
            return row.expires_at < now - timedelta(seconds=10 * ttl_s)
        if here and not pid_alive(row.pid):
            return True
        return row.expires_at < now

    def renew_lock(self, portal: str, owner: LockOwner, ttl_s: float, crawl_pid: int | None = None) -> bool:
        """Heartbeat. False when the lock is no longer ours (taken over after we stalled)."""
        now = self.now()
        values: dict[str, Any] = {"heartbeat_at": now, "expires_at": now + timedelta(seconds=ttl_s)}
        if crawl_pid is not None:
            values["crawl_pid"] = crawl_pid
        with self._writer.begin() as conn:
            result = conn.execute(
                update(portal_locks)
                .where(portal_locks.c.portal == portal, portal_locks.c.owner == owner.name)
                .values(**values)
            )
            return result.rowcount == 1

    def release_lock(self, portal: str, owner: LockOwner) -> bool:
        with self._writer.begin() as conn:
            result = conn.execute(
                delete(portal_locks).where(
                    portal_locks.c.portal == portal, portal_locks.c.owner == owner.name
                )
            )
            return result.rowcount == 1

    def locks(self) -> dict[str, LockInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(portal_locks)).all()
        return {r.portal: LockInfo(**r._mapping) for r in rows}

    # alerts --------------------------------------------------------------------------------------

    def raise_alert(self, alert: Alert) -> Alert | None:
        """Store the alert; None when its condition was already raised (same dedupe_key)."""
        raised_at = alert.raised_at or self.now()
        try:
            with self._writer.begin() as conn:
                result = conn.execute(
                    insert(alerts).values(
                        dedupe_key=alert.dedupe_key[:400],
                        kind=alert.kind,
                        portal=alert.portal,
                        agency=alert.agency,
                        year=alert.year,
                        message=alert.message,
                        details=alert.details,
                        raised_at=raised_at,
                    )
                )
        except IntegrityError:
            return None
        return Alert(**{**asdict(alert), "raised_at": raised_at, "id": int(result.inserted_primary_key[0])})

    def resolve(self, portal: str, kinds: Iterable[str]) -> int:
        kinds = list(kinds)
        if not kinds:
            return 0
        with self._writer.begin() as conn:
            result = conn.execute(
                update(alerts)
                .where(alerts.c.portal == portal, alerts.c.kind.in_(kinds), alerts.c.resolved_at.is_(None))
                .values(resolved_at=self.now())
            )
            return result.rowcount or 0

    def mark_delivery(self, alert_id: int, channel: str, status: str) -> None:
        column = {"webhook": "webhook_status", "email": "email_status"}[channel]
        with self._writer.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values({column: status[:200]}))

    def failed_deliveries(self, since: datetime) -> list[tuple[Alert, list[str]]]:
        """Alerts raised at or after `since` with the channels whose last delivery failed."""
        failed = or_(alerts.c.webhook_status.like("failed%"), alerts.c.email_status.like("failed%"))
        query = select(alerts).where(alerts.c.raised_at >= since, failed).order_by(alerts.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = []
        for r in rows:
            channels = [
                channel
                for channel, status in (("webhook", r.webhook_status), ("email", r.email_status))
                if (status or "").startswith("failed")
            ]
            alert = Alert(
                kind=r.kind,
                dedupe_key=r.dedupe_key,
                message=r.message,
                portal=r.portal,
                agency=r.agency,
                year=r.year,
                details=r.details or {},
                raised_at=r.raised_at,
                id=r.id,
            )
            out.append((alert, channels))
        return out

    def alerts(self, *, open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
        if open_only:
            query = query.where(alerts.c.resolved_at.is_(None))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query).all()]

    # status --------------------------------------------------------------------------------------

    def portal_health(self, portals: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """One line per portal: its last run, the last run that found reports, lock, open alerts."""
        with self.engine.connect() as conn:
            names = set(portals or ())
            names |= set(conn.execute(select(run_health.c.portal).distinct()).scalars())
            open_alerts: dict[str, list[str]] = {}
            for row in conn.execute(
                select(alerts.c.portal, alerts.c.kind).where(alerts.c.resolved_at.is_(None))
            ).all():
                open_alerts.setdefault(row.portal or "", []).append(row.kind)
            failed_counts = dict(
                conn.execute(
                    select(run_health.c.portal, func.count())
                    .where(run_health.c.status == "failed")
                    .group_by(run_health.c.portal)
                ).all()
            )
        locks = self.locks()
        out: list[dict[str, Any]] = []
        for name in sorted(names):
            runs = self.runs(name, limit=20)
            last = runs[-1] if runs else None
            productive = [r for r in runs if (r.stats.reports_found or 0) > 0]
            kinds = sorted(set(open_alerts.get(name, [])))
            health = "unknown"
            if last is not None:
                health = (
                    "ok" if not kinds and last.stats.status in {"ok", "partial", "running"} else "attention"
                )
            lock = locks.get(name)
            out.append(
                {
                    "portal": name,
                    "health": health,
                    "last_run": _run_json(last) if last else None,
                    "last_productive_run": productive[-1].ended_at.isoformat() + "Z"
                    if productive and productive[-1].ended_at
                    else None,
                    "failed_runs": int(failed_counts.get(name, 0)),
                    "open_alerts": kinds,
                    "lock": {"owner": lock.owner, "expires_at": lock.expires_at.isoformat() + "Z"}
                    if lock
                    else None,
                }
            )
        return out


def _run_json(run: RunRow) -> dict[str, Any]:
    s = run.stats
    return {
        "id": run.id,
        "portal": run.portal,
        "started_at": run.started_at.isoformat() + "Z",
        "ended_at": run.ended_at.isoformat() + "Z" if run.ended_at else None,
        "status": s.status,
        "reports_found": s.reports_found,
        "new_reports": s.new_reports,
        "new_versions": s.new_versions,
        "errors": s.errors,
        "requests": s.requests,
        "blocked": s.blocked,
        "exit_code": s.exit_code,
        "crawl_run_id": s.crawl_run_id,
        "message": s.message,
    }


def run_json(run: RunRow) -> dict[str, Any]:
    return _run_json(run)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
