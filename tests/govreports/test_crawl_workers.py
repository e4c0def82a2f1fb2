"""`govreports crawl --workers N`: one crawl spread over N crawler processes, on the farm."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from archive_data import count_rows
from sqlalchemy import create_engine, text

from govreports import crawl_workers
from govreports.crawl_workers import Worker, merge, split, worker_jobdir, worker_log
from govreports.errors import ConfigError
from govreports.paths import PROJECT_ROOT

# ------------------------------------------------------------------------------------ the pieces


def test_split_is_round_robin_balanced_and_never_wider_than_the_portals() -> None:
    assert split(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert split(["a", "b", "c", "d", "e"], 2) == split(["a", "b", "c", "d", "e"], 2)
    assert split(["a", "b"], 5) == [["a"], ["b"]]
    assert split(["a", "b", "c"], 1) == [["a", "b", "c"]]
    sizes = [len(g) for g in split([str(i) for i in range(101)], 4)]
    assert sum(sizes) == 101 and max(sizes) - min(sizes) <= 1


def test_worker_files_sit_beside_the_crawls_own(tmp_path: Path) -> None:
    assert worker_log(tmp_path / "crawl-1.log", 0, 2) == tmp_path / "crawl-1.worker-1-of-2.log"
    assert worker_log(tmp_path / "crawl", 1, 2) == tmp_path / "crawl.worker-2-of-2"
    assert worker_jobdir(tmp_path / "jobs" / "abc", 1, 3) == tmp_path / "jobs" / "abc.worker-2-of-3"


def test_workers_option(monkeypatch) -> None:
    monkeypatch.delenv(crawl_workers.WORKERS_ENV, raising=False)
    assert crawl_workers.workers_option(None) == 1
    monkeypatch.setenv(crawl_workers.WORKERS_ENV, "3")
    assert crawl_workers.workers_option(None) == 3
    assert crawl_workers.workers_option(2) == 2  # the option wins over the environment
    with pytest.raises(ConfigError):
        crawl_workers.workers_option(0)
    monkeypatch.setenv(crawl_workers.WORKERS_ENV, "many")
    with pytest.raises(ConfigError):
        crawl_workers.workers_option(None)


def _worker(
    index: int, portals: list[str], summary: dict[str, Any] | None, code: int, ended_at: float = 10.0
) -> Worker:
    w = Worker(index=index, portals=portals, jobdir=None, log_file=Path(f"w{index}.log"))
    w.summary, w.returncode, w.ended_at = summary, code, T0 + ended_at
    return w


T0 = 1_800_000_000.0  # a time.time() value


def _child(reason: str, portals: dict[str, Any], opened: float = 5.0, **stats: Any) -> dict[str, Any]:
    base = dict.fromkeys(
        ("requests", "responses", "peak_memory_bytes", "offsite_filtered", "retries", "resumed_skipped"), 1
    )
    started_at = datetime.fromtimestamp(T0 + opened, UTC).isoformat()
    return {
        "finish_reason": reason,
        "portals": portals,
        "stats": {**base, "elapsed_s": 5.0, "started_at": started_at, **stats},
    }


def test_merge_sums_stats_and_keeps_the_portal_entries() -> None:
    # The spiders opened at 5 and 7, the children exited at 10 and 12 (seconds after T0).
    a = _child("finished", {"a": {"status": "ok", "pages": 3}}, 5.0, requests=10, responses=9)
    b = _child("finished", {"b": {"status": "blocked", "pages": 0}}, 7.0, requests=4, responses=4)
    merged = merge([_worker(0, ["a"], a, 0, 10.0), _worker(1, ["b"], b, 0, 12.0)], 9.5, order=["b", "a"])
    assert merged["finish_reason"] == "finished"
    assert merged["portals"] == {"a": {"status": "ok", "pages": 3}, "b": {"status": "blocked", "pages": 0}}
    assert list(merged["portals"]) == ["b", "a"]  # the portals file's order, not the workers'
    assert merged["stats"]["requests"] == 14 and merged["stats"]["responses"] == 13
    # The parent's wall time of the crawl phase (not a sum of the children's); then with start-up.
    assert merged["stats"]["elapsed_s"] == 7.0 and merged["stats"]["wall_s"] == 9.5
    assert merged["stats"]["started_at"] == datetime.fromtimestamp(T0 + 5, UTC).isoformat()
    assert [w["exit_code"] for w in merged["workers"]] == [0, 0]


def test_merge_with_a_dead_worker_says_so_and_guesses_no_number() -> None:
    a = _child("finished", {"a": {"status": "ok"}}, requests=10)
    merged = merge([_worker(0, ["a"], a, 0), _worker(1, ["b"], None, -signal.SIGKILL)], 3.0)
    assert merged["finish_reason"] == "failed"
    assert list(merged["portals"]) == ["a"]
    assert merged["stats"]["requests"] is None  # not 10: the dead worker's requests are unknown
    assert merged["stats"]["elapsed_s"] is None and merged["stats"]["wall_s"] == 3.0
    assert merged["workers"][1]["exit_code"] == 128 + signal.SIGKILL
    assert "EXITED 137 without a summary" in crawl_workers.worker_lines(merged)[1]
    shut = merge(
        [_worker(0, ["a"], _child("shutdown", {}), 0), _worker(1, ["b"], _child("finished", {}), 0)], 1
    )
    assert shut["finish_reason"] == "shutdown"


# ------------------------------------------------------------------------------------ on the farm

farm_core = pytest.importorskip("farm.core")


def _portal(name: str, style: str, years: list[int], bodies: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "style": style,
        "years": years,
        "bodies": bodies,
        "modes": {"html": 1.0},
        "pairs": 0,
        **extra,
    }


def _reports(db: str) -> set[tuple[Any, ...]]:
    """Every stored version by portal, body, year, number and content, with the URLs it was seen at."""
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.name, b.norm_name, r.year, v.number, v.content_hash, v.raw_sha256, "
                "(SELECT group_concat(url, ' ') FROM (SELECT url FROM version_urls u "
                " WHERE u.version_id = v.id ORDER BY url)) "
                "FROM versions v JOIN reports r ON v.report_id = r.id JOIN bodies b ON r.body_id = b.id "
                "JOIN portals p ON b.portal_id = p.id"
            )
        ).all()
    engine.dispose()
    return {tuple(r) for r in rows}


def _crawl_cmd(portals_file: Path, db: str, *more: str) -> list[str]:
    return [sys.executable, "-m", "govreports", "crawl", "--portals", str(portals_file), "--db", db, *more]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "GOVREPORTS_DATA": str(tmp_path / "data")}
    env.pop("GOVREPORTS_PORTAL_LOCK_HELD", None)
    env.pop(crawl_workers.WORKERS_ENV, None)
    return env


def _start(cmd: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    """A crawl in the background, its output kept for the assertions after it ends."""
    return subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _worker_pids(parent_log: Path, count: int, deadline_s: float = 60) -> dict[int, int]:
    """Worker number -> pid, from the parent's log (written as each child starts)."""
    deadline = time.monotonic() + deadline_s
    while True:
        found = re.findall(r"worker (\d+) pid (\d+):", parent_log.read_text() if parent_log.exists() else "")
        if len(found) >= count:
            return {int(n): int(pid) for n, pid in found}
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie nobody reaped is dead all the same


@pytest.mark.slow
def test_two_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    bodies = {"government": 1, "departments": 2, "townships": 0}
    profile = {
        "seed": 11,
        "portals": [
            _portal("wk_a", "A", [2022, 2024], bodies),
            _portal("wk_b", "B", [2022, 2024], bodies),
            _portal("wk_c", "A", [2023, 2024], bodies),
        ],
    }
    env = _env(tmp_path)
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    with farm_core.Farm.start(profile=profile, data_dir=tmp_path / "farm") as farm:
        expected = len(farm.truth.reports)
        single = subprocess.run(
            _crawl_cmd(farm.portals_file, one, "--json", "--no-resume"),
            capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=600,
        )  # fmt: skip
        log = tmp_path / "logs" / "crawl.log"
        multi = subprocess.run(
            _crawl_cmd(farm.portals_file, two, "--json", "--workers", "2", "--log-file", str(log)),
            capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=600,
        )  # fmt: skip
        table = subprocess.run(  # a second --workers 2 crawl, as a table: everything unchanged
            _crawl_cmd(farm.portals_file, two, "--workers", "2", "--log-file", str(tmp_path / "again.log")),
            capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=600,
        )  # fmt: skip
    assert single.returncode == 0, single.stderr[-2000:]
    assert multi.returncode == 0, multi.stderr[-2000:]
    assert "database is locked" not in multi.stderr
    assert count_rows(two, "SELECT COUNT(*) FROM reports") == expected
    assert _reports(two) == _reports(one) and len(_reports(one)) == expected

    s1, s2 = json.loads(single.stdout), json.loads(multi.stdout)
    assert s2["finish_reason"] == "finished" and set(s2["portals"]) == {"wk_a", "wk_b", "wk_c"}
    for name, entry in s1["portals"].items():  # per portal, the same counts as one process
        for key in ("status", "reports_found", "new_reports", "new_versions", "decoys_skipped", "errors"):
            assert s2["portals"][name][key] == entry[key], (name, key)
    workers = s2["workers"]
    # Round-robin in file order: wk_a + wk_c, wk_b; each with its log beside --log-file.
    assert [w["portals"] for w in workers] == [["wk_a", "wk_c"], ["wk_b"]]
    assert [w["exit_code"] for w in workers] == [0, 0]
    assert [Path(w["log_file"]) for w in workers] == [
        log.with_name("crawl.worker-1-of-2.log"),
        log.with_name("crawl.worker-2-of-2.log"),
    ]
    assert all(Path(w["log_file"]).stat().st_size > 0 for w in workers)
    assert s2["log_file"] == str(log) and "worker 2 pid" in log.read_text()
    assert s2["stats"]["requests"] == sum(w["stats"]["requests"] for w in workers) > expected
    assert s2["stats"]["wall_s"] >= s2["stats"]["elapsed_s"] >= max(w["stats"]["elapsed_s"] for w in workers)

    assert table.returncode == 0, table.stderr[-2000:]
    lines = table.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:5]] == ["wk_a", "wk_b", "wk_c"]  # one table, in order
    assert all(line.split()[4] == "0" for line in lines[2:5])  # no new report the second time
    assert "worker 1 (wk_a, wk_c): log" in table.stdout and "crawl finished; log:" in table.stdout
    # The parent took the three locks for its children and gave them back.
    from archive.api import Archive
    from archive.health import HealthStore

    with Archive.open(two) as archive:
        assert HealthStore(archive.engine).locks() == {}


RESUME_PROFILE = {
    "seed": 6,
    "portals": [
        _portal(
            name,
            "A",
            [2016, 2024],
            {"government": 1, "departments": 3, "townships": 3},
            subcolumns="townships",
            knobs={"slow": {"ms": 40}},
        )
        for name in ("rw_a", "rw_b")
    ],
}


PORTAL_REPORTS = (
    "SELECT COUNT(*) FROM reports r JOIN bodies b ON r.body_id = b.id JOIN portals p ON b.portal_id = p.id "
    "WHERE p.name = '{}'"
)


@pytest.mark.slow
def test_sigkill_the_parent_half_way_then_resume(tmp_path: Path) -> None:
    with farm_core.Farm.start(profile=RESUME_PROFILE, data_dir=tmp_path / "farm") as farm:
        expected = len(farm.truth.reports)
        assert expected >= 60
        db = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        env = _env(tmp_path)
        cmd = _crawl_cmd(farm.portals_file, db, "--json", "--workers", "2", "--jobdir", str(tmp_path / "job"))
        # One request at a time per portal so that the kill lands in the middle of the columns.
        cmd += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        first_log = tmp_path / "first.log"
        first = subprocess.Popen(
            [*cmd, "--log-file", str(first_log)],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        pids = _worker_pids(first_log, 2)
        deadline = time.monotonic() + 240
        per_portal = {name: sum(r.portal == name for r in farm.truth.reports) for name in ("rw_a", "rw_b")}
        # Both workers under way. (Not "a quarter each": on a loaded machine one child may start
        # seconds after the other and finish its portal before the late one got that far.)
        while min(count_rows(db, PORTAL_REPORTS.format(name)) for name in per_portal) < 2:
            assert first.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)  # the parent alone, as an OOM killer would
        first.wait()
        # Its children go with it: nothing keeps crawling (or writing) behind the user's back.
        gone_by = time.monotonic() + 15
        while any(_alive(pid) for pid in pids.values()):
            assert time.monotonic() < gone_by, f"worker(s) outlived the parent: {pids}"
            time.sleep(0.1)
        stored_before = count_rows(db, "SELECT COUNT(*) FROM reports")
        assert 0 < stored_before < expected
        # Each worker killed mid-portal left its resume state (worker i crawls the i-th portal).
        unfinished = [i for i, name in enumerate(per_portal, 1)
                      if count_rows(db, PORTAL_REPORTS.format(name)) < per_portal[name]]  # fmt: skip
        assert unfinished, "both portals were done before the kill: nothing to resume"
        for i in unfinished:
            assert (tmp_path / f"job.worker-{i}-of-2" / "govreports-running").exists()
        # The parent's locks are those of a dead process: the re-run takes them over.
        second = subprocess.run(
            [*cmd, "--log-file", str(tmp_path / "second.log")],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr[-2000:]
        summary = json.loads(second.stdout.strip().splitlines()[-1])
        report_urls = {r.detail_url for r in farm.truth.reports}

    engine = create_engine(db)
    with engine.connect() as conn:
        stored_urls = {row[0] for row in conn.execute(text("SELECT url FROM version_urls"))}
    engine.dispose()
    assert report_urls <= stored_urls, "a report was lost"
    # Nothing stored twice: one report per body and year, one version each, one row per capture.
    assert count_rows(db, "SELECT COUNT(*) FROM reports") == expected
    assert count_rows(db, "SELECT COUNT(*) FROM versions") == expected
    assert count_rows(db, "SELECT COUNT(*) FROM captures") == count_rows(
        db, "SELECT COUNT(DISTINCT sha256) FROM captures"
    )
    assert all(s["new_versions"] == 0 for s in summary["portals"].values())
    # Each group resumed from its own JOBDIR: the detail pages finished before the kill are skipped.
    assert summary["stats"]["resumed_skipped"] >= stored_before - 4
    assert all(w["stats"]["resumed_skipped"] > 0 for w in summary["workers"])
    for i in (1, 2):
        assert not (tmp_path / f"job.worker-{i}-of-2" / "govreports-running").exists()


@pytest.mark.slow
def test_the_worst_exit_code_wins_and_more_workers_than_portals(tmp_path: Path) -> None:
    profile = {
        "seed": 7,
        "portals": [
            _portal("ex_a", "A", [2020, 2024], {"government": 1, "departments": 3, "townships": 0}),
            _portal(
                "ex_slow",
                "A",
                [2016, 2024],
                {"government": 1, "departments": 3, "townships": 3},
                knobs={"slow": {"ms": 200}},
            ),
        ],
    }
    with farm_core.Farm.start(profile=profile, data_dir=tmp_path / "farm") as farm:
        db = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        log = tmp_path / "crawl.log"
        cmd = _crawl_cmd(
            farm.portals_file, db, "--json", "--workers", "5", "--no-resume", "--log-file", str(log)
        )
        cmd += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = _start(cmd, tmp_path)
        pids = _worker_pids(log, 2)
        # Five asked for, two portals: two workers, one portal each.
        time.sleep(1.0)
        assert not re.search(r"worker 3 pid", log.read_text())
        deadline = time.monotonic() + 240
        while "worker 1 pid" not in log.read_text() or "exited" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        os.kill(pids[2], signal.SIGKILL)  # the slow portal's worker dies; the other has finished
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGKILL, err[-2000:]
    summary = json.loads(out)
    assert [w["portals"] for w in summary["workers"]] == [["ex_a"], ["ex_slow"]]
    assert [w["exit_code"] for w in summary["workers"]] == [0, 137]
    assert summary["finish_reason"] == "failed"
    assert list(summary["portals"]) == ["ex_a"] and summary["portals"]["ex_a"]["status"] == "ok"
    assert summary["stats"]["requests"] is None


@pytest.mark.slow
def test_sigterm_to_the_parent_stops_every_worker_cleanly(tmp_path: Path) -> None:
    """What the scheduler sends on timeout or shutdown: the children close their spiders (one
    signal each, not two, which would make Scrapy stop without closing), the summary says so."""
    with farm_core.Farm.start(profile=RESUME_PROFILE, data_dir=tmp_path / "farm") as farm:
        db = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        log = tmp_path / "crawl.log"
        cmd = _crawl_cmd(farm.portals_file, db, "--json", "--workers", "2", "--jobdir", str(tmp_path / "job"))
        cmd += ["--log-file", str(log), "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = _start(cmd, tmp_path)
        pids = _worker_pids(log, 2)
        deadline = time.monotonic() + 240
        while min(count_rows(db, PORTAL_REPORTS.format(name)) for name in ("rw_a", "rw_b")) < 5:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert not any(_alive(pid) for pid in pids.values())
    summary = json.loads(out)
    assert summary["interrupted_by"] == "SIGTERM" and summary["finish_reason"] == "shutdown"
    assert [w["finish_reason"] for w in summary["workers"]] == ["shutdown", "shutdown"]
    assert set(summary["portals"]) == {"rw_a", "rw_b"}
    for w in summary["workers"]:  # a clean close: Scrapy said so in each child's log
        assert "Spider closed (shutdown)" in Path(w["log_file"]).read_text()
    from archive.api import Archive
    from archive.health import HealthStore

    with Archive.open(db) as archive:
        assert HealthStore(archive.engine).locks() == {}


@pytest.mark.slow
def test_a_busy_portal_leaves_its_group_out_and_the_others_keep_their_jobdirs(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from archive.api import Archive
    from archive.health import HealthStore, LockOwner
    from govreports.cli import main

    monkeypatch.delenv("GOVREPORTS_PORTAL_LOCK_HELD", raising=False)
    monkeypatch.setenv("GOVREPORTS_DATA", str(tmp_path / "data"))
    portals = tmp_path / "p.yaml"
    # Nothing listens on port 9: each crawl ends at once with a connection error per portal.
    portals.write_text(
        "portals:\n" + "".join(f"  - {{name: {n}, start_urls: ['http://127.0.0.1:9/']}}\n" for n in "abc"),
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'a.db'}"
    scheduler = LockOwner.this_process()
    with Archive.open(db) as archive:
        health = HealthStore(archive.engine)
        assert health.acquire_lock("b", scheduler, ttl_s=600)
        args = ["crawl", "--portals", str(portals), "--db", db, "--workers", "2", "--json"]
        code = main([*args, "--jobdir", str(tmp_path / "job"), "-s", "RETRY_ENABLED=False"])
        out, err = capsys.readouterr()
        assert "portal b skipped: a crawl of it is already running" in err
        assert health.locks().keys() == {"b"}  # ours (a, c) given back, the scheduler's kept
    summary = json.loads(out)
    assert code == 0, err
    # Groups come from the whole selection (a + c, b): b's group is empty, a + c keep group 1.
    assert [w["portals"] for w in summary["workers"]] == [["a", "c"]]
    assert summary["workers"][0]["jobdir"] == str(tmp_path / "job.worker-1-of-2")
    assert list(summary["portals"]) == ["a", "c"]
