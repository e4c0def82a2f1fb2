"""Ground truth matches what is served: a small reference crawler following links and the styles'
APIs from each home page reaches every truth report and its files; every decoy is served."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from farm import Farm
from farm.truth import canonical_url


@pytest.mark.parametrize("name", ["sim_trs", "sim_hanweb", "sim_jpaas", "sim_gkmlpt", "sim_legacy"])
def test_every_truth_report_and_decoy_is_reachable(demo_farm: Farm, get, crawl, name: str) -> None:
    portal = demo_farm.portal(name)
    truth = demo_farm.truth.for_portal(name)
    pages_seen, files_seen = crawl(portal)
    assert truth.reports
    for r in truth.reports:
        assert r.detail_url in pages_seen, (r.body, r.report_year, r.detail_url)
        for u in r.attachment_urls:
            assert canonical_url(u) in files_seen, u
        for u in r.also_urls:
            assert u in pages_seen or canonical_url(u) in files_seen
    reasons = {d.reason for d in truth.decoys}
    assert {"news", "jiedu", "parent_repost", "letter", "website_report", "work_report"} <= reasons
    for d in truth.decoys:
        assert d.url in pages_seen, d
        assert get(d.url, browser=True, referer=portal.base + "/").status == 200


def test_truth_records_hold_the_identities(demo_farm: Farm) -> None:
    from farm.synth import check_identities

    planted = 0
    for r in demo_farm.truth.reports:
        fails = check_identities(r.expected_record)
        arithmetic = {"C08", "C09", "C10", "C11"} & set(r.expected_record["expected_findings"])
        assert bool(fails) == bool(arithmetic), (r.body, r.report_year, fails)
        planted += bool(arithmetic)
        assert r.expected_record["year"] == r.report_year
        assert r.expected_record["template"] == (
            "legacy" if r.report_year <= 2018 else "v2019" if r.report_year <= 2020 else "v2021"
        )


VARIANTS = {
    "seed": 11,
    "portals": [
        {
            "name": "va_1based",
            "style": "A",
            "years": [2016, 2024],
            "pager": {"base": 1, "ext": "shtml", "per_page": 12},
        },
        {
            "name": "va_six",
            "style": "A",
            "years": [2016, 2024],
            "subcolumns": "years",
            "pager": {
                "js": "createPageHTML6",
                "prefix": "list",
                "ext": "htm",
                "listing": "table",
                "per_page": 3,
            },
        },
        {
            "name": "va_count",
            "style": "A",
            "years": [2016, 2024],
            "subcolumns": "townships",
            "pager": {"js": "countPage", "overstate": 2, "stub_bytes": 350, "per_page": 10},
        },
        {
            "name": "vb_old",
            "style": "B",
            "years": [2012, 2024],
            "subcolumns": "townships",
            "bodies": {"departments": 5, "townships": 5},
            "hanweb": {"legacy_proxy": True, "split_dates": True},
        },
        {
            "name": "vc_town",
            "style": "C",
            "years": [2016, 2024],
            "subcolumns": "townships",
            "formats": ["pdf"],
        },
        {
            "name": "vd_town",
            "style": "D",
            "years": [2016, 2024],
            "subcolumns": "townships",
            "formats": ["pdf"],
        },
        {
            "name": "ve_town",
            "style": "E",
            "years": [2016, 2024],
            "subcolumns": "townships",
            "formats": ["pdf"],
            "pager": {"stub_bytes": 350},
            "knobs": {"encoding": "httpequiv_malformed"},
        },
        {
            "name": "vb_enc",
            "style": "B",
            "years": [2012, 2024],
            "bodies": {"departments": 6, "townships": 4},
            "hanweb": {"encrypted": True},
        },
        {
            "name": "ve_num",
            "style": "E",
            "years": [2016, 2024],
            "formats": ["pdf"],
            "legacy": {"list": "numbered"},
        },
        {
            "name": "ve_js",
            "style": "E",
            "years": [2016, 2024],
            "formats": ["pdf"],
            "subcolumns": "townships",
            "legacy": {"list": "js_next"},
        },
        {
            "name": "ve_goto",
            "style": "E",
            "years": [2016, 2024],
            "formats": ["pdf"],
            "subcolumns": "townships",
            "pager": {"per_page": 4},
            "legacy": {"list": "js_goto"},
        },
        {
            "name": "ve_json",
            "style": "E",
            "years": [2016, 2024],
            "formats": ["pdf"],
            "pager": {"per_page": 4},
            "legacy": {"list": "js_next", "post": "json"},
        },
        {
            "name": "ve_api",
            "style": "E",
            "years": [2016, 2024],
            "formats": ["pdf"],
            "subcolumns": "townships",
            "legacy": {"list": "js_next", "post": "json", "first": "api"},
        },
    ],
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory):
    with Farm.start(VARIANTS, data_dir=tmp_path_factory.mktemp("variants")) as farm:
        yield farm


@pytest.mark.parametrize("name", [p["name"] for p in VARIANTS["portals"]])
def test_layout_variants_keep_truth_reachable(variants: Farm, crawl, name: str) -> None:
    portal = variants.portal(name)
    truth = variants.truth.for_portal(name)
    pages_seen, files_seen = crawl(portal)
    missed = [r.detail_url for r in truth.reports if r.detail_url not in pages_seen]
    assert not missed and truth.reports
    assert all(canonical_url(u) in files_seen for r in truth.reports for u in r.attachment_urls)
    assert all(d.url in pages_seen for d in truth.decoys)


@pytest.mark.parametrize("name", ["sim_trs", "sim_hanweb", "sim_jpaas", "sim_gkmlpt", "sim_legacy"])
def test_the_home_pages_nav_links_resolve(demo_farm: Farm, get, name: str) -> None:
    # A dead link in the chrome shows up in every crawl summary as a broken_link error; the
    # demo must crawl clean.
    portal = demo_farm.portal(name)
    home = get(portal.base + "/", browser=True, referer=portal.base + "/")
    assert home.status == 200
    links = {
        urljoin(portal.base + "/", href)
        for href in re.findall(r'href="(/[^"#]*)"', home.body.decode("utf-8", "replace"))
    }
    assert links
    for url in sorted(links):
        assert get(url, browser=True, referer=portal.base + "/").status == 200, url
