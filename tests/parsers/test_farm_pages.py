"""Every HTML report page of the demo farm parses to its truth record: title, agency, year,
template, body_kind, dates and every cell. Loopback only; one farm for the module."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from parsers.parse import parse_bytes

STYLES = ["sim_trs", "sim_hanweb", "sim_jpaas", "sim_gkmlpt", "sim_legacy"]
FIELDS = ("title", "agency", "year", "template", "body_kind", "dates")
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    farm_module = pytest.importorskip("farm")
    with farm_module.Farm.start(profile="demo", data_dir=tmp_path_factory.mktemp("farm")) as running:
        yield running


def fetch(url: str, referer: str) -> tuple[bytes, dict[str, str]]:
    assert url.startswith("http://127."), url
    request = urllib.request.Request(url, headers={"User-Agent": UA, "Referer": referer})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return resp.read(), dict(resp.headers.items())


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
def test_farm_html_reports_parse_to_truth(farm: Any, style: str) -> None:
    portal = farm.portal(style)
    reports = [r for r in farm.truth.for_portal(style).reports if r.format == "html"]
    if not reports:
        pytest.skip(f"{style} publishes its reports as attachments only")
    wrong: list[str] = []
    for report in reports:
        body, headers = fetch(report.detail_url, portal.base + "/")
        record = parse_bytes(body, url=report.detail_url, headers=headers)
        expected = report.expected_record
        assert "error" not in record, (report.detail_url, record.get("error"))
        got = {k: record[k] for k in FIELDS}
        want = {k: expected.get(k) for k in FIELDS}
        if got != want:
            wrong.append(f"{report.detail_url}: {got} != {want}")
        bad_cells = [k for k, v in expected.get("cells", {}).items() if record["cells"].get(k, "ABSENT") != v]
        if bad_cells or set(record["cells"]) - set(expected.get("cells", {})):
            wrong.append(f"{report.detail_url}: cells differ: {bad_cells[:5]}")
    assert not wrong, "\n".join(wrong)
