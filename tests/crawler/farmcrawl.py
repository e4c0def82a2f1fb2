"""Crawl a small farm profile end to end (`govreports crawl` in a subprocess, as the scheduler runs
it) and keep what the tests score: the summary, the truth, the archive URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from govreports.paths import PROJECT_ROOT


def crawl_profile(profile: dict[str, Any], work: Path) -> SimpleNamespace:
    from farm.core import Farm

    with Farm.start(profile=profile, data_dir=work / "farm") as farm:
        truth = json.loads(farm.dump_truth(work / "truth.json").read_text(encoding="utf-8"))
        db = f"sqlite:///{work / 'archive.sqlite3'}"
        env = {**os.environ, "GOVREPORTS_DATA": str(work / "data")}
        cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(farm.portals_file)]
        cmd += ["--db", db, "--json", "--no-resume", "--log-file", str(work / "crawl.log")]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT, env=env)
        assert out.returncode == 0, out.stderr[-3000:]
        summary = json.loads(out.stdout.strip().splitlines()[-1])
    return SimpleNamespace(summary=summary, truth=truth, db=db, work=work)
