"""Ground truth matches what is served: a small reference crawler following links and the styles'
APIs from each home page reaches every truth report and its files; every decoy is served."""

from __future__ import annotations

import json
import re
from collections import deque
from urllib.parse import quote, urljoin, urlsplit

import pytest

from farm import Farm
from farm.portal import Portal
from farm.truth import canonical_url

LINK = re.compile(r"""(?:href|src)\s*=\s*\\?["']([^"'\\]+)""", re.I)
FILE_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|jpg|zip)$|/module/jpaas/download", re.I)


def _decode(body: bytes, ctype: str) -> str:
    label = (
        re.search(r"charset=([\w-]+)", ctype)
        or re.search(rb"charset=\"?([\w-]+)", body[:1024])
        or [None, b"utf-8"]
    )[1]
    label = label.decode() if isinstance(label, bytes) else label
    return body.decode("gb18030" if label.lower().startswith("gb") else "utf-8", "replace")


def a_pages(text: str) -> list[str]:
    m = re.search(
        r"createPageHTML\((?:'page_div',\s*)?(\d+),\s*(\d+),\s*[\"'](\w+)[\"'],\s*[\"'](\w+)[\"']", text
    )
    if m:
        count, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    elif m := re.search(
        r"var currentPage = (\d+);.*?var countPage = (\d+).*?href=\\\"(\w+)_\"\+nextpage\+\"\.(\w+)",
        text,
        re.S,
    ):
        current, count, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    else:
        return []
    del current  # 0- or 1-based varies by template: try both; a page that does not exist is a 404
    numbers = range(1, count + 1)
    return [f"{prefix}_{i}.{ext}" for i in numbers]


def reference_crawl(portal: Portal, get) -> tuple[set[str], set[str]]:
    """(pages fetched, file URLs seen), following every mechanism portals.md describes."""
    hosts = {portal.host, f"{portal.files_address}:{portal.port}"}
    seen: set[str] = set()
    files: set[str] = set()
    queue: deque[tuple[str, str]] = deque([(portal.base + "/", portal.base + "/")])

    def push(url: str, referer: str) -> None:
        url = url.replace("&amp;", "&").split("#")[0]
        if urlsplit(url).netloc not in hosts:
            return
        if FILE_EXT.search(urlsplit(url).path) or "/module/jpaas/download" in url:
            files.add(canonical_url(url))
            return
        if url not in seen:
            seen.add(url)
            queue.append((url, referer))

    while queue:
        url, referer = queue.popleft()
        resp = get(url, browser=True, referer=referer)
        if resp.status != 200:
            continue
        ctype = resp.headers.get("Content-Type", "")
        if "json" in ctype:
            continue
        text = _decode(resp.body, ctype)
        for href in LINK.findall(text):
            if not href.startswith(("javascript:", "mailto:")):
                push(urljoin(url, href), url)
        # A: pager written by JS (4- or 6-argument createPageHTML, inline countPage; 0- or 1-based)
        for href in a_pages(text):
            push(urljoin(url, href), url)
        # B: datastore + dataproxy groups
        if m := re.search(r"jpage\(\{totalRecord:(\d+).*?proxyUrl:'([^']+)'", text, re.S):
            total, proxy = int(m.group(1)), m.group(2)
            col = re.search(r"columnid:'?([^,']+)'?", text).group(1)
            unit = re.search(r"unitid:'([^']+)'", text).group(1)
            for start in range(46, total + 1, 45):
                x = get(
                    f"{portal.base}{proxy}?startrecord={start}&endrecord={start + 44}&perpage=15",
                    data=f"col=1&webid=12&columnid={quote(col, safe='')}&unitid={quote(unit, safe='')}".encode(),
                    browser=True,
                    referer=url,
                )
                if len(x.body) == 54 and b"<record>" not in x.body:  # encrypted ids: use the browser pager
                    for n in range(1, -(-total // 15) + 1):
                        push(f"{url.split('?')[0]}?uid={quote(unit, safe='')}&pageNum={n}", url)
                    break
                for href in LINK.findall(x.text()):
                    push(urljoin(url, href), url)
        # E: javascript:next(N) backed by a POST JSON list
        if "javascript:next(" in text and (m := re.search(r"listData\.asp',\{cid:(\d+)", text)):
            for page in range(1, 1000):
                x = get(
                    f"{portal.base}/xxgk/listData.asp",
                    data=f"cid={m.group(1)}&page={page}".encode(),
                    browser=True,
                    referer=url,
                )
                rows = json.loads(x.body.decode("gb18030"))["list"]
                if not rows:
                    break
                for row in rows:
                    push(urljoin(url, row["url"]), url)
        # C: unit API until an empty page
        if m := re.search(r"queryData=\"(\{[^\"]+\})\"", text):
            q = json.loads(m.group(1).replace("'", '"'))
            for page in range(1, 1000):
                api = (
                    f"{portal.base}/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic"
                    f"&webId={q['webId']}&tplSetId={q['tplSetId']}&pageType=column&tagId={quote(q['tagId'])}"
                    f"&editType=null&pageId={q['pageId']}&paramJson={quote(json.dumps({'pageNo': page, 'pageSize': 15}))}"
                )
                frag = json.loads(get(api, browser=True, referer=url).body)["data"]["html"]
                if not frag:
                    break
                for href in LINK.findall(frag):
                    push(urljoin(url, href), url)
        # D: _CONFIG TREE -> list API
        if m := re.search(r"window\._CONFIG = (\{.*?\});</script>", text):
            try:
                config = json.loads(m.group(1))
            except json.JSONDecodeError:
                config = {}
            stack = list(config.get("TREE", []))
            while stack:
                node = stack.pop()
                stack.extend(node.get("children", []))
                for page in range(1, 100):
                    x = get(
                        f"{portal.base}/gkmlpt/api/all/{node['id']}?page={page}&sid={config['SID']}",
                        browser=True,
                        referer=url,
                    )
                    if x.status != 200:
                        break
                    for art in json.loads(x.body)["articles"]:
                        push(art["url"], url)
                        for att in art["attachment"]:
                            push(att["url"], url)
    return seen, files


@pytest.mark.parametrize("name", ["sim_trs", "sim_hanweb", "sim_jpaas", "sim_gkmlpt", "sim_legacy"])
def test_every_truth_report_and_decoy_is_reachable(demo_farm: Farm, get, name: str) -> None:
    portal = demo_farm.portal(name)
    truth = demo_farm.truth.for_portal(name)
    pages_seen, files_seen = reference_crawl(portal, get)
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
    ],
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory):
    with Farm.start(VARIANTS, data_dir=tmp_path_factory.mktemp("variants")) as farm:
        yield farm


@pytest.mark.parametrize("name", [p["name"] for p in VARIANTS["portals"]])
def test_layout_variants_keep_truth_reachable(variants: Farm, get, name: str) -> None:
    portal = variants.portal(name)
    truth = variants.truth.for_portal(name)
    pages_seen, files_seen = reference_crawl(portal, get)
    missed = [r.detail_url for r in truth.reports if r.detail_url not in pages_seen]
    assert not missed and truth.reports
    assert all(canonical_url(u) in files_seen for r in truth.reports for u in r.attachment_urls)
    assert all(d.url in pages_seen for d in truth.decoys)
