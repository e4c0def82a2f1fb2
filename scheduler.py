"""Periodic crawls: every portal of the portals file on a season-aware schedule, each crawl in its own
subprocess, with portal health and alerts.

- Cadence (settings.schedule): daily during the reporting season (Jan 1 – Apr 15 by default),
  weekly otherwise; a portal's `cron:` entry in the portals file overrides it.
- APScheduler 3.11 with a persistent SQLAlchemyJobStore in the archive database: a restart keeps
  the jobs and their next run times, so a run missed while the service was down runs once
  (coalesce=True, misfire_grace_time) instead of once per missed slot.
- Never two crawls of one portal at once: max_instances=1 inside one scheduler, and a lock row in
  `portal_locks` across processes and crashes (archive/health.py).
- Each finished crawl is recorded in `run_health` from the crawl's `--json` summary; a crawl that
  crashed, timed out or was killed is recorded as failed. Alert conditions are evaluated after each
  run and once a day for late bodies; each alert goes once to the log, the `alerts` table, and the
  webhook / e-mail of the settings.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time as time_mod
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from archive.api import Archive
from archive.db import errors_as_archive_error
from archive.health import (
    FINISHED,
    Alert,
    HealthStore,
    LockOwner,
    RunRow,
    RunStats,
    Thresholds,
    evaluate_runs,
)
from govreports import spec
from govreports.crawl_locks import LOCK_HELD_ENV
from govreports.errors import ArchiveError, ConfigError
from govreports.paths import PROJECT_ROOT, database_url
from govreports.portals import PortalConfig, load_portals
from settings.schedule import ScheduleSettings

log = logging.getLogger("govreports.scheduler")

# Jobs name their function by reference, so the job store holds no pickled code.
JOB_FUNC = "scheduler:_scheduled_crawl"
LATE_JOB_FUNC = "scheduler:_scheduled_late_check"
JOB_PREFIX = "crawl:"
LATE_JOB_ID = "late-check"
RETRY_JOB_FUNC = "scheduler:_scheduled_alert_retry"
RETRY_JOB_ID = "alert-retry"
JOBS_TABLE = "apscheduler_jobs"

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# ------------------------------------------------------------------------------------------ cadence


def _mmdd(value: str) -> tuple[int, int]:
    month, day = (int(p) for p in value.split("-"))
    return month, day


class SeasonalTrigger(BaseTrigger):
    """Daily at hour:minute from season_start to season_end (MM-DD, inclusive; may wrap the new
    year), weekly on `weekly_day` otherwise. Picklable, so it lives in the persistent job store."""

    def __init__(
        self,
        *,
        season_start: str = "01-01",
        season_end: str = "04-15",
        weekly_day: str = "mon",
        hour: int = 3,
        minute: int = 0,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self.season_start = season_start
        self.season_end = season_end
        self.weekly_day = weekly_day
        self.hour = hour
        self.minute = minute
        self.timezone = timezone
        _zone(timezone)  # fail early on a bad name

    def in_season(self, day: date) -> bool:
        start, end, here = _mmdd(self.season_start), _mmdd(self.season_end), (day.month, day.day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        tz = _zone(self.timezone)
        # After a previous fire time: the slot right after it (APScheduler walks missed slots this way);
        # otherwise the first slot from now.
        ref = (previous_fire_time + timedelta(microseconds=1)) if previous_fire_time else now
        ref = ref.astimezone(tz)
        weekday = _WEEKDAYS.index(self.weekly_day)
        day = ref.date()
        for _ in range(8 + 366):
            slot = datetime.combine(day, time(self.hour, self.minute), tzinfo=tz)
            if slot >= ref and (self.in_season(day) or day.weekday() == weekday):
                return slot
            day += timedelta(days=1)
        return None  # unreachable: a weekly slot comes within 8 days

    def __str__(self) -> str:
        return (
            f"seasonal[daily {self.season_start}..{self.season_end}, else weekly {self.weekly_day}; "
            f"{self.hour:02d}:{self.minute:02d} {self.timezone}]"
        )

    def __repr__(self) -> str:
        return f"<SeasonalTrigger ({self})>"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc


def _crontab_dow(field: str) -> str:
    """Standard crontab day-of-week (0 or 7 = Sunday) as APScheduler 3 names (whose 0 is Monday)."""
    names = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")

    def one(token: str) -> str:
        return names[int(token)] if token.isdigit() and int(token) <= 7 else token

    out = []
    for part in field.split(","):
        body, _, step = part.partition("/")
        if "-" in body:
            lo, hi = body.split("-", 1)
            if lo == "0" and hi.isdigit() and not step:  # sun-wed is not a range APScheduler accepts
                out.append("sun")
                if hi != "0":
                    out.append(f"mon-{one(hi)}")
                continue
            body = f"{one(lo)}-{one(hi)}"
        else:
            body = one(body)
        out.append(f"{body}/{step}" if step else body)
    return ",".join(out)


def crontab_trigger(expr: str, timezone: str) -> CronTrigger:
    fields = str(expr).split()
    if len(fields) != 5:
        raise ConfigError(f"cron {expr!r}: expected 5 fields (minute hour day month weekday)")
    fields[4] = _crontab_dow(fields[4])
    try:
        return CronTrigger.from_crontab(" ".join(fields), timezone=_zone(timezone))
    except ValueError as exc:
        raise ConfigError(f"cron {expr!r}: {exc}") from exc


def portal_trigger(portal: PortalConfig, settings: ScheduleSettings) -> BaseTrigger:
    cron = portal.extra.get("cron")
    if cron:
        try:
            return crontab_trigger(str(cron), settings.timezone)
        except ConfigError as exc:
            raise ConfigError(f"portal {portal.name}: {exc}") from None
    # A stable per-portal offset spreads the start times; crc32, not hash(), which varies per process.
    offset = zlib.crc32(portal.name.encode()) % settings.spread_minutes if settings.spread_minutes else 0
    hour, minute = divmod(settings.hour * 60 + offset, 60)
    return SeasonalTrigger(
        season_start=settings.season_start,
        season_end=settings.season_end,
        weekly_day=settings.weekly_day,
        hour=hour % 24,
        minute=minute,
        timezone=settings.timezone,
    )


# ------------------------------------------------------------------------------ the crawl's summary


def crawl_command(
    settings: ScheduleSettings, *, portals_file: Path | str, portal: str, db_url: str
) -> list[str]:
    values = {"python": sys.executable, "portals": str(portals_file), "portal": portal, "db": db_url}
    try:
        return [word.format(**values) for word in settings.crawl_command]
    except (KeyError, IndexError) as exc:
        raise ConfigError(f"crawl command: unknown placeholder {exc}; known: {', '.join(values)}") from None


def parse_summary(stdout: str, portal: str) -> dict[str, Any] | None:
    """The portal's entry in the crawl's `--json` output: one JSON document, or JSON lines (the last
    ones win); a document may hold the portal directly or in a `portals` list or mapping."""
    docs: list[Any] = []
    text = stdout.strip()
    if not text:
        return None
    try:
        docs.append(json.loads(text))
    except ValueError:
        for line in text.splitlines():
            line = line.strip()
            if line.startswith(("{", "[")):
                try:
                    docs.append(json.loads(line))
                except ValueError:
                    continue
    for doc in reversed(docs):
        entry = _portal_entry(doc, portal)
        if entry is not None:
            return entry
    return None


def _portal_entry(doc: Any, portal: str) -> dict[str, Any] | None:
    entries: list[Any] | None = None
    if isinstance(doc, list):
        entries = doc
    elif isinstance(doc, dict):
        for key in ("portals", "runs", "results"):
            value = doc.get(key)
            if isinstance(value, dict) and isinstance(value.get(portal), dict):
                return {"portal": portal, **value[portal]}
            if isinstance(value, list):
                entries = value
                break
        else:
            named = doc.get("portal") or doc.get("name")
            return doc if named in (None, portal) else None
    dicts = [e for e in entries or [] if isinstance(e, dict)]
    for entry in dicts:
        if (entry.get("portal") or entry.get("name")) == portal:
            return entry
    return dicts[0] if len(dicts) == 1 else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, list | tuple):
        return len(value)
    if isinstance(value, dict):
        counts = [_count(v) for v in value.values()]
        return sum(c for c in counts if c is not None)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _first(data: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        if key in data and (n := _count(data[key])) is not None:
            return n
    return None


def stats_from_summary(entry: dict[str, Any]) -> RunStats:
    """Health numbers from a summary entry, tolerant of the names a crawl may use."""
    data = dict(entry)
    for nested in ("stats", "counts"):
        if isinstance(entry.get(nested), dict):
            data = {**entry[nested], **{k: v for k, v in entry.items() if k != nested}}
    new_reports = _first(data, "new_reports", "new_report")
    new_versions = _first(data, "new_versions", "new_version")
    found = _first(data, "reports_found", "reports", "found", "documents_found")
    if found is None:
        parts = [
            _first(data, k)
            for k in ("new_report", "new_reports", "new_version", "new_versions", "unchanged", "moved")
        ]
        if any(p is not None for p in parts):
            found = sum(p or 0 for p in parts)
    errors_value = data.get("errors", data.get("error_count"))
    errors = _count(errors_value)
    by_kind = data.get("errors_by_kind") or (errors_value if isinstance(errors_value, dict) else {})
    status = str(data.get("status") or "")
    blocked_value = data.get("blocked")
    blocked = bool(_count(blocked_value)) if blocked_value is not None else False
    blocked = (
        blocked or status == "blocked" or bool(isinstance(by_kind, dict) and _count(by_kind.get("blocked")))
    )
    if status not in FINISHED:
        status = "blocked" if blocked else "ok"
    return RunStats(
        status=status,
        reports_found=found,
        new_reports=new_reports,
        new_versions=new_versions,
        errors=errors,
        requests=_first(data, "requests", "pages", "pages_fetched", "fetched", "responses"),
        blocked=blocked,
        crawl_run_id=_first(data, "run_id", "crawl_run_id"),
        summary=entry,
    )


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def run_stats(
    portal: str, stdout: str, stderr: str, exit_code: int | None, *, note: str | None = None
) -> RunStats:
    """What a finished crawl subprocess tells: its summary, or why it failed."""
    tail = " | ".join(line for line in stderr.strip().splitlines()[-3:] if line.strip())
    if note or exit_code is None or exit_code < 0:
        why = note or (f"killed by {_signal_name(exit_code)}" if exit_code else "did not exit")
        entry = parse_summary(stdout, portal)
        partial = stats_from_summary(entry) if entry else RunStats(status="failed")
        return RunStats(
            **{
                **_stats_dict(partial),
                "status": "failed",
                "exit_code": exit_code,
                "message": why + (f": {tail}" if tail else ""),
            }
        )
    entry = parse_summary(stdout, portal)
    if entry is None:
        message = f"crawl exited {exit_code} without a JSON summary" + (f": {tail}" if tail else "")
        return RunStats(status="failed", exit_code=exit_code, message=message)
    stats = stats_from_summary(entry)
    message = str(entry.get("message") or entry.get("error") or "")
    if not message and stats.blocked and entry.get("blocked_reason"):
        message = f"blocked: {entry['blocked_reason']}"
    if not message and stats.status == "failed":
        errors = entry.get("errors") or (entry.get("stats") or {}).get("errors")
        message = f"crawl reached no page; errors {errors}" if errors else "crawl reached no page"
    if not message and exit_code:
        message = tail
    return RunStats(**{**_stats_dict(stats), "exit_code": exit_code, "message": message or None})


def _stats_dict(stats: RunStats) -> dict[str, Any]:
    return {name: getattr(stats, name) for name in RunStats.__slots__}


# ----------------------------------------------------------------------------------------- delivery


class AlertSink:
    """Delivers a stored alert: log always, webhook (JSON POST) and e-mail when configured."""

    def __init__(self, settings: ScheduleSettings) -> None:
        self.settings = settings

    def deliver(self, alert: Alert, channels: Iterable[str] | None = None) -> dict[str, str]:
        """Status per configured channel; `channels` limits a retry to the ones that failed, so a
        receiver that got the alert does not get it twice."""
        wanted = None if channels is None else set(channels)
        if wanted is None:
            log.warning("ALERT [%s] %s", alert.kind, alert.message)
        statuses: dict[str, str] = {}
        if self.settings.webhook_url and (wanted is None or "webhook" in wanted):
            statuses["webhook"] = self._webhook(alert)
        if self.settings.smtp_host and self.settings.smtp_to and (wanted is None or "email" in wanted):
            statuses["email"] = self._email(alert)
        return statuses

    def _webhook(self, alert: Alert) -> str:
        body = json.dumps({"source": "govreports", "alert": alert.to_json()}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.settings.webhook_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "govreports-scheduler"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.webhook_timeout_s) as response:
                return f"sent {response.status}"
        except Exception as exc:  # URLError, OSError, http.client.HTTPException, bad URL
            # A dead webhook must not stop the crawls; the status column keeps the failure visible.
            log.error("alert webhook %s failed: %s", self.settings.webhook_url, exc)
            return f"failed: {exc}"

    def _email(self, alert: Alert) -> str:
        s = self.settings
        msg = EmailMessage()
        msg["Subject"] = f"[govreports] {alert.kind}: {alert.portal or alert.agency or ''}".strip()
        msg["From"] = s.smtp_from
        msg["To"] = ", ".join(s.smtp_to)
        msg.set_content(alert.message + "\n\n" + json.dumps(alert.to_json(), ensure_ascii=False, indent=2))
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(msg)
            return "sent"
        except (smtplib.SMTPException, OSError) as exc:
            log.error("alert e-mail via %s:%s failed: %s", s.smtp_host, s.smtp_port, exc)
            return f"failed: {exc}"


# ------------------------------------------------------------------------------------------ service

# The service whose jobs run in this process; the job functions look it up by reference.
_active: CrawlService | None = None

# (year, as_of) -> bodies expected to report for `year` with no report: Archive.missing's shape.
MissingSource = Callable[[int, date], list[dict[str, Any]]]


class CrawlService:
    """The scheduler service: jobs, crawl subprocesses, locks, health and alerts."""

    def __init__(
        self,
        portals_file: str | Path,
        db_url: str | None = None,
        settings: ScheduleSettings | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        missing_source: MissingSource | None = None,
        sink: AlertSink | None = None,
    ) -> None:
        self.settings = settings or ScheduleSettings.from_env()
        self.portals_file = Path(portals_file).resolve()
        self.portals: dict[str, PortalConfig] = {p.name: p for p in load_portals(self.portals_file)}
        self.db_url = database_url(db_url)
        self.archive = Archive.open(self.db_url)  # migrates to head, 0002_health included
        self.engine = self.archive.engine
        self._clock = clock
        self.health = HealthStore(self.engine, clock)
        self.owner = LockOwner.this_process()
        self.sink = sink or AlertSink(self.settings)
        self.missing_source = missing_source or self.archive.missing
        self.thresholds = Thresholds(
            error_rate_jump=self.settings.error_rate_jump,
            error_min_count=self.settings.error_min_count,
            error_baseline_runs=self.settings.error_baseline_runs,
            failed_runs_alert=self.settings.failed_runs_alert,
        )
        self.scheduler: BackgroundScheduler | None = None
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._children_lock = threading.Lock()
        self._active_runs = 0
        self._runs_done = threading.Condition()
        self._stopping = threading.Event()
        self.skipped_overlaps = 0  # job submissions APScheduler refused because one was running

    # lifecycle -----------------------------------------------------------------------------------

    def start(self, *, run_now: bool = False) -> None:
        """Start scheduling (in background threads). `run_now`: crawl every portal right away too."""
        global _active
        if _active is not None and _active is not self:
            raise ConfigError("another scheduler service is already running in this process")
        _active = self
        s = self.settings
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=s.max_parallel_crawls + 1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": s.misfire_grace_s},
            timezone=_zone(s.timezone),
        )
        self.scheduler.add_listener(
            self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR
        )
        with errors_as_archive_error(self.db_url):
            # Paused: sync the stored jobs with the portals file before anything due can fire.
            self.scheduler.start(paused=True)
            # The archive learns the portals and their expected bodies now, so the late check
            # knows who should report even before the first crawl.
            self.archive.sync_portals(self.portals.values())
            self.sync_jobs()
            self._close_dangling_runs()
            if run_now:
                now = datetime.now(_zone(s.timezone))
                for name in self.portals:
                    self.scheduler.modify_job(JOB_PREFIX + name, next_run_time=now)
        self.scheduler.resume()
        log.info(
            "scheduler started: %d portals, archive %s", len(self.portals), self.engine.url.render_as_string()
        )

    def sync_jobs(self) -> None:
        """One job per portal. A job whose trigger is unchanged keeps its stored next run time, so a
        run missed while the service was down still happens."""
        assert self.scheduler is not None
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        wanted: dict[str, tuple[str, BaseTrigger, list[str]]] = {
            JOB_PREFIX + name: (JOB_FUNC, portal_trigger(p, self.settings), [name])
            for name, p in self.portals.items()
        }
        wanted[LATE_JOB_ID] = (
            LATE_JOB_FUNC,
            CronTrigger(
                hour=self.settings.late_check_hour, minute=30, timezone=_zone(self.settings.timezone)
            ),
            [],
        )
        wanted[RETRY_JOB_ID] = (
            RETRY_JOB_FUNC,
            IntervalTrigger(
                minutes=self.settings.alert_retry_minutes, timezone=_zone(self.settings.timezone)
            ),
            [],
        )
        for job_id, (func, trigger, args) in wanted.items():
            job = existing.pop(job_id, None)
            if job is None:
                self.scheduler.add_job(
                    func, trigger=trigger, args=args, id=job_id, name=job_id, replace_existing=True
                )
                log.info("job %s added: %s", job_id, trigger)
            else:
                # Stored jobs keep the options they were created with; settings may have changed since.
                options = {
                    "coalesce": True,
                    "max_instances": 1,
                    "misfire_grace_time": self.settings.misfire_grace_s,
                }
                if any(getattr(job, k) != v for k, v in options.items()) or list(job.args) != args:
                    self.scheduler.modify_job(job_id, args=args, **options)
                if not _same_trigger(job.trigger, trigger):
                    self.scheduler.reschedule_job(job_id, trigger=trigger)
                    log.info("job %s rescheduled: %s", job_id, trigger)
        for job_id in existing:
            if job_id.startswith(JOB_PREFIX) or job_id in (LATE_JOB_ID, RETRY_JOB_ID):
                self.scheduler.remove_job(job_id)
                log.info("job %s removed: portal no longer in %s", job_id, self.portals_file)

    def _close_dangling_runs(self) -> None:
        """Runs left 'running' by a scheduler that died are failed, unless a live lock says they run."""
        locks = self.health.locks()
        for name in self.portals:
            if name not in locks:
                n = self.health.close_dangling_runs(name, "scheduler stopped while the crawl was running")
                if n:
                    log.warning("portal %s: %d run(s) of a dead scheduler recorded as failed", name, n)

    def next_run_times(self) -> dict[str, datetime | None]:
        if self.scheduler is None:
            return {}
        return {
            job.id.removeprefix(JOB_PREFIX): job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.id.startswith(JOB_PREFIX)
        }

    def shutdown(self, grace_s: float | None = None) -> None:
        """Stop scheduling, ask running crawls to stop (SIGTERM, then SIGKILL after the grace),
        wait until they are recorded, release our locks."""
        global _active
        grace = self.settings.terminate_grace_s if grace_s is None else grace_s
        self._stopping.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._children_lock:
            children = list(self._children.items())
        for name, proc in children:
            log.info("portal %s: stopping crawl pid %d", name, proc.pid)
            _signal_group(proc, signal.SIGTERM)
        deadline = datetime.now(UTC) + timedelta(seconds=grace)
        for _name, proc in children:
            remaining = max(0.0, (deadline - datetime.now(UTC)).total_seconds())
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
        with self._runs_done:
            self._runs_done.wait_for(lambda: self._active_runs == 0, timeout=grace + 10)
        for portal in list(self.health.locks()):
            self.health.release_lock(portal, self.owner)
        if _active is self:
            _active = None
        log.info("scheduler stopped")

    def serve_forever(self, *, run_now: bool = False) -> int:
        """Foreground service until SIGTERM or SIGINT."""
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            log.warning("received %s: shutting down", signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start(run_now=run_now)
            while not stop.wait(3600):
                pass
        finally:
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_event(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            self.skipped_overlaps += 1
            log.warning("job %s: previous crawl still running; this run skipped", event.job_id)
        elif event.code == EVENT_JOB_MISSED:
            log.warning("job %s: run missed (beyond misfire grace)", event.job_id)
        elif event.code == EVENT_JOB_ERROR:
            log.error("job %s failed: %s", event.job_id, getattr(event, "exception", None))

    # one crawl -----------------------------------------------------------------------------------

    def run_portal(self, name: str) -> RunRow | None:
        """Crawl one portal now (what the job does). None when skipped: stopping, unknown, or locked."""
        if self._stopping.is_set():
            return None
        if name not in self.portals:
            log.error("job for unknown portal %s: not in %s", name, self.portals_file)
            return None
        s = self.settings
        if not self.health.acquire_lock(name, self.owner, s.lock_ttl_s):
            log.warning("portal %s: a crawl is already running (lock held); skipped", name)
            return None
        with self._runs_done:
            self._active_runs += 1
        try:
            # We hold the lock, so a run still 'running' was left by a holder that died.
            self.health.close_dangling_runs(name, "the scheduler running this crawl died")
            launched_at = self.health.now()
            run_id = self.health.start_run(name, launched_at)
            stats = self._crawl(name)
            crawl_run_id = self._reconcile_archive_run(name, launched_at, stats)
            self.health.finish_run(run_id, replace(stats, crawl_run_id=crawl_run_id))
            log.info(
                "portal %s: %s, %s reports, %s new versions, %s errors%s",
                name, stats.status, stats.reports_found, stats.new_versions, stats.errors,
                f" ({stats.message})" if stats.message else "",
            )  # fmt: skip
        finally:
            self._release(name)
            with self._runs_done:
                self._active_runs -= 1
                self._runs_done.notify_all()
        self.evaluate(name)
        return self.health.run(run_id)

    def _release(self, name: str) -> None:
        for attempt in range(3):
            try:
                self.health.release_lock(name, self.owner)
                return
            except SQLAlchemyError as exc:
                # Left in place the lock would block the portal until it expires (lock_ttl_s).
                log.warning("portal %s: releasing the lock failed (attempt %d): %s", name, attempt + 1, exc)
                time_mod.sleep(1.0)

    def _reconcile_archive_run(self, name: str, launched_at: datetime, stats: RunStats) -> int | None:
        """Make crawl_runs tell the truth about this attempt: a run the killed crawl left 'running'
        is closed as failed; a crawl that died before opening a run gets a failed one. Returns the
        crawl_runs id of the attempt."""
        try:
            ours = [r for r in self.archive.last_runs(name, limit=10) if r.started_at >= launched_at]
            if stats.status == "failed":
                detail = {"error": stats.message, "exit_code": stats.exit_code, "recorded_by": "scheduler"}
                for r in ours:
                    if r.status == "running":
                        self.archive.end_run(r.id, status="failed", stats={**(r.stats or {}), **detail})
                if not ours:
                    run_id = self.archive.begin_run(name, at=launched_at)
                    self.archive.end_run(run_id, status="failed", stats=detail)
                    return run_id
            if stats.crawl_run_id is not None:
                return stats.crawl_run_id
            return ours[0].id if ours else None
        except ArchiveError as exc:
            # Health is still recorded in run_health; the archive's run table is best effort here.
            log.error("portal %s: cannot record the run in crawl_runs: %s", name, exc)
            return stats.crawl_run_id

    def _crawl(self, name: str) -> RunStats:
        s = self.settings
        cmd = crawl_command(s, portals_file=self.portals_file, portal=name, db_url=self.db_url)
        try:
            # Own session: a Ctrl-C at the terminal reaches the scheduler only, which then stops
            # its crawls in order; and the whole group (crawl + its helpers) can be signalled.
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                cwd=PROJECT_ROOT,
                # The lock is ours: the crawl command must not try to take it again.
                env={**os.environ, LOCK_HELD_ENV: self.owner.name},
                start_new_session=True,
            )
        except OSError as exc:
            return RunStats(status="failed", message=f"cannot start crawl {cmd[0]!r}: {exc}")
        with self._children_lock:
            self._children[name] = proc
            if self._stopping.is_set():
                # shutdown() began between our start check and Popen and did not see this child.
                _signal_group(proc, signal.SIGTERM)
        done = threading.Event()
        lost = threading.Event()

        def heartbeat() -> None:
            while True:
                try:
                    renewed = self.health.renew_lock(name, self.owner, s.lock_ttl_s, crawl_pid=proc.pid)
                except SQLAlchemyError as exc:
                    # A busy archive (the crawl itself writing) is no reason to stop: the lock has
                    # TTL to spare, the next beat tries again.
                    log.warning("portal %s: lock heartbeat failed, retrying: %s", name, exc)
                    renewed = True
                if not renewed:
                    # Another scheduler took the lock over after we stalled: stop, never crawl twice.
                    log.error("portal %s: lock lost; stopping crawl pid %d", name, proc.pid)
                    lost.set()
                    _signal_group(proc, signal.SIGTERM)
                    return
                if done.wait(s.lock_heartbeat_s):
                    return

        beat = threading.Thread(target=heartbeat, name=f"lock-heartbeat-{name}", daemon=True)
        beat.start()
        note: str | None = None
        try:
            try:
                out, err = proc.communicate(timeout=s.crawl_timeout_s)
            except subprocess.TimeoutExpired:
                note = f"timed out after {s.crawl_timeout_s:g} s"
                _signal_group(proc, signal.SIGTERM)
                try:
                    out, err = proc.communicate(timeout=s.terminate_grace_s)
                except subprocess.TimeoutExpired:
                    _signal_group(proc, signal.SIGKILL)
                    out, err = proc.communicate()
        finally:
            done.set()
            beat.join(timeout=5)
            with self._children_lock:
                self._children.pop(name, None)
        if lost.is_set():
            note = "lock lost to another scheduler"
        elif self._stopping.is_set() and proc.returncode != 0:
            note = "interrupted: scheduler shutting down"
        return run_stats(name, out or "", err or "", proc.returncode, note=note)

    def running_crawls(self) -> dict[str, int]:
        with self._children_lock:
            return {name: proc.pid for name, proc in self._children.items()}

    # alerts --------------------------------------------------------------------------------------

    def evaluate(self, name: str) -> list[Alert]:
        runs = self.health.runs(name, limit=max(50, self.thresholds.error_baseline_runs * 4))
        raised, cleared = evaluate_runs(name, runs, self.thresholds)
        if cleared:
            self.health.resolve(name, cleared)
        return self._raise(raised)

    def _raise(self, alerts: Iterable[Alert]) -> list[Alert]:
        out = []
        for alert in alerts:
            stored = self.health.raise_alert(alert)
            if stored is None:
                continue  # this condition was already raised
            out.append(stored)
            self._deliver(stored)
        return out

    def _deliver(self, alert: Alert, channels: Iterable[str] | None = None) -> dict[str, str]:
        """Send a stored alert (on `channels` only, for a retry) and keep each channel's status."""
        statuses = self.sink.deliver(alert, channels)
        if alert.id is not None:
            for channel, status in statuses.items():
                self.health.mark_delivery(alert.id, channel, status)
        return statuses

    def retry_deliveries(self) -> int:
        """Deliver again what failed, for alerts younger than alert_retry_hours; how many were sent."""
        since = self.health.now() - timedelta(hours=self.settings.alert_retry_hours)
        sent = 0
        for alert, channels in self.health.failed_deliveries(since):
            for channel, status in self._deliver(alert, channels).items():
                if status.startswith("sent"):
                    sent += 1
                    log.info("alert %s delivered by %s on retry", alert.id, channel)
        return sent

    def check_late(self, as_of: date | None = None) -> list[Alert]:
        """Bodies whose deadline for last year's report has passed with no report in the archive."""
        today = as_of or self._today()
        alerts: list[Alert] = []
        for year in (today.year - 1,):
            try:
                missing = self.missing_source(year, today)
            except Exception as exc:  # the late check must not take the service down
                log.error("late check for %d failed: %s", year, exc)
                continue
            for entry in missing:
                portal = self.portals.get(str(entry.get("portal")))
                if portal is None:
                    continue
                kind = entry.get("body_kind") or portal.body_kind
                deadline = spec.legal_deadline(kind, year, portal.deadline)
                if today <= deadline + timedelta(days=self.settings.late_grace_days):
                    continue
                agency = str(entry.get("agency"))
                alerts.append(
                    Alert(
                        kind="late",
                        dedupe_key=f"late:{portal.name}:{agency}:{year}",
                        portal=portal.name,
                        agency=agency,
                        year=year,
                        message=f"{agency} ({portal.name}): no {year} report, deadline {deadline.isoformat()} has passed",
                        details={
                            "deadline": deadline.isoformat(),
                            "as_of": today.isoformat(),
                            **{k: v for k, v in entry.items() if isinstance(v, str | int | None)},
                        },
                    )
                )
        return self._raise(alerts)

    def _today(self) -> date:
        now = self._clock() if self._clock else datetime.now(UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now.astimezone(_zone(self.settings.timezone)).date()


def _same_trigger(stored: BaseTrigger, wanted: BaseTrigger) -> bool:
    # An interval trigger's repr holds its start time, new at every start: compare the interval.
    if isinstance(stored, IntervalTrigger) and isinstance(wanted, IntervalTrigger):
        return stored.interval == wanted.interval
    return repr(stored) == repr(wanted)


def _signal_group(proc: subprocess.Popen[str], sig: int) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


# Job functions, referenced by name from the persistent job store.


def _scheduled_crawl(portal: str) -> None:
    service = _active
    if service is None:
        log.error("scheduled crawl of %s: no scheduler service running in this process", portal)
        return
    service.run_portal(portal)


def _scheduled_late_check() -> None:
    service = _active
    if service is not None:
        service.check_late()


def _scheduled_alert_retry() -> None:
    service = _active
    if service is not None:
        service.retry_deliveries()


def main(argv: list[str] | None = None) -> int:
    """`python scheduler.py --portals FILE [--db URL]`: the same as `govreports schedule`."""
    from govreports.cli import main as cli_main

    return cli_main(["schedule", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
