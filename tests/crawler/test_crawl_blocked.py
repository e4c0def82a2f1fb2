"""`govreports crawl` when portals cannot be crawled at all (JS challenge, robots.txt Disallow):
each is shown blocked with its reason, never as a portal without reports, and a line names them.
CONTRACT.md §2 defines no crawl exit status beyond "errors exit non-zero"; a blocked portal is a
finding the finished crawl reports, so the command exits 0 even when every portal is blocked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govreports.commands.crawl import blocked_line
from govreports.paths import PROJECT_ROOT


def _portal(blocked: str | None) -> dict[str, Any]:
    return {"blocked": bool(blocked), "blocked_reason": blocked, "status": "blocked" if blocked else "ok"}


def test_blocked_line() -> None:
    assert blocked_line({"portals": {"a": _portal(None)}}) is None
    some = blocked_line({"portals": {"a": _portal(None), "r": _portal("robots.txt disallows the portal")}})
    assert some == "1 of 2 portals blocked — r: robots.txt disallows the portal"
    every = blocked_line({"portals": {"r": _portal("js_challenge: Ruishu"), "s": _portal("HTTP 403")}})
    assert every is not None and every.startswith("every portal was blocked (2)")
    assert "r: js_challenge: Ruishu" in every and "s: HTTP 403" in every


@pytest.mark.slow  # a farm and a crawl subprocess: 15-35 s on a shared machine
def test_every_portal_blocked(tmp_path: Path) -> None:
    import yaml

    from farm.core import Farm

    names = ["k_ruishu", "k_robots_all"]
    with Farm.start(profile="knobs", data_dir=tmp_path / "farm") as farm:
        data = yaml.safe_load(Path(farm.portals_file).read_text(encoding="utf-8"))
        data["portals"] = [p for p in data["portals"] if p["name"] in names]
        portals = tmp_path / "p.yaml"
        portals.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "GOVREPORTS_DATA": str(tmp_path / "data")}
        cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(portals), "--no-resume"]
        cmd += ["--db", f"sqlite:///{tmp_path / 'a.db'}"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {line.split()[0]: line for line in out.stdout.splitlines() if line.startswith("k_")}
    assert set(rows) == set(names)
    assert rows["k_ruishu"].split()[1] == "blocked" and "yes (js_challenge: Ruishu" in rows["k_ruishu"]
    assert rows["k_robots_all"].split()[1] == "blocked" and "yes (robots.txt" in rows["k_robots_all"]
    assert "every portal was blocked (2), nothing could be crawled" in out.stdout


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
