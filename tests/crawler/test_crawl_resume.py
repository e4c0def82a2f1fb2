"""Kill a crawl with SIGKILL half-way and run it again with the same job directory: nothing lost,
nothing stored twice (JOBDIR ledger of finished reports + the archive's idempotence)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archive_data import count_rows
from farmscore import score

from govreports.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow
farm_core = pytest.importorskip("farm.core")

PROFILE = {
    "seed": 5,
    "portals": [
        {
            "name": "resume_a",
            "style": "A",
            "years": [2012, 2024],
            "bodies": {"government": 1, "departments": 4, "townships": 4},
            "modes": {"html": 1.0},
            "pairs": 0,
            "subcolumns": "townships",
            "knobs": {"slow": {"ms": 40}},
        }
    ],
}


def test_sigkill_half_way_then_resume(tmp_path: Path) -> None:
    with farm_core.Farm.start(profile=PROFILE, data_dir=tmp_path / "farm") as farm:
        truth = json.loads(farm.dump_truth(tmp_path / "truth.json").read_text(encoding="utf-8"))
        expected = len(truth["reports"])
        assert expected >= 60
        db = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        env = {**os.environ, "GOVREPORTS_DATA": str(tmp_path / "data")}
        cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(farm.portals_file), "--db", db]
        # One request at a time so that the kill lands in the middle of the column.
        cmd += ["--json", "--jobdir", str(tmp_path / "job"), "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]

        first = subprocess.Popen(
            [*cmd, "--log-file", str(tmp_path / "first.log")],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 240
        while count_rows(db, "SELECT COUNT(*) FROM reports") < expected // 3:
            assert first.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait()
        stored_before = count_rows(db, "SELECT COUNT(*) FROM reports")
        assert 0 < stored_before < expected
        assert (tmp_path / "job" / "govreports-running").exists()  # died without closing

        second = subprocess.run(
            [*cmd, "--log-file", str(tmp_path / "second.log")],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        summary = json.loads(second.stdout.strip().splitlines()[-1])

    result = score(truth, db, {"resume_a"})
    assert result.missed == set(), "a report was lost"
    assert result.stored_decoys == set() and result.unknown == set()
    # Nothing stored twice: one report per body and year, one version each, one row per capture.
    assert count_rows(db, "SELECT COUNT(*) FROM reports") == expected
    assert count_rows(db, "SELECT COUNT(*) FROM versions") == expected
    assert count_rows(db, "SELECT COUNT(*) FROM captures") == count_rows(
        db, "SELECT COUNT(DISTINCT sha256) FROM captures"
    )
    s = summary["portals"]["resume_a"]
    assert s["new_versions"] == 0
    # The resumed crawl skipped the detail pages finished before the kill (the job ledger).
    assert summary["stats"]["resumed_skipped"] >= stored_before - 2
    assert s["new_reports"] + s["unchanged"] + summary["stats"]["resumed_skipped"] >= expected
    # A crawl that finished clears its job: the next one starts fresh.
    assert not (tmp_path / "job" / "govreports-running").exists()
