"""The periodic crawl scheduler (scheduler.py): cadence, persistence, no overlap, subprocess
failures, shutdown, alerts. Crawls are run by a controllable fake crawl command
(tests/scheduler_support/fake_crawl.py) unless the test says otherwise."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import scheduler
from archive.health import alerts as alerts_table
from archive.health import portal_locks, run_health
from govreports.errors import ConfigError
from govreports.portals import PortalConfig
from settings.schedule import ScheduleSettings

FAKE_CRAWL = Path(__file__).parent / "scheduler_support" / "fake_crawl.py"
CST = ZoneInfo("Asia/Shanghai")
PROJECT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    plan = tmp_path / "plan.json"
    plan.write_text("{}", encoding="utf-8")
    log = tmp_path / "crawls.jsonl"
    monkeypatch.setenv("FAKE_CRAWL_PLAN", str(plan))
    monkeypatch.setenv("FAKE_CRAWL_LOG", str(log))
    monkeypatch.setenv("GOVREPORTS_DATA", str(tmp_path / "data"))
    return {"plan": plan, "log": log, "db": tmp_path / "archive.sqlite3", "dir": tmp_path}


def db_url(env: dict[str, Path]) -> str:
    return f"sqlite:///{env['db']}"


def write_portals(env: dict[str, Path], *entries: str) -> Path:
    path = env["dir"] / "portals.yaml"
    body = "".join(entries) or '  - name: alpha\n    start_urls: ["http://127.0.0.1:9/"]\n'
    path.write_text("portals:\n" + body, encoding="utf-8")
    return path


def portal_entry(name: str, extra: str = "") -> str:
    return f'  - name: {name}\n    start_urls: ["http://127.0.0.1:9/"]\n{extra}'


def set_plan(env: dict[str, Path], plan: dict[str, list[dict[str, Any]]]) -> None:
    env["plan"].write_text(json.dumps(plan), encoding="utf-8")


def summary(portal: str, reports: int, *, errors: int = 0, requests: int = 20, **more: Any) -> dict[str, Any]:
    return {"portal": portal, "status": "ok", "reports_found": reports, "new_reports": 0, "new_versions": 0,
            "errors": errors, "requests": requests, **more}  # fmt: skip


def settings(**overrides: Any) -> ScheduleSettings:
    base: dict[str, Any] = {
        "crawl_command": (
            sys.executable,
            str(FAKE_CRAWL),
            "--portals",
            "{portals}",
            "--portal",
            "{portal}",
            "--db",
            "{db}",
            "--json",
        ),
        "spread_minutes": 0,
        "lock_heartbeat_s": 0.5,
        "lock_ttl_s": 30.0,
        "terminate_grace_s": 5.0,
        "crawl_timeout_s": 60.0,
    }
    base.update(overrides)
    return ScheduleSettings(**base)


def crawl_log(env: dict[str, Path]) -> list[dict[str, Any]]:
    if not env["log"].exists():
        return []
    return [json.loads(line) for line in env["log"].read_text(encoding="utf-8").splitlines()]


def wait_for(cond: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def health_rows(service: scheduler.CrawlService) -> list[Any]:
    with service.engine.connect() as conn:
        return conn.execute(select(run_health).order_by(run_health.c.id)).all()


def finished_rows(service: scheduler.CrawlService) -> list[Any]:
    return [r for r in health_rows(service) if r.status != "running"]


@pytest.fixture
def services() -> Iterator[list[scheduler.CrawlService]]:
    """Services a test creates; shut down at the end even when the test fails."""
    made: list[scheduler.CrawlService] = []
    yield made
    for service in made:
        if service.scheduler is not None and service.scheduler.running:
            service.shutdown(grace_s=2)
    scheduler._active = None


class Webhook:
    """A loopback HTTP receiver that keeps every JSON body POSTed to it."""

    def __init__(self, fail_first: int = 0) -> None:
        received: list[dict[str, Any]] = []
        self.received = received
        refusals = [fail_first]  # the first POSTs are answered 503, as by a receiver being restarted

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                if refusals[0] > 0:
                    refusals[0] -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                received.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


def fire_times(trigger: Any, start: datetime, n: int) -> list[datetime]:
    out: list[datetime] = []
    prev = None
    for _ in range(n):
        nxt = trigger.get_next_fire_time(prev, prev or start)  # as APScheduler walks slots
        out.append(nxt)
        prev = nxt
    return out


# ------------------------------------------------------------------------------------------ cadence


def test_daily_in_the_reporting_season_weekly_otherwise() -> None:
    trigger = scheduler.SeasonalTrigger(hour=3, minute=0, timezone="Asia/Shanghai")
    times = fire_times(trigger, datetime(2026, 4, 12, 10, 0, tzinfo=CST), 6)
    assert [t.date() for t in times] == [
        date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15),  # daily through Apr 15
        date(2026, 4, 20), date(2026, 4, 27), date(2026, 5, 4),  # then Mondays
    ]  # fmt: skip
    assert all(t.hour == 3 and t.minute == 0 and t.utcoffset() == timedelta(hours=8) for t in times)
    # The season comes back on Jan 1, whatever the weekday.
    times = fire_times(trigger, datetime(2026, 12, 22, 12, 0, tzinfo=CST), 4)
    assert [t.date() for t in times] == [
        date(2026, 12, 28),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    # "now" exactly on a slot fires on it.
    assert trigger.get_next_fire_time(None, datetime(2026, 2, 1, 3, 0, tzinfo=CST)) == datetime(
        2026, 2, 1, 3, 0, tzinfo=CST
    )


def test_cadence_follows_the_settings_and_a_portal_cron_overrides_it() -> None:
    s = settings(hour=22, weekly_day="fri", season_start="12-01", season_end="02-28", timezone="UTC")
    plain = scheduler.portal_trigger(PortalConfig(name="a", start_urls=("http://x/",)), s)
    times = fire_times(plain, datetime(2026, 11, 20, 23, 0, tzinfo=UTC), 4)
    # Season wrapping the new year: Fridays in November, daily from Dec 1.
    assert [t.date() for t in times] == [
        date(2026, 11, 27),
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
    ]
    assert times[0].hour == 22

    # Standard crontab weekday numbers: 1 = Monday, 0 = Sunday (APScheduler 3 alone would shift them).
    monday = scheduler.portal_trigger(
        PortalConfig(name="b", start_urls=("http://x/",), extra={"cron": "15 6 * * 1"}), s
    )
    first = monday.get_next_fire_time(None, datetime(2026, 2, 4, tzinfo=UTC))  # a Wednesday, in season
    assert (first.date(), first.hour, first.minute) == (date(2026, 2, 9), 6, 15)
    sunday = scheduler.portal_trigger(
        PortalConfig(name="c", start_urls=("http://x/",), extra={"cron": "0 6 * * 0"}), s
    )
    assert sunday.get_next_fire_time(None, datetime(2026, 2, 4, tzinfo=UTC)).date() == date(2026, 2, 8)
    weekend = scheduler.crontab_trigger("0 6 * * 0-1", "UTC")
    assert [t.weekday() for t in fire_times(weekend, datetime(2026, 2, 4, tzinfo=UTC), 2)] == [6, 0]

    with pytest.raises(ConfigError, match="portal d"):
        scheduler.portal_trigger(
            PortalConfig(name="d", start_urls=("http://x/",), extra={"cron": "every day"}), s
        )


def test_portals_are_spread_over_the_start_window() -> None:
    s = settings(spread_minutes=60, hour=3)
    minutes = {
        scheduler.portal_trigger(PortalConfig(name=n, start_urls=("http://x/",)), s).minute
        for n in ("alpha", "beta", "gamma", "delta", "epsilon")
    }
    assert len(minutes) > 1 and all(0 <= m < 60 for m in minutes)
    again = scheduler.portal_trigger(PortalConfig(name="alpha", start_urls=("http://x/",)), s)
    assert (
        again.minute
        == scheduler.portal_trigger(PortalConfig(name="alpha", start_urls=("http://x/",)), s).minute
    )


def test_settings_come_from_the_environment() -> None:
    s = ScheduleSettings.from_env(
        {
            "GOVREPORTS_SCHEDULE_HOUR": "5",
            "GOVREPORTS_ALERT_WEBHOOK": "http://127.0.0.1:1/x",
            "GOVREPORTS_SMTP_TO": "a@example.org, b@example.org",
            "GOVREPORTS_SMTP_STARTTLS": "yes",
            "GOVREPORTS_CRAWL_COMMAND": "python fake.py --portal {portal}",
            "GOVREPORTS_MISFIRE_GRACE_S": "600",
        }
    )
    assert (s.hour, s.webhook_url, s.smtp_to, s.smtp_starttls, s.misfire_grace_s) == (
        5,
        "http://127.0.0.1:1/x",
        ("a@example.org", "b@example.org"),
        True,
        600,
    )
    assert scheduler.crawl_command(s, portals_file="p.yaml", portal="x", db_url="sqlite://")[-1] == "x"
    assert ScheduleSettings.from_env({}).misfire_grace_s is None
    with pytest.raises(ConfigError, match="GOVREPORTS_SCHEDULE_HOUR"):
        ScheduleSettings.from_env({"GOVREPORTS_SCHEDULE_HOUR": "three"})
    with pytest.raises(ConfigError):
        ScheduleSettings.from_env({"GOVREPORTS_SCHEDULE_SEASON_END": "04/15"})


# ---------------------------------------------------------------------------------- crawl summaries


def test_summary_parsing_is_tolerant_of_shapes() -> None:
    one = json.dumps({"portal": "a", "status": "ok", "reports_found": 4, "new_versions": 1, "errors": 2})
    assert scheduler.run_stats("a", "log line\n" + one + "\n", "", 0).reports_found == 4
    many = json.dumps({"portals": [{"portal": "a", "stats": {"new_report": 1, "unchanged": 2, "errors": {"http_5xx": 3}}},
                                   {"portal": "b", "status": "blocked"}]})  # fmt: skip
    a = scheduler.run_stats("a", many, "", 0)
    assert (a.status, a.reports_found, a.new_reports, a.errors) == ("ok", 3, 1, 3)
    b = scheduler.run_stats("b", many, "", 1)
    assert (b.status, b.blocked) == ("blocked", True)
    blocked_by_errors = scheduler.run_stats(
        "a", json.dumps({"errors_by_kind": {"blocked": 5}, "reports": 0}), "", 0
    )
    assert blocked_by_errors.status == "blocked"


def test_the_summary_of_govreports_crawl() -> None:
    # As `govreports crawl --json` prints it (crawler/extensions.py): portals keyed by name.
    out = {
        "finish_reason": "finished",
        "portals": {
            "a": {"pages": 14, "reports_found": 7, "new_reports": 6, "new_versions": 1, "unchanged": 0,
                  "decoys_skipped": 6, "errors": {"store_failed": 1, "http_5xx": 2}, "blocked": False,
                  "blocked_reason": None, "columns": [], "status": "partial"},
            "b": {"pages": 2, "reports_found": 0, "errors": {"blocked": 3}, "blocked": True,
                  "blocked_reason": "412 cookie challenge", "status": "blocked"},
            "c": {"pages": 0, "reports_found": 0, "errors": {"connection": 4}, "blocked": False, "status": "failed"},
        },
        "log_file": "/tmp/x.log",
    }  # fmt: skip
    text = json.dumps(out, ensure_ascii=False)
    a = scheduler.run_stats("a", text, "", 0)
    assert (a.status, a.reports_found, a.new_reports, a.new_versions, a.errors, a.requests, a.blocked) == (
        "partial", 7, 6, 1, 3, 14, False,
    )  # fmt: skip
    b = scheduler.run_stats("b", text, "", 0)
    assert (b.status, b.blocked, b.message) == ("blocked", True, "blocked: 412 cookie challenge")
    c = scheduler.run_stats("c", text, "", 1)
    assert c.status == "failed" and "connection" in c.message


def test_a_crawl_without_summary_or_killed_is_failed() -> None:
    crashed = scheduler.run_stats("a", "", "Traceback ...\nValueError: boom\n", 1)
    assert (
        crashed.status == "failed"
        and "without a JSON summary" in crashed.message
        and "boom" in crashed.message
    )
    killed = scheduler.run_stats("a", "", "", -9)
    assert killed.status == "failed" and killed.message == "killed by SIGKILL"


# ------------------------------------------------------------------------------- jobs and restarts


def test_jobs_follow_the_season_and_a_restart_runs_a_missed_crawl_once(
    env: dict[str, Path], services: list[scheduler.CrawlService]
) -> None:
    portals = write_portals(env, portal_entry("alpha"), portal_entry("beta", '    cron: "0 6 * * 1"\n'))
    set_plan(env, {"alpha": [{"summary": summary("alpha", 2)}], "beta": [{"summary": summary("beta", 1)}]})
    with freeze_time("2026-02-10 12:00:00", tick=True) as clock:  # a Tuesday, in season
        first = scheduler.CrawlService(portals, db_url(env), settings(hour=3))
        services.append(first)
        first.start()
        nxt = first.next_run_times()
        assert nxt["alpha"] == datetime(2026, 2, 11, 3, 0, tzinfo=CST)  # daily: tomorrow 03:00
        assert nxt["beta"] == datetime(2026, 2, 16, 6, 0, tzinfo=CST)  # its cron: Monday 06:00
        first.shutdown(grace_s=2)
        assert crawl_log(env) == []

        # Ten days down: alpha missed ten daily slots, beta one weekly slot.
        clock.move_to("2026-02-20 12:00:00")
        second = scheduler.CrawlService(portals, db_url(env), settings(hour=3))
        services.append(second)
        second.start()
        wait_for(lambda: len(finished_rows(second)) == 2, what="the two catch-up crawls")
        time.sleep(1.0)  # anything more would show up now
        second.scheduler.wakeup()
        time.sleep(0.5)
        runs = finished_rows(second)
        assert sorted(r.portal for r in runs) == ["alpha", "beta"]  # once each, not ten times
        assert all(r.status == "ok" for r in runs)
        nxt = second.next_run_times()
        assert nxt["alpha"] == datetime(2026, 2, 21, 3, 0, tzinfo=CST)
        assert nxt["beta"] == datetime(2026, 2, 23, 6, 0, tzinfo=CST)
        second.shutdown(grace_s=2)

        # Out of season the same portal is visited weekly (Monday by default).
        clock.move_to("2026-06-10 12:00:00")  # a Wednesday
        third = scheduler.CrawlService(portals, db_url(env), settings(hour=3, misfire_grace_s=3600))
        services.append(third)
        third.start()
        # The stored job kept its old next run time (Feb 21); it is past the 1 h grace: skipped, not run.
        wait_for(lambda: third.next_run_times()["alpha"] > datetime(2026, 6, 10, tzinfo=CST))
        assert third.next_run_times()["alpha"] == datetime(2026, 6, 15, 3, 0, tzinfo=CST)
        third.shutdown(grace_s=2)
    assert len(crawl_log(env)) == 4  # 2 starts + 2 ends


def test_a_changed_portals_file_reschedules_adds_and_removes_jobs(
    env: dict[str, Path], services: list[scheduler.CrawlService]
) -> None:
    portals = write_portals(env, portal_entry("alpha"), portal_entry("gone"))
    with freeze_time("2026-07-01 00:00:00", tick=True):
        first = scheduler.CrawlService(portals, db_url(env), settings())
        services.append(first)
        first.start()
        assert set(first.next_run_times()) == {"alpha", "gone"}
        first.shutdown(grace_s=2)
        write_portals(env, portal_entry("alpha", '    cron: "30 1 * * *"\n'), portal_entry("new"))
        second = scheduler.CrawlService(portals, db_url(env), settings())
        services.append(second)
        second.start()
        nxt = second.next_run_times()
        assert set(nxt) == {"alpha", "new"}
        assert nxt["alpha"] == datetime(2026, 7, 2, 1, 30, tzinfo=CST)  # 00:00 UTC is 08:00 in China
        second.shutdown(grace_s=2)


# ------------------------------------------------------------------------------------ no overlap


def test_a_crawl_outlasting_its_interval_is_not_started_twice(
    env: dict[str, Path], services: list[scheduler.CrawlService]
) -> None:
    portals = write_portals(env, portal_entry("alpha", '    cron: "* * * * *"\n'))
    set_plan(env, {"alpha": [{"sleep": 4, "summary": summary("alpha", 2)}, {"summary": summary("alpha", 2)}]})
    with freeze_time("2026-02-10 12:00:30", tick=True) as clock:
        service = scheduler.CrawlService(portals, db_url(env), settings())
        services.append(service)
        service.start()
        clock.move_to("2026-02-10 12:01:00.5")  # the minute's slot is due
        service.scheduler.wakeup()
        wait_for(lambda: "alpha" in service.running_crawls(), what="first crawl")
        for minute in (2, 3):  # two more slots pass while the first crawl is still running
            clock.move_to(f"2026-02-10 12:0{minute}:00.5")
            service.scheduler.wakeup()
            time.sleep(0.3)
        wait_for(lambda: service.skipped_overlaps >= 1, what="APScheduler refusing a second instance")
        # A second scheduler (another process, same archive) is kept out by the lock row.
        other = scheduler.CrawlService(portals, db_url(env), settings())
        assert other.run_portal("alpha") is None
        wait_for(lambda: len(finished_rows(service)) == 1, what="first crawl to finish")
        service.shutdown(grace_s=2)

    log = crawl_log(env)
    starts = [e for e in log if "start" in e]
    assert len(starts) == 1
    with service.engine.connect() as conn:
        assert conn.execute(select(portal_locks)).all() == []


def test_two_concurrent_run_requests_crawl_once(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"sleep": 1.5, "summary": summary("alpha", 2)}]})
    a = scheduler.CrawlService(portals, db_url(env), settings())
    b = scheduler.CrawlService(portals, db_url(env), settings())
    results: list[Any] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.run_portal("alpha"))) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    assert len([e for e in crawl_log(env) if "start" in e]) == 1


# ------------------------------------------------------------------------------- failures and locks


def test_a_killed_crawl_is_recorded_failed_and_its_lock_released(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"sleep": 60, "summary": summary("alpha", 2)}]})
    service = scheduler.CrawlService(portals, db_url(env), settings())
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(service.run_portal("alpha")))
    worker.start()
    pid = wait_for(lambda: service.running_crawls().get("alpha"), what="the crawl subprocess")
    lock = wait_for(lambda: service.health.locks().get("alpha"), what="the lock")
    assert lock.pid == os.getpid()
    wait_for(lambda: service.health.locks()["alpha"].crawl_pid == pid, what="the heartbeat to name the crawl")
    os.kill(pid, signal.SIGKILL)
    worker.join(timeout=20)
    run = result[0]
    assert run.stats.status == "failed"
    assert run.stats.exit_code == -signal.SIGKILL
    assert "killed by SIGKILL" in run.stats.message
    assert service.health.locks() == {}
    # The archive's run table says so too (the crawl never opened a run of its own).
    archived = service.archive.run(run.stats.crawl_run_id)
    assert archived.status == "failed" and archived.portal == "alpha"
    # The portal can be crawled again at once.
    set_plan(env, {"alpha": [{"summary": summary("alpha", 2)}]})
    assert service.run_portal("alpha").stats.status == "ok"


def test_a_crawl_that_cannot_start_or_crashes_is_failed(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    missing = scheduler.CrawlService(
        portals, db_url(env), settings(crawl_command=("/nonexistent/crawl", "{portal}"))
    )
    run = missing.run_portal("alpha")
    assert run.stats.status == "failed" and "cannot start crawl" in run.stats.message
    set_plan(env, {"alpha": [{"exit": 3, "stderr": "ConfigError: bad portal"}]})
    crashed = scheduler.CrawlService(portals, db_url(env), settings())
    run = crashed.run_portal("alpha")
    assert (run.stats.status, run.stats.exit_code) == ("failed", 3)
    assert "bad portal" in run.stats.message
    assert crashed.health.locks() == {}


def test_a_crawl_beyond_its_timeout_is_stopped(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"sleep": 30}]})
    service = scheduler.CrawlService(portals, db_url(env), settings(crawl_timeout_s=1.0))
    started = time.monotonic()
    run = service.run_portal("alpha")
    assert time.monotonic() - started < 10
    assert run.stats.status == "failed" and "timed out" in run.stats.message
    assert any("terminated" in e for e in crawl_log(env))  # asked politely first


def test_a_stale_lock_of_a_dead_scheduler_is_taken_over(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"summary": summary("alpha", 1)}]})
    service = scheduler.CrawlService(portals, db_url(env), settings())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = datetime.now(UTC).replace(tzinfo=None)
    with service.engine.begin() as conn:
        conn.execute(
            portal_locks.insert().values(
                portal="alpha",
                owner=f"{service.owner.host}:{dead.pid}:old",
                host=service.owner.host,
                pid=dead.pid,
                crawl_pid=None,
                acquired_at=now,
                heartbeat_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        conn.execute(
            run_health.insert().values(portal="alpha", started_at=now, status="running", blocked=False)
        )
    run = service.run_portal("alpha")
    assert run is not None and run.stats.status == "ok"
    assert service.health.locks() == {}
    # Starting the service closes the dead scheduler's dangling run as failed.
    service.start()
    try:
        statuses = [r.status for r in health_rows(service)]
        assert statuses == ["failed", "ok"]
    finally:
        service.shutdown(grace_s=2)


# -------------------------------------------------------------------------------------- shutdown


def test_shutdown_stops_running_crawls_and_releases_locks(
    env: dict[str, Path], services: list[scheduler.CrawlService]
) -> None:
    portals = write_portals(env, portal_entry("alpha"), portal_entry("beta"))
    set_plan(env, {"alpha": [{"sleep": 60}], "beta": [{"sleep": 60}]})
    service = scheduler.CrawlService(portals, db_url(env), settings())
    services.append(service)
    service.start(run_now=True)
    wait_for(lambda: len([e for e in crawl_log(env) if "start" in e]) == 2, what="both crawls")
    assert len(service.running_crawls()) == 2 and len(service.health.locks()) == 2
    started = time.monotonic()
    service.shutdown(grace_s=10)
    assert time.monotonic() - started < 10
    assert not service.scheduler.running
    assert service.health.locks() == {}
    rows = finished_rows(service)
    assert [r.status for r in rows] == ["failed", "failed"]
    assert all("interrupted" in r.message for r in rows)
    assert len([e for e in crawl_log(env) if "terminated" in e]) == 2  # SIGTERM, not SIGKILL


def test_govreports_schedule_runs_in_the_foreground_and_stops_on_sigterm(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"sleep": 60}]})
    command = " ".join(settings().crawl_command)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govreports",
            "schedule",
            "--portals",
            str(portals),
            "--db",
            db_url(env),
            "--now",
        ],
        cwd=PROJECT,
        env={**os.environ, "GOVREPORTS_CRAWL_COMMAND": command, "GOVREPORTS_TERMINATE_GRACE_S": "5"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: any("start" in e for e in crawl_log(env)) or proc.poll() is not None, timeout=60)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            print(proc.communicate()[1])
    assert proc.returncode == 0, err
    assert any("terminated" in e for e in crawl_log(env))
    status = subprocess.run(
        [sys.executable, "-m", "govreports", "status", "--db", db_url(env), "--json"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(status.stdout)
    assert data["portals"][0]["portal"] == "alpha"
    assert data["portals"][0]["lock"] is None
    assert data["runs"][0]["status"] == "failed"
    assert data["portals"][0]["next_run"] is not None
    table = subprocess.run(
        [sys.executable, "-m", "govreports", "status", "--db", db_url(env)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "PORTAL" in table.stdout and "alpha" in table.stdout and "failed" in table.stdout


# ---------------------------------------------------------------------------------------- alerts


def test_a_zero_report_regression_alerts_once_to_the_webhook(
    env: dict[str, Path], webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    portals = write_portals(env)
    set_plan(
        env,
        {
            "alpha": [
                {"summary": summary("alpha", 3)},
                {"summary": summary("alpha", 0)},
                {"summary": summary("alpha", 0)},
            ]
        },
    )
    service = scheduler.CrawlService(portals, db_url(env), settings(webhook_url=webhook.url))
    for _ in range(3):
        service.run_portal("alpha")
    with service.engine.connect() as conn:
        rows = conn.execute(select(alerts_table)).all()
    assert [(r.kind, r.portal) for r in rows] == [("zero_reports", "alpha")]
    assert rows[0].webhook_status == "sent 204"
    wait_for(lambda: webhook.received, what="the webhook POST")
    assert len(webhook.received) == 1
    alert = webhook.received[0]["alert"]
    assert alert["kind"] == "zero_reports" and alert["portal"] == "alpha"
    assert "no reports" in alert["message"]
    logged = [r for r in caplog.records if r.name == "govreports.scheduler" and "ALERT" in r.getMessage()]
    assert len(logged) == 1 and "zero_reports" in logged[0].getMessage()


def test_blocked_failing_and_error_jump_alerts(env: dict[str, Path], webhook: Webhook) -> None:
    portals = write_portals(env, portal_entry("alpha"), portal_entry("beta"), portal_entry("gamma"))
    set_plan(
        env,
        {
            "alpha": [
                {"summary": summary("alpha", 3)},
                {"summary": {**summary("alpha", 0), "status": "blocked", "blocked": True}},
            ],
            "beta": [{"summary": summary("beta", 3)}, {"exit": 1, "stderr": "boom"}],
            "gamma": [
                {"summary": summary("gamma", 3, errors=1, requests=40)},
                {"summary": summary("gamma", 3, errors=20, requests=40)},
            ],
        },
    )
    service = scheduler.CrawlService(
        portals, db_url(env), settings(webhook_url=webhook.url, failed_runs_alert=2)
    )
    for _ in range(3):
        for name in ("alpha", "beta", "gamma"):
            service.run_portal(name)
    kinds = sorted((a["portal"], a["kind"]) for a in service.health.alerts())
    assert kinds == [("alpha", "blocked"), ("beta", "failing"), ("gamma", "error_rate")]
    wait_for(lambda: len(webhook.received) == 3)


def test_a_body_becoming_late_alerts_once(env: dict[str, Path]) -> None:
    portals = write_portals(
        env,
        portal_entry("gov", "    body_kind: government\n"),
        portal_entry("dept", '    body_kind: department\n    deadline: "02-20"\n'),
    )
    missing = [
        {"agency": "某某县人民政府", "portal": "gov", "year": 2025, "expected_because": "reported 2024"},
        {"agency": "某某县教育局", "portal": "dept", "year": 2025, "expected_because": "listed"},
    ]
    service = scheduler.CrawlService(
        portals, db_url(env), settings(), missing_source=lambda year, as_of: missing
    )
    assert service.check_late(date(2026, 2, 20)) == []  # on the deadline day still on time
    late = service.check_late(date(2026, 2, 21))
    assert [(a.agency, a.details["deadline"]) for a in late] == [("某某县教育局", "2026-02-20")]
    assert service.check_late(date(2026, 2, 22)) == []  # already raised
    late = service.check_late(date(2026, 4, 1))
    assert [(a.agency, a.details["deadline"]) for a in late] == [("某某县人民政府", "2026-03-31")]
    assert len(service.health.alerts()) == 2


def test_the_late_check_uses_the_archive(env: dict[str, Path]) -> None:
    portals = write_portals(
        env, portal_entry("gov", '    body_kind: government\n    expected_bodies: ["某某县人民政府"]\n')
    )
    service = scheduler.CrawlService(portals, db_url(env), settings())
    service.archive.sync_portals(scheduler.load_portals(portals))
    late = service.check_late(date(2026, 4, 2))
    assert [(a.kind, a.agency, a.year) for a in late] == [("late", "某某县人民政府", 2025)]


def test_smtp_delivery(env: dict[str, Path]) -> None:
    import socketserver

    received: list[str] = []

    class SMTPHandler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            def say(line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            say("220 localhost test")
            data: list[str] = []
            in_data = False
            while line := self.rfile.readline().decode("utf-8", "replace"):
                if in_data:
                    if line.rstrip("\r\n") == ".":
                        in_data = False
                        received.append("".join(data))
                        say("250 queued")
                    else:
                        data.append(line)
                    continue
                verb = line[:4].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 localhost")
                elif verb == "DATA":
                    in_data = True
                    say("354 go ahead")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sink = scheduler.AlertSink(
            settings(smtp_host="127.0.0.1", smtp_port=server.server_address[1], smtp_to=("ops@example.org",))
        )
        from archive.health import Alert

        statuses = sink.deliver(
            Alert(kind="blocked", dedupe_key="k", message="portal x is blocking", portal="x")
        )
        assert statuses == {"email": "sent"}
        assert "portal x is blocking" in received[0] and "ops@example.org" in received[0]
    finally:
        server.shutdown()
        server.server_close()


def test_a_dead_webhook_does_not_break_the_run(env: dict[str, Path]) -> None:
    portals = write_portals(env)
    set_plan(env, {"alpha": [{"summary": summary("alpha", 3)}, {"summary": summary("alpha", 0)}]})
    service = scheduler.CrawlService(
        portals, db_url(env), settings(webhook_url="http://127.0.0.1:9/hook", webhook_timeout_s=2)
    )
    service.run_portal("alpha")
    assert service.run_portal("alpha").stats.status == "ok"
    (alert,) = service.health.alerts()
    assert alert["webhook_status"].startswith("failed")


def test_a_failed_delivery_is_retried_once_the_receiver_is_back(env: dict[str, Path]) -> None:
    from archive.health import Alert

    hook = Webhook(fail_first=1)
    try:
        portals = write_portals(env)
        set_plan(env, {"alpha": [{"summary": summary("alpha", 3)}, {"summary": summary("alpha", 0)}]})
        service = scheduler.CrawlService(portals, db_url(env), settings(webhook_url=hook.url))
        service.run_portal("alpha")
        service.run_portal("alpha")
        (alert,) = service.health.alerts()
        assert alert["webhook_status"] == "failed: HTTP Error 503: Service Unavailable"
        assert hook.received == []
        assert service.retry_deliveries() == 1
        assert [x["alert"]["kind"] for x in hook.received] == ["zero_reports"]
        assert service.health.alerts()[0]["webhook_status"] == "sent 204"
        assert service.retry_deliveries() == 0 and len(hook.received) == 1  # delivered once only
        # An alert older than alert_retry_hours is left as it is: a dead address is not tried forever.
        old = service.health.raise_alert(
            Alert(kind="blocked", dedupe_key="old", message="old", portal="alpha",
                  raised_at=service.health.now() - timedelta(hours=25))
        )  # fmt: skip
        assert old is not None and old.id is not None
        service.health.mark_delivery(old.id, "webhook", "failed: timed out")
        assert service.retry_deliveries() == 0 and len(hook.received) == 1
        # A retry goes only to the channels that failed.
        assert service.sink.deliver(old, ["email"]) == {} and len(hook.received) == 1
    finally:
        hook.close()


def test_the_retry_job_is_scheduled_once(env: dict[str, Path], services: list) -> None:
    service = scheduler.CrawlService(write_portals(env), db_url(env), settings(alert_retry_minutes=7))
    services.append(service)
    service.start()
    service.sync_jobs()  # a second sync (as after a portals-file change) keeps the one job
    retry = [j for j in service.scheduler.get_jobs() if j.id == scheduler.RETRY_JOB_ID]
    assert len(retry) == 1 and retry[0].trigger.interval == timedelta(minutes=7)


# --------------------------------------------------------------------- farm + real crawl command

FARM_PORTAL = {
    "name": "sim_small",
    "style": "A",
    "address": "127.0.0.41",
    "region": "清溪县",
    "years": [2023, 2024],
    "bodies": {"government": 1, "departments": 1, "townships": 0},
    "modes": {"html": 1.0},
    "knobs": {},
}


@pytest.mark.slow
def test_a_farm_portal_that_empties_raises_one_zero_report_alert(
    env: dict[str, Path], webhook: Webhook
) -> None:
    """The real `govreports crawl` in a subprocess against a farm portal; then the portal is served
    again on the same address with its report column emptied (a redesign that lost the reports)."""
    from farm import Farm

    farm = Farm.start(profile={"seed": 5, "portals": [FARM_PORTAL]}, data_dir=env["dir"] / "farm")
    try:
        portals = env["dir"] / "portals.yaml"
        portals.write_text(farm.portals_file.read_text(encoding="utf-8"), encoding="utf-8")
        real = settings(
            webhook_url=webhook.url, crawl_command=ScheduleSettings().crawl_command, crawl_timeout_s=240
        )
        service = scheduler.CrawlService(portals, db_url(env), real)
        first = service.run_portal("sim_small")
        assert first.stats.status in ("ok", "partial"), first.stats.message
        assert first.stats.reports_found and first.stats.reports_found > 0
        assert first.stats.crawl_run_id is not None  # the crawl's own row in crawl_runs
        port = farm.port
    finally:
        farm.stop()
    emptied = {**FARM_PORTAL, "bodies": {"government": 0, "departments": 0, "townships": 0}}
    farm = Farm.start(profile={"seed": 5, "portals": [emptied]}, data_dir=env["dir"] / "farm2", port=port)
    try:
        for _ in range(2):
            run = service.run_portal("sim_small")
            assert run.stats.status in ("ok", "partial") and run.stats.reports_found == 0
    finally:
        farm.stop()
    rows = service.health.alerts()
    assert [(r["kind"], r["portal"]) for r in rows] == [("zero_reports", "sim_small")]
    wait_for(lambda: webhook.received, what="the webhook POST")
    time.sleep(0.2)
    assert len(webhook.received) == 1
    assert webhook.received[0]["alert"]["kind"] == "zero_reports"
    assert service.health.locks() == {}
