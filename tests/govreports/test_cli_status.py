"""`govreports status` shows each portal's last crawl of any kind, not only the scheduler's runs:
a portal crawled by hand (or by the demo) used to show no run at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from archive_data import database_url

from archive.api import Archive
from govreports.cli import main
from govreports.portals import PortalConfig


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


def _crawl(archive: Archive, portal: str, at: datetime, status: str, stats: dict) -> int:
    run_id = archive.begin_run(portal, at=at)
    archive.end_run(run_id, status=status, stats=stats, at=at.replace(minute=at.minute + 5))
    return run_id


def test_a_manual_crawl_shows_as_the_portals_last_crawl(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Archive.open(db) as archive:
        # As `govreports crawl` does before its runs: the portals file's portals into the archive.
        archive.sync_portals(
            [PortalConfig(name, (f"http://{name}.test/",)) for name in ("trs", "legacy", "hanweb")]
        )
        _crawl(archive, "trs", datetime(2025, 3, 1, 8, 0), "ok", {"reports_found": 60, "errors": {}})
        latest = _crawl(
            archive,
            "trs",
            datetime(2025, 3, 2, 8, 0),
            "partial",
            {
                "reports_found": 58,
                "new_reports": 1,
                "new_versions": 2,
                "errors": {"http_5xx": 3, "timeout": 1},
            },
        )
        _crawl(
            archive, "legacy", datetime(2025, 3, 2, 9, 0), "blocked", {"reports_found": 0, "blocked": True}
        )
        never = archive.begin_run("hanweb", at=datetime(2025, 3, 3, 7, 0))  # still running

    assert main(["status", "--db", db, "--json"]) == 0
    portals = {p["portal"]: p for p in json.loads(capsys.readouterr().out)["portals"]}
    trs = portals["trs"]
    assert trs["last_run"] is None and trs["health"] == "unknown"  # no scheduled run
    assert trs["last_crawl"] == {
        "id": latest,
        "started_at": "2025-03-02T08:00:00Z",
        "ended_at": "2025-03-02T08:05:00Z",
        "status": "partial",
        "reports_found": 58,
        "new_reports": 1,
        "new_versions": 2,
        "errors": 4,
        "blocked": False,
    }
    assert portals["legacy"]["last_crawl"]["status"] == "blocked"
    assert portals["legacy"]["last_crawl"]["blocked"] is True
    hanweb = portals["hanweb"]["last_crawl"]
    assert (hanweb["id"], hanweb["status"], hanweb["ended_at"], hanweb["errors"]) == (
        never,
        "running",
        None,
        None,
    )

    assert main(["status", "--db", db]) == 0
    table = capsys.readouterr().out
    line = next(row for row in table.splitlines() if row.startswith("trs "))
    assert "2025-03-02 08:05 UTC partial, 58 reports" in line
    assert "2025-03-03 07:00 UTC running, - reports" in next(
        r for r in table.splitlines() if r.startswith("hanweb")
    )
