"""The truth's expected record is what the served page says: the project's parser, given a report
page as a crawler fetches it, gives back the expected title, agency, year, template, body kind,
release date and cells (styles A–D serve full HTML reports; E serves attachments only)."""

from __future__ import annotations

import pytest

from farm import Farm

parse = pytest.importorskip("parsers.parse")


@pytest.mark.parametrize("name", ["sim_trs", "sim_hanweb", "sim_jpaas", "sim_gkmlpt"])
def test_html_reports_parse_to_their_expected_record(demo_farm: Farm, get, name: str) -> None:
    portal = demo_farm.portal(name)
    reports = [r for r in demo_farm.truth.for_portal(name).reports if r.format == "html"]
    based = [r for r in reports if r.expected_record.get("base_id")]
    sample = based + [r for r in reports if not r.expected_record.get("base_id")][::4]
    assert sample
    for r in sample:
        resp = get(r.detail_url, browser=True, referer=portal.column_href)
        rec = parse.parse_bytes(resp.body, url=r.detail_url, headers=resp.headers)
        exp = r.expected_record
        assert "error" not in rec, rec
        got = (
            rec["title"].removesuffix("（超链版）"),  # the twin's marker may be kept or dropped
            rec["agency"],
            rec["year"],
            rec["template"],
            rec["body_kind"],
            rec["dates"]["published"],
        )
        assert got == (
            exp["title"],
            exp["agency"],
            exp["year"],
            exp["template"],
            exp["body_kind"],
            exp["dates"]["published"],
        )
        assert {k: rec["cells"].get(k) for k in exp["cells"]} == exp["cells"], r.detail_url
