"""Discovery on the simulated portal farm (portals.md §12): every report found, no decoy stored,
each failure knob handled as §12.3 says. Crawls run in subprocesses (`govreports crawl`), as the
scheduler runs them: Scrapy's reactor starts once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from farmscore import score
from sqlalchemy import create_engine, text

from govreports.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow
farm_core = pytest.importorskip("farm.core")


def crawl(portals_file: Path, db: str, workdir: Path, *args: str, timeout: float = 900) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GOVREPORTS_DATA": str(workdir / "data")}
    cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(portals_file), "--db", db, "--json"]
    cmd += ["--log-file", str(workdir / "crawl.log"), *args]
    if "--jobdir" not in args:
        cmd.append("--no-resume")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def sub_portals(farm: Any, path: Path, names: list[str], start: dict[str, str] | None = None) -> Path:
    """A portals file with some of the farm's portals, optionally other start URLs."""
    data = yaml.safe_load(Path(farm.portals_file).read_text(encoding="utf-8"))
    chosen = [p for p in data["portals"] if p["name"] in names]
    for p in chosen:
        if start and p["name"] in start:
            p["start_urls"] = [p["start_urls"][0].rstrip("/") + start[p["name"]]]
    path.write_text(yaml.safe_dump({"portals": chosen}, allow_unicode=True), encoding="utf-8")
    return path


def truth_of(farm: Any, path: Path) -> dict[str, Any]:
    return json.loads(farm.dump_truth(path).read_text(encoding="utf-8"))


def query(db: str, sql: str, **params: Any) -> list[tuple]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def knobs(tmp_path_factory):
    with farm_core.Farm.start(profile="knobs", data_dir=tmp_path_factory.mktemp("knobfarm")) as farm:
        yield farm


@pytest.fixture(scope="module")
def knob_crawl(knobs, tmp_path_factory):
    work = tmp_path_factory.mktemp("knobcrawl")
    db = f"sqlite:///{work / 'archive.sqlite3'}"
    truth = truth_of(knobs, work / "truth.json")
    summary = crawl(Path(knobs.portals_file), db, work)
    return SimpleNamespace(summary=summary, db=db, truth=truth, work=work)


BLOCKED = {"k_ruishu": "Ruishu", "k_jiasule": "Jiasule", "k_robots_all": "robots.txt"}
PASSING = [
    "k_plain",
    "k_browser",  # need_browser: browser UA + Referer
    "k_ratelimit",  # 503 bans: backoff, retry, nothing lost
    "k_ratelimit_page",  # 200 "访问过于频繁" pages
    "k_burst",
    "k_cookie302",
    "k_oversize",
    "k_gbk",
    "k_nocharset",
    "k_httpequiv",
    "k_bom",
    "k_offsite",
    "k_softblock",
    "k_stubs",
    "k_stubs_404",
    "k_gzip",
    "k_robots_none",
    "k_robots_cms",
    "k_slow",
    "k_http_only",
    "k_plant",
    "k_hanweb_legacy",
    "k_drift",
    "k_drift_b",
]


@pytest.mark.parametrize("portal", PASSING)
def test_every_report_found_and_no_decoy_stored(knob_crawl, portal: str) -> None:
    s = knob_crawl.summary["portals"][portal]
    assert not s["blocked"], s
    result = score(knob_crawl.truth, knob_crawl.db, {portal})
    assert result.expected, "the farm plans reports on every knob portal"
    assert result.missed == set(), f"recall {result.recall:.0%}"
    assert result.stored_decoys == set() and result.unknown == set(), f"precision {result.precision:.0%}"
    assert s["decoys_skipped"] >= 1  # the column's decoys were seen and logged with a reason


@pytest.mark.parametrize(("portal", "why"), sorted(BLOCKED.items()))
def test_challenges_and_robots_report_the_portal_blocked(knob_crawl, portal: str, why: str) -> None:
    s = knob_crawl.summary["portals"][portal]
    assert s["blocked"] and why in s["blocked_reason"]
    assert s["status"] == "blocked" and s["reports_found"] == 0
    runs = query(knob_crawl.db, "SELECT status FROM crawl_runs WHERE portal = :p", p=portal)
    assert runs == [("blocked",)]  # blocked, never "ok with no reports"


def test_oversize_attachment_refused_and_recorded(knob_crawl) -> None:
    assert knob_crawl.summary["portals"]["k_oversize"]["errors"].get("too_large", 0) >= 1
    kinds = query(
        knob_crawl.db,
        "SELECT e.kind FROM crawl_errors e JOIN crawl_runs r ON r.id = e.run_id WHERE r.portal = 'k_oversize'",
    )
    assert ("too_large",) in kinds


@pytest.mark.parametrize("portal", ["k_gbk", "k_nocharset", "k_httpequiv", "k_bom"])
def test_encodings_decoded(knob_crawl, portal: str) -> None:
    bodies = {b["name"] for b in knob_crawl.truth["portals"][portal]["bodies"]}
    agencies = {
        r[0]
        for r in query(
            knob_crawl.db,
            "SELECT b.name FROM bodies b JOIN portals p ON p.id = b.portal_id "
            "JOIN reports r ON r.body_id = b.id WHERE p.name = :p",
            p=portal,
        )
    }
    assert agencies and agencies <= bodies, agencies - bodies  # no mojibake names


def test_offsite_links_never_followed(knobs, tmp_path) -> None:
    others = {name: p.state.requests for name, p in knobs.portals.items() if name != "k_offsite"}
    summary = crawl(
        sub_portals(knobs, tmp_path / "p.yaml", ["k_offsite"]), f"sqlite:///{tmp_path / 'a.db'}", tmp_path
    )
    assert summary["portals"]["k_offsite"]["reports_found"] >= 1
    after = {name: p.state.requests for name, p in knobs.portals.items() if name != "k_offsite"}
    assert after == others  # not one request to the sibling portals it links to


def test_redirect_loop_stopped_and_recorded(knobs, tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    summary = crawl(
        sub_portals(knobs, tmp_path / "p.yaml", ["k_loop"], {"k_loop": "/loop/a.html"}), db, tmp_path
    )
    assert summary["portals"]["k_loop"]["errors"].get("redirect_loop") == 1
    assert ("redirect_loop",) in query(db, "SELECT kind FROM crawl_errors")


@pytest.mark.parametrize("portal", ["k_soft404", "k_soft404_home"])
def test_soft_404_not_taken_as_content(knobs, tmp_path, portal: str) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    # A start URL that no longer exists: a 200 "页面不存在" or a 301 to the home page.
    portals = sub_portals(knobs, tmp_path / "p.yaml", [portal], {portal: "/zwgk/old/zfxxgknb/index.html"})
    summary = crawl(portals, db, tmp_path)
    assert summary["portals"][portal]["errors"].get("soft404", 0) >= 1
    result = score(truth_of(knobs, tmp_path / "t.json"), db, {portal})
    assert result.missed == set() and result.stored_decoys == set()  # found again from the home page


def test_drift_column_found_again_from_the_home_page(knobs, tmp_path) -> None:
    portals = sub_portals(knobs, tmp_path / "p.yaml", ["k_drift"])
    knobs.portal("k_drift").set_switch("drift", True)
    try:
        db = f"sqlite:///{tmp_path / 'a.db'}"
        crawl(portals, db, tmp_path)
        result = score(truth_of(knobs, tmp_path / "t.json"), db, {"k_drift"})
        assert result.expected and result.missed == set() and result.stored_decoys == set()
    finally:
        knobs.portal("k_drift").set_switch("drift", False)


def test_silent_revision_is_a_new_version(knobs, tmp_path) -> None:
    portals = sub_portals(knobs, tmp_path / "p.yaml", ["k_plant"])
    db = f"sqlite:///{tmp_path / 'a.db'}"
    first = crawl(portals, db, tmp_path)["portals"]["k_plant"]
    knobs.portal("k_plant").set_switch("revised", True)
    try:
        second = crawl(portals, db, tmp_path)["portals"]["k_plant"]
    finally:
        knobs.portal("k_plant").set_switch("revised", False)
    assert first["new_reports"] >= 1 and first["new_versions"] == 0
    assert second["new_reports"] == 0 and second["new_versions"] >= 1
