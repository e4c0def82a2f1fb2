"""Profiles (demo, knobs, large), determinism, layout variants, and `python -m farm serve`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from farm import Farm
from farm.profiles import large_profile, load

ROOT = Path(__file__).resolve().parents[2]


def test_demo_has_one_portal_per_style_on_loopback(demo_farm: Farm) -> None:
    styles = sorted(p.style for p in demo_farm.portals.values())
    assert styles == ["A", "B", "C", "D", "E"]
    assert all(p.address.startswith("127.0.0.") for p in demo_farm.portals.values())
    kinds = {r.body_kind for r in demo_farm.truth.reports}
    assert kinds == {"government", "department", "township"}
    templates = {r.expected_record["template"] for r in demo_farm.truth.reports}
    assert templates == {"legacy", "v2019", "v2021"}
    # a government publishes twice: its Mar-31 report and its office's Jan-31 one
    trs = demo_farm.truth.for_portal("sim_trs")
    assert {r.body for r in trs.reports if r.report_year == 2023} >= {
        "清溪县人民政府",
        "清溪县人民政府办公室",
    }


def test_same_profile_same_farm(tmp_path: Path) -> None:
    profile = {"seed": 9, "portals": [{"name": "x", "style": "A", "years": [2018, 2024]}]}
    with Farm.start(profile, data_dir=tmp_path / "1") as a, Farm.start(profile, data_dir=tmp_path / "2") as b:
        ra, rb = a.truth.reports, b.truth.reports
        assert [r.expected_record for r in ra] == [r.expected_record for r in rb]
        assert [r.detail_url.split("/", 3)[3] for r in ra] == [r.detail_url.split("/", 3)[3] for r in rb]


def test_pair_of_image_and_hyperlinked_versions_is_one_truth_report(demo_farm: Farm, get) -> None:
    trs = demo_farm.truth.for_portal("sim_trs")
    pair = [r for r in trs.reports if r.also_urls]
    assert len(pair) == 1
    r = pair[0]
    hyper, image = get(r.detail_url).text(), get(r.also_urls[0]).text()
    assert "（超链版）" in hyper and "（图片版）" in image
    assert re.search(r'<img src="\./W0\d+\.jpg"', image)
    assert get(r.also_urls[1]).headers["Content-Type"] == "image/jpeg"


def test_year_subcolumns(tmp_path: Path, get) -> None:
    profile = {
        "seed": 4,
        "portals": [
            {"name": "ya", "style": "A", "years": [2021, 2024], "subcolumns": "years"},
            {"name": "ye", "style": "E", "years": [2021, 2024], "subcolumns": "years", "formats": ["pdf"]},
        ],
    }
    with Farm.start(profile, data_dir=tmp_path) as farm:
        a = farm.portal("ya")
        text = get(a.column_href).text()
        assert all(f'href="./nb_{y}n/index.html"' in text for y in range(2021, 2025))
        for r in farm.truth.for_portal("ya").reports:
            assert f"/zfxxgknb/nb_{r.report_year}n/" in r.detail_url
        e = farm.portal("ye")
        text = get(e.column_href).body.decode("gb18030")
        assert len(re.findall(r'href="/xxgk/list\.asp\?cid=\d+">\d{4}年度', text)) == 4


def test_large_profile_size() -> None:
    prof = large_profile()
    docs = sum(
        (2 * p["bodies"]["government"] + p["bodies"]["departments"] + p["bodies"]["townships"])
        * (p["years"][1] - p["years"][0] + 1)
        for p in prof["portals"]
    )
    assert docs == 10_000
    assert {p["style"] for p in prof["portals"]} == {"A", "B", "C", "D", "E"}
    assert load("large:1000")["portals"][0]["knobs"]["slow"] == {"ms": 50}


def test_serve_command_prints_portals_file_and_addresses(tmp_path: Path, get) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "farm", "serve", "--profile", "demo", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(7)]
        assert lines[0].startswith("portals file: ") and lines[0].strip().endswith("portals.yaml")
        assert (tmp_path / "truth.json").exists()
        urls = [re.search(r"(http://127\.0\.0\.\d+:\d+/)", line).group(1) for line in lines[2:7]]
        assert get(urls[0]).status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_profile_from_a_yaml_path(tmp_path: Path, get) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "seed: 3\nportals:\n  - {name: mine, style: D, years: [2023, 2024]}\n  - {name: off, style: A, enabled: false}\n",
        encoding="utf-8",
    )
    with Farm.start(profile=path, data_dir=tmp_path / "farm") as farm:
        assert list(farm.portals) == ["mine"]
        assert farm.portals_file == tmp_path / "farm" / "portals.yaml"
        assert get(farm.portal("mine").base + "/gkmlpt/index").status == 200
