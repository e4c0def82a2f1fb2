"""archive/health.py: the 0002_health tables, portal locks, alert dedupe and the alert conditions.
Runs on SQLite and PostgreSQL (the `db_url` fixture of conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from freezegun import freeze_time
from sqlalchemy import inspect

from archive import migrate
from archive.api import Archive
from archive.health import (
    Alert,
    HealthStore,
    LockOwner,
    RunRow,
    RunStats,
    Thresholds,
    evaluate_runs,
    metadata,
    portal_locks,
)

T0 = datetime(2026, 2, 10, 4, 0)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def archive(db_url: str):
    a = Archive.open(db_url)
    yield a
    a.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(archive: Archive, clock: Clock) -> HealthStore:
    return HealthStore(archive.engine, clock)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ------------------------------------------------------------------------------------ migration


def test_0002_health_creates_the_tables_the_module_declares(archive: Archive) -> None:
    tables = set(inspect(archive.engine).get_table_names())
    assert {"run_health", "portal_locks", "alerts"} <= tables
    with archive.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diffs == []
    migrate.downgrade(archive.engine, "0001_archive")
    assert not {"run_health", "portal_locks", "alerts"} & set(inspect(archive.engine).get_table_names())
    migrate.upgrade(archive.engine)
    assert {"run_health", "portal_locks", "alerts"} <= set(inspect(archive.engine).get_table_names())


# ---------------------------------------------------------------------------------------- locks


def test_one_lock_per_portal(store: HealthStore) -> None:
    a, b = LockOwner.this_process(), LockOwner.this_process()
    assert store.acquire_lock("p", a, ttl_s=60)
    assert not store.acquire_lock("p", b, ttl_s=60)  # a is alive: b waits
    assert not store.acquire_lock("p", a, ttl_s=60)  # and a does not crawl the portal twice either
    assert store.acquire_lock("q", b, ttl_s=60)  # other portals are independent
    assert not store.release_lock("p", b)  # only the owner releases
    assert store.release_lock("p", a)
    assert store.acquire_lock("p", b, ttl_s=60)


def test_a_lock_of_a_dead_process_is_taken_over(store: HealthStore) -> None:
    me = LockOwner.this_process()
    dead = LockOwner(host=me.host, pid=dead_pid(), token="crashed")
    assert store.acquire_lock("p", dead, ttl_s=3600)
    assert store.acquire_lock("p", me, ttl_s=60)  # long before the expiry: the owner is gone
    assert store.locks()["p"].owner == me.name
    assert not store.renew_lock("p", dead, ttl_s=60)  # the dead owner's heartbeat would be refused


def test_a_lock_on_another_host_is_taken_over_only_after_expiry(store: HealthStore, clock: Clock) -> None:
    me = LockOwner.this_process()
    remote = LockOwner(host="elsewhere.invalid", pid=1, token="x")
    assert store.acquire_lock("p", remote, ttl_s=60)
    clock.advance(seconds=59)
    assert not store.acquire_lock("p", me, ttl_s=60)
    assert store.renew_lock("p", remote, ttl_s=60)  # a heartbeat pushes the expiry
    clock.advance(seconds=59)
    assert not store.acquire_lock("p", me, ttl_s=60)
    clock.advance(seconds=2)
    assert store.acquire_lock("p", me, ttl_s=60)


def test_an_orphaned_crawl_still_running_keeps_its_lock(store: HealthStore, clock: Clock) -> None:
    me = LockOwner.this_process()
    crashed = LockOwner(host=me.host, pid=dead_pid(), token="crashed")
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert store.acquire_lock("p", crashed, ttl_s=60)
        assert store.renew_lock("p", crashed, ttl_s=60, crawl_pid=orphan.pid)
        clock.advance(seconds=120)  # expired, owner dead, but its crawl is still at work
        assert not store.acquire_lock("p", me, ttl_s=60)
    finally:
        orphan.kill()
        orphan.wait()
    assert store.acquire_lock("p", me, ttl_s=60)


def test_only_one_of_many_racing_schedulers_takes_a_stale_lock(store: HealthStore) -> None:
    me = LockOwner.this_process()
    assert store.acquire_lock("p", LockOwner(host=me.host, pid=dead_pid(), token="crashed"), ttl_s=60)
    owners = [LockOwner.this_process() for _ in range(8)]
    results: list[bool] = []
    barrier = threading.Barrier(len(owners))

    def race(owner: LockOwner) -> None:
        barrier.wait()
        results.append(store.acquire_lock("p", owner, ttl_s=60))

    threads = [threading.Thread(target=race, args=(o,)) for o in owners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    with store.engine.connect() as conn:
        assert len(conn.execute(portal_locks.select()).all()) == 1


# --------------------------------------------------------------------------------------- alerts


def test_an_alert_is_stored_once_per_dedupe_key(store: HealthStore) -> None:
    alert = Alert(kind="zero_reports", dedupe_key="zero_reports:p:7", message="m", portal="p")
    first = store.raise_alert(alert)
    assert first is not None and first.id and first.raised_at == T0
    assert store.raise_alert(alert) is None
    store.mark_delivery(first.id, "webhook", "sent 200")
    (row,) = store.alerts(open_only=True)
    assert (row["kind"], row["webhook_status"], row["resolved_at"]) == ("zero_reports", "sent 200", None)
    assert store.resolve("p", ["zero_reports"]) == 1
    assert store.alerts(open_only=True) == []


def test_runs_and_portal_health(store: HealthStore, clock: Clock) -> None:
    run = store.start_run("p")
    assert store.portal_health()[0]["last_run"]["status"] == "running"
    clock.advance(minutes=5)
    store.finish_run(run, RunStats(status="ok", reports_found=4, new_versions=1, errors=0, exit_code=0))
    lock_owner = LockOwner.this_process()
    store.acquire_lock("p", lock_owner, ttl_s=60)
    (health,) = store.portal_health(["p", "never-ran"])[:1]
    assert health["portal"] == "never-ran" or health["health"] == "ok"
    by_name = {h["portal"]: h for h in store.portal_health(["p", "never-ran"])}
    assert by_name["never-ran"]["health"] == "unknown"
    assert by_name["p"]["last_run"]["reports_found"] == 4
    assert by_name["p"]["last_productive_run"] == "2026-02-10T04:05:00Z"
    assert by_name["p"]["lock"]["owner"] == lock_owner.name
    assert store.close_dangling_runs("p", "x") == 0


# ---------------------------------------------------------------------------- alert conditions

_ids = count(1)


def run(
    status: str = "ok", reports: int | None = 3, errors: int = 0, requests: int = 50, blocked: bool = False
) -> RunRow:
    i = next(_ids)
    stats = RunStats(status=status, reports_found=reports, errors=errors, requests=requests, blocked=blocked)
    return RunRow(id=i, portal="p", started_at=T0, ended_at=T0, stats=stats)


T = Thresholds(error_rate_jump=0.25, error_min_count=3, error_baseline_runs=5, failed_runs_alert=2)


def keys(runs: list[RunRow]) -> list[str]:
    return [a.dedupe_key for a in evaluate_runs("p", runs, T)[0]]


def test_zero_reports_after_reports_is_one_condition_per_episode() -> None:
    good, zero1, zero2 = run(reports=3), run(reports=0), run(reports=0)
    assert keys([good]) == []
    assert keys([good, zero1]) == [f"zero_reports:p:{zero1.id}"]
    assert keys([good, zero1, zero2]) == [f"zero_reports:p:{zero1.id}"]  # same episode, same key
    back = run(reports=2)
    raised, cleared = evaluate_runs("p", [good, zero1, zero2, back], T)
    assert raised == [] and "zero_reports" in cleared
    zero3 = run(reports=0)
    assert keys([good, zero1, zero2, back, zero3]) == [f"zero_reports:p:{zero3.id}"]  # a new episode
    # A failed crawl in between is not "no reports": the episode goes on once the crawl works again.
    failed = run(status="failed", reports=None)
    assert keys([good, zero1, failed]) == []
    assert keys([good, zero1, failed, zero2]) == [f"zero_reports:p:{zero1.id}"]


def test_a_portal_that_never_had_reports_is_not_a_regression() -> None:
    assert keys([run(reports=0), run(reports=0)]) == []


def test_turning_blocked() -> None:
    good, b1, b2 = run(), run(reports=0, blocked=True), run(status="blocked", reports=0)
    assert keys([good, b1]) == [f"blocked:p:{b1.id}"]
    assert keys([good, b1, b2]) == [f"blocked:p:{b1.id}"]
    raised, cleared = evaluate_runs("p", [good, b1, b2, run()], T)
    assert raised == [] and "blocked" in cleared


def test_an_error_rate_jump() -> None:
    base = [run(errors=1) for _ in range(5)]  # 2 %
    spike = run(errors=20)  # 40 %
    assert keys([*base, spike]) == [f"error_rate:p:{spike.id}"]
    more = run(errors=25)
    assert keys([*base, spike, more]) == [f"error_rate:p:{spike.id}"]
    assert keys([*base, run(errors=2)]) == []  # below the minimum count
    assert keys([run(errors=10), run(errors=12)]) == []  # always that bad: no jump
    assert keys([run(errors=20)]) == []  # no baseline yet


def test_consecutive_failures() -> None:
    f1, f2 = run(status="failed", reports=None), run(status="failed", reports=None)
    assert keys([run(), f1]) == []
    assert keys([run(), f1, f2]) == [f"failing:p:{f1.id}"]
    raised, cleared = evaluate_runs("p", [run(), f1, f2, run()], T)
    assert raised == [] and "failing" in cleared


# ------------------------------------------------------------------ the scheduler on both backends


def test_the_scheduler_keeps_jobs_and_locks_in_either_backend(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """APScheduler's job store and the portal locks live in the archive database, SQLite or
    PostgreSQL: a restart after four missed daily slots crawls once, and leaves no lock behind."""
    import scheduler
    from settings.schedule import ScheduleSettings

    fake = Path(__file__).resolve().parents[1] / "scheduler_support" / "fake_crawl.py"
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps({"alpha": [{"summary": {"portal": "alpha", "reports_found": 2}}]}), encoding="utf-8"
    )
    monkeypatch.setenv("FAKE_CRAWL_PLAN", str(plan))
    monkeypatch.setenv("FAKE_CRAWL_LOG", str(tmp_path / "crawls.jsonl"))
    monkeypatch.setenv("GOVREPORTS_DATA", str(tmp_path / "data"))
    portals = tmp_path / "portals.yaml"
    portals.write_text(
        'portals:\n  - name: alpha\n    start_urls: ["http://127.0.0.1:9/"]\n', encoding="utf-8"
    )
    settings = ScheduleSettings(
        crawl_command=(
            sys.executable,
            str(fake),
            "--portals",
            "{portals}",
            "--portal",
            "{portal}",
            "--db",
            "{db}",
        ),
        spread_minutes=0,
        lock_heartbeat_s=0.5,
        lock_ttl_s=30.0,
    )
    services: list[scheduler.CrawlService] = []
    try:
        with freeze_time("2026-03-01 12:00:00", tick=True) as clock:
            first = scheduler.CrawlService(portals, db_url, settings)
            services.append(first)
            first.start()
            assert first.next_run_times()["alpha"].isoformat() == "2026-03-02T03:00:00+08:00"
            first.shutdown(grace_s=2)
            clock.move_to("2026-03-05 12:00:00")
            second = scheduler.CrawlService(portals, db_url, settings)
            services.append(second)
            second.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not [r for r in second.health.runs("alpha") if r.ended_at]:
                time.sleep(0.1)
            time.sleep(0.5)
            second.shutdown(grace_s=2)
            runs = second.health.runs("alpha")
            assert [(r.stats.status, r.stats.reports_found) for r in runs] == [("ok", 2)]
            assert second.health.locks() == {}
    finally:
        for service in services:
            if service.scheduler is not None and service.scheduler.running:
                service.shutdown(grace_s=2)
            service.archive.close()
        scheduler._active = None
