"""Styles B (Hanweb JCMS), C (JPaaS unit build) and D (gkmlpt) as portals.md §4–§6 describe them."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import quote

from bs4 import BeautifulSoup

from farm import Farm

LI = re.compile(r'href="(/art/[^"]+)"')


# ------------------------------------------------------------------------------------------ B
def test_b_first_group_is_cdata_in_a_datastore_an_html_parser_cannot_see(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_hanweb")
    text = get(p.column_href).text()
    assert '<script type="text/xml"><datastore>' in text and "jpage({totalRecord:" in text
    assert re.search(r"var param_\d+ = \{col:1, webid:'12'", text)
    soup = BeautifulSoup(text, "html.parser")
    assert not [a for a in soup.find_all("a") if "/art/" in (a.get("href") or "")]
    assert len(LI.findall(text)) == 45  # first group: perPage 15 x groupSize 3
    total = int(re.search(r"totalRecord:(\d+)", text).group(1))
    assert total > 45


def test_b_dataproxy_get_and_post_agree_and_repeat_the_overlap_record(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_hanweb")
    text = get(p.column_href).text()
    col = re.search(r"columnid:(\d+)", text).group(1)
    unit = re.search(r"unitid:'(\d+)'", text).group(1)
    first = LI.findall(text)
    proxy = f"{p.base}/module/web/jpage/dataproxy.jsp"
    by_get = get(f"{proxy}?page=2&webid=12&columnid={col}&unitid={unit}").text()
    by_post = get(
        f"{proxy}?startrecord=46&endrecord=90&perpage=15",
        data=f"col=1&webid=12&path=/&columnid={col}&sourceContentType=1&unitid={unit}&permissiontype=0".encode(),
    ).text()
    assert by_get == by_post
    assert by_get.startswith("<datastore><totalrecord>")
    rows = LI.findall(by_get)
    assert rows[0] == first[-1]  # the previous group's last record, again
    assert len(rows) == min(46, int(re.search(r"<totalrecord>(\d+)", by_get).group(1)) - 44)
    beyond = get(f"{proxy}?page=9&webid=12&columnid={col}&unitid={unit}").text()
    assert "<record>" not in beyond
    assert get(f"{p.base}/module/jpage/dataproxy.jsp?page=2&columnid={col}").status == 404


def test_b_detail_unpadded_art_url_and_zoom_markers(demo_farm: Farm, get) -> None:
    r = next(r for r in demo_farm.truth.for_portal("sim_hanweb").reports if r.mode == "html")
    assert re.search(r"/art/\d{4}/[1-9]\d?/[1-9]\d?/art_\d{10}_\d+\.html$", r.detail_url)
    page = get(r.detail_url).text()
    assert 'id="zoom"' in page and "<META name=ContentStart>" in page and "<!--<$[信息内容]>end-->" in page
    assert "<h1" not in page
    assert re.search(r"<title>[^<]+_政府信息公开年报_[^<]+</title>", page)


def test_b_legacy_proxy_split_dates_gbk_webname(tmp_path, get) -> None:
    profile = {
        "seed": 3,
        "portals": [
            {
                "name": "b_old",
                "style": "B",
                "years": [2015, 2024],
                "bodies": {"departments": 3, "townships": 2},
                "hanweb": {"legacy_proxy": True, "split_dates": True, "gbk_webname": True, "first": 15},
            }
        ],
    }
    with Farm.start(profile, data_dir=tmp_path) as farm:
        p = farm.portal("b_old")
        text = get(p.column_href).text()
        assert "/module/jslib/jquery/jpage/dataproxy.jsp" in text
        assert re.search(r"<span>\n \d{4}-\n \d\d-\n \d\d\n</span>", text)
        assert "webname:'%" in text  # URL-encoded GBK
        assert len(LI.findall(text)) == 15
        col = re.search(r"columnid:(\d+)", text).group(1)
        assert get(f"{p.base}/module/web/jpage/dataproxy.jsp?page=1&columnid={col}").status == 404
        assert (
            "<record>"
            in get(f"{p.base}/module/jslib/jquery/jpage/dataproxy.jsp?page=1&columnid={col}").text()
        )


# ------------------------------------------------------------------------------------------ C
def _unit_api(p, text: str, page: int, size: int = 15) -> str:
    q = json.loads(re.search(r'queryData="(\{[^"]+\})"', text).group(1).replace("'", '"'))
    return (
        f"{p.base}/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId={q['webId']}"
        f"&tplSetId={q['tplSetId']}&pageType=column&tagId={quote(q['tagId'])}&editType=null&pageId={q['pageId']}"
        f"&paramJson={quote(json.dumps({'pageNo': page, 'pageSize': size}))}"
    )


def test_c_shell_and_unit_api_needs_browser_ua_and_referer(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_jpaas")
    shell = get(p.column_href, browser=True, referer=p.base + "/").text()
    assert "unitbuild.js" in shell and "/art/" not in shell
    api = _unit_api(p, shell, 1)
    assert get(api).status == 403
    assert get(api, browser=True).status == 403  # no Referer
    ok = get(api, browser=True, referer=p.column_href)
    assert ok.status == 200
    html = json.loads(ok.body)["data"]["html"]
    assert html.startswith("<ul>") and html.count("<li>") == 15
    links: list[str] = []
    for page in range(1, 50):
        frag = json.loads(get(_unit_api(p, shell, page), browser=True, referer=p.column_href).body)["data"][
            "html"
        ]
        if not frag:
            break
        links += re.findall(r'href="([^"]+)"', frag)
    else:
        raise AssertionError("pages never ran empty")
    assert any(re.match(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html$", u) for u in links)
    assert any(re.match(r"/art/\d{4}/\d+/\d+/art_\d+_\d+\.html$", u) for u in links)  # old form, same column
    big = json.loads(get(_unit_api(p, shell, 1, 50), browser=True, referer=p.column_href).body)["data"][
        "html"
    ]
    assert big.count("<li>") == min(50, len(links))


def test_c_gateway_links_expire_and_files_are_not_served_directly(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_jpaas")
    r = next(r for r in demo_farm.truth.for_portal("sim_jpaas").reports if r.attachment_urls)
    page = get(r.detail_url, browser=True, referer=p.column_href).text()
    link = re.search(r'href="(/module/jpaas/download\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert get(p.base + link, browser=True, referer=r.detail_url).status == 200
    expired = re.sub(r"expires=\d+", f"expires={int(time.time()) - 5}", link)
    assert get(p.base + expired, browser=True, referer=r.detail_url).status == 403
    assert get(r.attachment_urls[0], browser=True, referer=r.detail_url).status == 403  # unsigned
    file_path = re.search(r"fileUrl=([^&]+)", link).group(1)
    assert get(p.base + file_path.replace("%2F", "/"), browser=True, referer=r.detail_url).status == 404


# ------------------------------------------------------------------------------------------ D
def test_d_config_tree_and_api_page_zero_is_page_one(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_gkmlpt")
    shell = get(p.base + "/gkmlpt/index").text()
    config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", shell).group(1))
    node = next(n for n in config["TREE"] if n["name"] == "政府信息公开年报")
    api = f"{p.base}/gkmlpt/api/all/{node['id']}?page={{}}&sid={config['SID']}"
    one, zero = get(api.format(1)), get(api.format(0))
    assert one.status == 200 and one.body == zero.body
    data = json.loads(one.body)
    assert data["classify"]["id"] == node["id"] and len(data["articles"]) == node["post_count"] < 100
    assert get(api.format(2)).status == 404  # single-page site
    art = data["articles"][0]
    assert re.search(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$", art["url"])
    assert {"created_at", "identifier", "publisher", "attachment", "post_url"} <= set(art)
    assert "window._CONFIG" in get(p.base + "/gkmlpt/annualreport").text()


def test_d_hundred_per_page_and_detail_string(tmp_path, get) -> None:
    profile = {
        "seed": 5,
        "portals": [
            {
                "name": "d_big",
                "style": "D",
                "years": [2012, 2024],
                "bodies": {"departments": 8, "townships": 2},
                "modes": {"html": 0.8, "attachment": 0.2},
                "formats": ["pdf"],
            }
        ],
    }
    with Farm.start(profile, data_dir=tmp_path) as farm:
        info = farm.truth.portals["d_big"]["gkmlpt"]
        pages = [json.loads(get(info["api"].replace("page=1", f"page={n}")).body) for n in (1, 2)]
        assert len(pages[0]["articles"]) == 100 and 0 < len(pages[1]["articles"]) <= 100
        assert get(info["api"].replace("page=1", "page=3")).status == 404
        truth = farm.truth.for_portal("d_big")
        listed = {a["url"] for pg in pages for a in pg["articles"]}
        assert {r.detail_url for r in truth.reports} <= listed
        r = next(r for r in truth.reports if r.attachment_urls)
        page = get(r.detail_url).text()
        assert 'class="nfw-cms-attachment"' in page and re.search(r"/attachment/0/\d+/\d+/\d+\.pdf", page)
        literal = re.search(r"content: (\"(?:[^\"\\]|\\.)*\")\};", page).group(1)
        assert "\\u" in literal and "\\/" in literal
        content = json.loads(literal)
        soup = BeautifulSoup(page, "html.parser")
        assert soup.select_one("h1.content-title").get_text() == r.expected_record["title"]
        assert "一、总体情况" in content or "附件" in content
        assert content.strip()[:40] in str(soup.select_one("div.content"))


def test_b_encrypted_ids_deep_groups_empty_browser_pager_works(tmp_path, get) -> None:
    profile = {
        "seed": 8,
        "portals": [
            {
                "name": "b_enc",
                "style": "B",
                "years": [2012, 2024],
                "bodies": {"departments": 6, "townships": 4},
                "hanweb": {"encrypted": True},
            }
        ],
    }
    with Farm.start(profile, data_dir=tmp_path) as farm:
        p = farm.portal("b_enc")
        text = get(p.column_href).text()
        col = re.search(r"columnid:'([^']+)'", text).group(1)
        assert not col.isdigit()
        proxy = f"{p.base}/module/web/jpage/dataproxy.jsp"
        first = get(f"{proxy}?page=1&columnid={quote(col, safe='')}")
        assert first.text().count("<record>") == 45
        deep = get(f"{proxy}?page=2&columnid={quote(col, safe='')}")
        assert deep.status == 200 and len(deep.body) == 54 and b"<record>" not in deep.body
        unit = re.search(r"unitid:'([^']+)'", text).group(1)
        page4 = get(f"{p.column_href}?uid={quote(unit, safe='')}&pageNum=4").text()
        assert LI.findall(page4) == [
            "/art/" + it.detail_url.split("/art/", 1)[1] for it in p.plan.column.items[45:60]
        ]


def test_c_gateway_rate_limit(tmp_path, get) -> None:
    profile = {
        "seed": 8,
        "portals": [
            {
                "name": "c_rate",
                "style": "C",
                "years": [2021, 2024],
                "modes": {"attachment": 1.0},
                "formats": ["docx"],
                "jpaas": {"gateway_rate": {"n": 3, "per_s": 5}},
            }
        ],
    }
    with Farm.start(profile, data_dir=tmp_path) as farm:
        p = farm.portal("c_rate")
        r = farm.truth.for_portal("c_rate").reports[0]
        page = get(r.detail_url, browser=True, referer=p.column_href).text()
        link = p.base + re.search(r'href="(/module/jpaas/download\?[^"]+)"', page).group(1).replace(
            "&amp;", "&"
        )
        codes = [get(link, browser=True, referer=r.detail_url).status for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
