"""`govreports crawl` and `govreports demo` at the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govreports.cli import main
from govreports.commands.crawl import default_jobdir, format_summary
from govreports.paths import PROJECT_ROOT


def test_bad_portals_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["crawl", "--portals", str(tmp_path / "nope.yaml")]) == 2
    assert "portals file not found" in capsys.readouterr().err
    bad = tmp_path / "p.yaml"
    bad.write_text("portals:\n  - {name: a, start_urls: ['http://127.0.0.1:9/']}\n", encoding="utf-8")
    assert main(["crawl", "--portals", str(bad), "--portal", "zzz"]) == 2
    assert "unknown portal(s): zzz" in capsys.readouterr().err


def test_summary_table() -> None:
    summary = {
        "portals": {
            "sim_a": {
                "status": "ok",
                "pages": 10,
                "reports_found": 4,
                "new_reports": 4,
                "new_versions": 0,
                "decoys_skipped": 2,
                "errors": {},
                "blocked": False,
                "blocked_reason": None,
            },
            "sim_r": {
                "status": "blocked",
                "pages": 0,
                "reports_found": 0,
                "new_reports": 0,
                "new_versions": 0,
                "decoys_skipped": 0,
                "errors": {"blocked": 1},
                "blocked": True,
                "blocked_reason": "js_challenge: Ruishu dynamic cookie (HTTP 412)",
            },
        }
    }
    text = format_summary(summary)
    assert text.splitlines()[0].split() == [
        "portal",
        "status",
        "pages",
        "reports",
        "new",
        "versions",
        "decoys",
        "errors",
        "blocked",
    ]
    assert "yes (js_challenge: Ruishu" in text and "blocked:1" in text


def test_jobdir_is_per_portals_file_and_selection(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GOVREPORTS_DATA", str(tmp_path))
    a = default_jobdir(tmp_path / "p.yaml", [])
    assert a == default_jobdir(tmp_path / "p.yaml", [])
    assert a != default_jobdir(tmp_path / "p.yaml", ["x"]) and a.parent == tmp_path / "jobs"


def test_scrapy_list_from_the_project_root() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert out.returncode == 0 and out.stdout.split() == ["annual_reports"]


@pytest.mark.slow
def test_crawl_command_on_the_farm(tmp_path: Path) -> None:
    farm_core = pytest.importorskip("farm.core")
    profile = {
        "seed": 3,
        "portals": [
            {
                "name": "cli_a",
                "style": "A",
                "years": [2022, 2024],
                "bodies": {"government": 1, "departments": 1, "townships": 0},
                "modes": {"html": 1.0},
                "pairs": 0,
            }
        ],
    }
    env = {**os.environ, "GOVREPORTS_DATA": str(tmp_path / "data")}
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with farm_core.Farm.start(profile=profile, data_dir=tmp_path / "farm") as farm:
        expected = len(farm.truth.reports)
        cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(farm.portals_file), "--db", db]
        table = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=300)
        as_json = subprocess.run(
            [*cmd, "--json", "--portal", "cli_a"],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=env,
            timeout=300,
        )
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[2].split()[:6] == [
        "cli_a",
        "ok",
        table.stdout.splitlines()[2].split()[2],
        str(expected),
        str(expected),
        "0",
    ]
    assert "log:" in table.stdout and (tmp_path / "data" / "logs").is_dir()
    summary = json.loads(as_json.stdout)
    s = summary["portals"]["cli_a"]
    # The second crawl finds the same reports, all unchanged.
    assert s["reports_found"] == expected and s["new_reports"] == 0 and s["unchanged"] == expected
    assert summary["finish_reason"] == "finished" and summary["stats"]["requests"] > expected
    # Both crawls took the portal's lock (none was held by a scheduler) and gave it back.
    from archive.api import Archive
    from archive.health import HealthStore

    with Archive.open(db) as archive:
        assert HealthStore(archive.engine).locks() == {}


def test_a_manual_crawl_leaves_out_a_portal_the_scheduler_is_crawling(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from archive.api import Archive
    from archive.health import HealthStore, LockOwner
    from govreports.crawl_locks import LOCK_HELD_ENV

    monkeypatch.delenv(LOCK_HELD_ENV, raising=False)
    portals = tmp_path / "p.yaml"
    portals.write_text("portals:\n  - {name: busy, start_urls: ['http://127.0.0.1:9/']}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    scheduler = LockOwner.this_process()  # a live owner on this host: its lock is not stale
    with Archive.open(db) as archive:
        health = HealthStore(archive.engine)
        assert health.acquire_lock("busy", scheduler, ttl_s=600)
        code = main(["crawl", "--portals", str(portals), "--db", db, "--no-resume"])
        err = capsys.readouterr().err
        assert code == 1
        assert f"portal busy skipped: a crawl of it is already running (lock held by {scheduler.name}" in err
        assert "nothing crawled" in err
        assert health.locks()["busy"].owner == scheduler.name  # the scheduler's lock is untouched


@pytest.mark.slow
def test_scrapy_crawl_from_the_project_root(tmp_path: Path) -> None:
    farm_core = pytest.importorskip("farm.core")
    profile = {
        "seed": 4,
        "portals": [
            {
                "name": "scrapy_a",
                "style": "B",
                "years": [2023, 2024],
                "bodies": {"government": 1, "departments": 1, "townships": 0},
                "modes": {"html": 1.0},
                "pairs": 0,
            }
        ],
    }
    db = tmp_path / "a.db"
    with farm_core.Farm.start(profile=profile, data_dir=tmp_path / "farm") as farm:
        expected = len(farm.truth.reports)
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "annual_reports",
            "-a",
            f"portals={farm.portals_file}",
            "-s",
            f"GOVREPORTS_DB=sqlite:///{db}",
            "-s",
            "LOG_LEVEL=WARNING",
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM reports")).scalar() == expected
    engine.dispose()
