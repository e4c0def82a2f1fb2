"""Each failure knob of portals.md §12.3 behaves as specified (the `knobs` profile isolates one
knob per portal)."""

from __future__ import annotations

import gzip
import http.client
import io
import re
import ssl
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from http.cookiejar import CookieJar

import pytest

from farm import Farm
from farm.knobs import jiasule_clearance, ruishu_token
from farm.synth import check_identities
from govreports.portals import load_portals


@pytest.fixture(scope="module")
def kfarm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(profile="knobs", data_dir=tmp_path_factory.mktemp("knobs")) as farm:
        yield farm


def col(farm: Farm, name: str) -> str:
    return farm.portal(name).column_href


def test_need_browser(kfarm: Farm, get) -> None:
    p = kfarm.portal("k_browser")
    assert get(p.base + "/").status == 403
    assert get(p.base + "/", browser=True).status == 200
    assert get(p.column_href, browser=True).status == 403  # no Referer
    assert get(p.column_href, browser=True, referer=p.base + "/zwgk/zfxxgk/index.html").status == 200


@pytest.mark.parametrize(
    ("name", "status"), [("k_ratelimit", 503), ("k_burst", 503), ("k_ratelimit_page", 200)]
)
def test_ratelimit_then_recovers(kfarm: Farm, get, name: str, status: int) -> None:
    url = kfarm.portal(name).base + "/"
    answers = [get(url) for _ in range(6)]
    assert all(a.status == 200 and "访问过于频繁" not in a.text() for a in answers[:5])
    blocked = answers[5]
    assert blocked.status == status and "访问过于频繁" in blocked.text()
    if status != 200:
        assert blocked.headers.get("Retry-After")
    time.sleep(1.2)
    ok = get(url)
    assert ok.status == 200 and "访问过于频繁" not in ok.text()


def test_ruishu_412_only_a_valid_s_t_pair_passes(kfarm: Farm, get) -> None:
    url = kfarm.portal("k_ruishu").base + "/"
    first = get(url, browser=True)
    assert first.status == 412
    assert "$_ts" in first.text() and 'r="m"' in first.text() and "<body></body>" in first.text()
    cookie = first.headers["Set-Cookie"].split(";")[0]
    name, value = cookie.split("=", 1)
    assert name.endswith("S") and value.startswith("6")
    assert get(url, browser=True, headers={"Cookie": cookie}).status == 412  # replay alone fails
    t_cookie = f"{name[:-1]}T={ruishu_token(value)}"
    assert get(url, browser=True, headers={"Cookie": f"{cookie}; {t_cookie}"}).status == 200


def test_jiasule_521_twice_then_200(kfarm: Farm, get) -> None:
    url = kfarm.portal("k_jiasule").base + "/"
    first = get(url, browser=True)
    assert first.status == 521 and "document.cookie" in first.text() and "location.href" in first.text()
    jsluid = first.headers["Set-Cookie"].split(";")[0]
    assert jsluid.startswith("__jsluid_h=")
    second = get(url, browser=True, headers={"Cookie": jsluid})
    assert second.status == 521 and "go({" in second.text() and "__jsl_clearance_s" in second.text()
    clear = jiasule_clearance(jsluid.split("=", 1)[1])
    assert get(url, browser=True, headers={"Cookie": f"{jsluid}; __jsl_clearance_s={clear}"}).status == 200


def test_cookie302_passes_with_a_cookie_jar(kfarm: Farm, get) -> None:
    url = kfarm.portal("k_cookie302").base + "/"
    bare = get(url, follow=False)
    assert bare.status == 302 and bare.headers["Location"] == "/" and "CT6T=" in bare.headers["Set-Cookie"]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(url, timeout=10) as resp:
        assert resp.status == 200 and b"SiteIDCode" in resp.read()


def test_redirect_loop(kfarm: Farm, get) -> None:
    p = kfarm.portal("k_loop")
    area = get(p.base + "/zwgk/zfxxgk/index.html").text()
    assert 'href="/loop/a.html"' in area
    a = get(p.base + "/loop/a.html", follow=False)
    b = get(p.base + "/loop/b.html", follow=False)
    assert (a.status, a.headers["Location"]) == (302, "/loop/b.html")
    assert (b.status, b.headers["Location"]) == (302, "/loop/a.html")


def test_oversize_attachment_and_zip_bomb(kfarm: Farm, get) -> None:
    info = kfarm.truth.portals["k_oversize"]
    big, bomb = info["oversize_url"], info["zipbomb_url"]
    # both are linked from a report page, but are not the report's own files
    holder = next(
        r
        for r in kfarm.truth.for_portal("k_oversize").reports
        if big.rsplit("/", 1)[1] in get(r.detail_url).text()
    )
    assert big not in holder.attachment_urls and bomb not in holder.attachment_urls
    conn = http.client.HTTPConnection(*big.split("/")[2].split(":"), timeout=10)
    conn.request("GET", "/" + big.split("/", 3)[3])
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.headers["Content-Length"]) == 30_000_000
    assert resp.read(8) == b"%PDF-1.4"
    conn.close()
    data = get(bomb).body
    assert len(data) < 2_000_000
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert inflated > 100 * len(data)


def test_encodings(kfarm: Farm, get) -> None:
    gbk = get(kfarm.portal("k_gbk").base + "/")
    assert gbk.headers["Content-Type"] == "text/html; charset=gb2312"
    assert "人民政府" in gbk.body.decode("gb18030")
    none = get(kfarm.portal("k_nocharset").base + "/")
    assert none.headers["Content-Type"] == "text/html" and b'<meta charset="utf-8">' in none.body
    assert "人民政府" in none.body.decode("utf-8")
    bad = get(kfarm.portal("k_httpequiv").base + "/")
    assert bad.headers["Content-Type"] == "text/html"
    assert b'<meta httpequiv="ContentType" content="text/html; charset=gbk">' in bad.body
    assert "人民政府" in bad.body.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        bad.body.decode("utf-8")
    bom = get(kfarm.portal("k_bom").base + "/")
    assert bom.body.startswith(b"\xef\xbb\xbf") and "人民政府" in bom.body.decode("utf-8-sig")


def test_offsite_links_and_widgets(kfarm: Farm, get) -> None:
    p = kfarm.portal("k_offsite")
    home = get(p.base + "/").text()
    for widget in ("pucha.kaipuyun.cn", "dcs.conac.cn", "beian.miit.gov.cn", "cnzz.com", "_sitegray"):
        assert widget in home
    others = [o.base for n, o in kfarm.portals.items() if n != "k_offsite"]
    assert sum(f'href="{b}/"' in home for b in others) == len(others)
    assert 'href="http://www.gov.cn/"' in get(kfarm.portal("k_plain").base + "/").text()


def test_soft404_and_soft_block(kfarm: Farm, get) -> None:
    soft = get(kfarm.portal("k_soft404").base + "/no/such/page.html")
    assert soft.status == 200 and "页面不存在" in soft.text()
    home = get(kfarm.portal("k_soft404_home").base + "/no/such/page.html", follow=False)
    assert home.status == 301 and home.headers["Location"] == "/"
    assert get(kfarm.portal("k_plain").base + "/no/such/page.html").status == 404
    report = kfarm.truth.for_portal("k_softblock").reports[0]
    first = get(report.detail_url)
    assert first.status == 200 and "访问异常" in first.text() and 9000 < len(first.body) < 12000
    assert report.expected_record["title"] not in first.text()
    again = get(report.detail_url)
    assert again.status == 200 and report.expected_record["title"] in again.text()


def test_stub_pages_and_overstated_count(kfarm: Farm, get) -> None:
    p = kfarm.portal("k_stubs")
    first = get(p.column_href).text()
    count = int(re.search(r"createPageHTML\((\d+),", first).group(1))
    real = -(-len(p.plan.column.items) // 2)
    assert count == real + 3
    root = p.column_href.rsplit("/", 1)[0]
    assert get(f"{root}/index_{real - 1}.html").status == 200
    stub = get(f"{root}/index_{real}.html")
    assert stub.status == 200 and 340 <= len(stub.body) <= 360 and "t20" not in stub.text()
    q = kfarm.portal("k_stubs_404")
    text = get(q.column_href).text()
    assert re.search(r"var countPage = (\d+)//共多少页", text)
    n = int(re.search(r"var countPage = (\d+)", text).group(1))
    qroot = q.column_href.rsplit("/", 1)[0]
    assert get(f"{qroot}/index_{n - 1}.html").status == 404


def test_gzip_forced(kfarm: Farm, get) -> None:
    resp = get(kfarm.portal("k_gzip").base + "/", headers={"Accept-Encoding": "identity"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert b"SiteIDCode" in gzip.decompress(resp.body)


def test_robots_variants(kfarm: Farm, get) -> None:
    assert get(kfarm.portal("k_robots_none").base + "/robots.txt").status == 404
    cms = get(kfarm.portal("k_robots_cms").base + "/robots.txt").text()
    assert "Disallow: /e/" in cms and "Disallow: /\n" not in cms
    assert "Disallow: /\n" in get(kfarm.portal("k_robots_all").base + "/robots.txt").text()


def test_slow(kfarm: Farm, get) -> None:
    url = kfarm.portal("k_slow").base + "/"
    t = time.perf_counter()
    assert get(url).status == 200
    assert time.perf_counter() - t >= 0.05


def test_http_only_start_url_is_https_and_tls_fails(kfarm: Farm, get) -> None:
    entry = next(p for p in load_portals(kfarm.portals_file) if p.name == "k_http_only")
    assert entry.start_urls[0].startswith("https://")
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with pytest.raises((ssl.SSLError, OSError)):
        urllib.request.urlopen(entry.start_urls[0], timeout=5, context=ctx)
    assert get(entry.start_urls[0].replace("https://", "http://")).status == 200


@pytest.mark.parametrize("name", ["k_drift", "k_drift_b"])
def test_drift_moves_the_column(tmp_path, get, name: str) -> None:
    with Farm.start("knobs", data_dir=tmp_path) as farm:
        p = farm.portal(name)
        before = farm.truth.for_portal(name)
        old_col = p.column_href
        area = get(p.base + p.area_href).text()
        assert old_col.removeprefix(p.base) in area
        p.set_switch("drift", True)
        after = farm.truth.for_portal(name)
        assert p.column_href != old_col and get(old_col).status == 404
        area = get(p.base + p.area_href).text()
        assert p.column_href.removeprefix(p.base) in area and old_col.removeprefix(p.base) not in area
        assert get(p.column_href).status == 200
        for b, a in zip(before.reports, after.reports, strict=True):
            assert (b.body, b.report_year) == (a.body, a.report_year)
            assert b.detail_url != a.detail_url
            assert get(b.detail_url).status == 404 and get(a.detail_url).status == 200


def test_revised_switch_changes_only_the_planted_reports(tmp_path, get) -> None:
    with Farm.start("knobs", data_dir=tmp_path) as farm:
        p = farm.portal("k_plant")
        before = {r.detail_url: r for r in farm.truth.for_portal("k_plant").reports}
        pages_before = {u: get(u).body for u in before}
        p.set_switch("revised", True)
        after = {r.detail_url: r for r in farm.truth.for_portal("k_plant").reports}
        assert before.keys() == after.keys()
        changed = [u for u in before if before[u].expected_record != after[u].expected_record]
        assert len(changed) == 2 and all(before[u].revisable for u in changed)
        for u in before:
            assert (get(u).body != pages_before[u]) == (u in changed)
        for u in changed:
            assert check_identities(after[u].expected_record) == []
            assert (
                after[u].expected_record["cells"]["applications.new_received.total"]
                == before[u].expected_record["cells"]["applications.new_received.total"] + 1
            )


def test_planted_missing_and_late(kfarm: Farm, get) -> None:
    truth = kfarm.truth.for_portal("k_plant")
    assert len(truth.missing) == 3 and len(truth.late) == 3
    have = {(r.body, r.report_year) for r in truth.reports}
    for g in truth.missing:
        assert (g.agency, g.year) not in have and g.published is None
    for g in truth.late:
        r = truth.report("k_plant", g.agency, g.year)
        assert r.late and r.published == g.published > g.deadline and g.days_late > 0
        assert f'<meta name="PubDate" content="{g.published}' in get(r.detail_url).text()
        assert r.expected_record["dates"]["published"] == g.published


DRIFT = {
    "seed": 31,
    "portals": [
        {"name": f"drift_{s.lower()}", "style": s, "years": [2021, 2024], "formats": ["pdf"]} for s in "ABCDE"
    ],
}


@pytest.mark.parametrize("style", list("ABCDE"))
def test_drift_in_every_style(tmp_path, get, crawl, style: str) -> None:
    with Farm.start(DRIFT, data_dir=tmp_path) as farm:
        name = f"drift_{style.lower()}"
        p = farm.portal(name)
        old_col = p.column_href
        old_api = farm.truth.portals[name].get("gkmlpt", {}).get("api")
        p.set_switch("drift", True)
        assert p.column_href != old_col
        if old_api:  # gkmlpt: the category moves, posts keep their URLs
            assert get(old_api).status == 404
        else:
            assert get(old_col, browser=True, referer=p.base + "/").status == 404
        seen, _ = crawl(p)
        assert {r.detail_url for r in farm.truth.for_portal(name).reports} <= seen
