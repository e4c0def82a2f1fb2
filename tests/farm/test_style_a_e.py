"""Styles A (TRS static) and E (legacy GBK) as portals.md §3 and §7 describe them."""

from __future__ import annotations

import re

from farm import Farm
from govreports.portals import load_portals


def test_portals_file_is_a_valid_contract_file(demo_farm: Farm) -> None:
    portals = load_portals(demo_farm.portals_file)
    assert {p.name for p in portals} == set(demo_farm.portals)
    for p in portals:
        assert p.start_urls[0].startswith("http://127.0.0.")
        assert p.start_urls[0].endswith("/")


def test_a_home_links_area_which_links_column(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_trs")
    home = get(p.base + "/").text()
    assert 'name="SiteIDCode"' in home and "pucha.kaipuyun.cn" in home and "dcs.conac.cn" in home
    area_href = re.search(r'href="([^"]+)">政务公开<', home).group(1)
    area = get(p.base + area_href).text()
    for label in (
        "政府信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开年报",
        "依申请公开",
        "政府网站工作年度报表",
        "政府工作报告",
    ):
        assert label in area
    col = re.search(r'href="([^"]+)">政府信息公开年报<', area).group(1)
    assert col.endswith("/zfxxgknb/index.html")


def test_a_pagination_only_in_js_and_overstated_stub(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_trs")
    root = p.column_href.rsplit("/", 1)[0] + "/"
    first = get(root + "index.html").text()
    m = re.search(r'createPageHTML\((\d+), (\d+), "index", "html"\)', first)
    assert m and m.group(2) == "0"
    count = int(m.group(1))
    assert "index_1.html" not in re.sub(r"<script.*?</script>", "", first, flags=re.S)  # no plain link
    # page i is index_i.html; the last advertised page (overstate: 1) is a ~350-byte stub
    for i in range(1, count - 1):
        page = get(root + f"index_{i}.html")
        assert page.status == 200 and re.search(r"\./\d{6}/t\d{8}_\d+\.html", page.text())
    last = get(root + f"index_{count - 1}.html")
    assert last.status == 200 and len(last.body) < 400 and not re.search(r"t\d{8}_", last.text())
    assert get(root + f"index_{count}.html").status == 404


def test_a_list_truncates_text_but_keeps_full_title(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_trs")
    text = get(p.column_href).text()
    items = re.findall(r'<a href="\./(\d{6}/t\d{8}_\d+\.html)" title="([^"]+)"[^>]*>([^<]+)</a>', text)
    assert items
    assert any(shown.endswith("…") and full.startswith(shown[:-1]) for _, full, shown in items)


def test_a_detail_has_trs_editor_meta_and_relative_attachments(demo_farm: Farm, get) -> None:
    truth = demo_farm.truth.for_portal("sim_trs")
    att = next(r for r in truth.reports if r.mode == "attachment")
    page = get(att.detail_url).text()
    assert 'class="TRS_Editor"' in page and ".TRS_Editor P{" in page
    assert 'name="PubDate"' in page and "索 引 号" in page
    assert re.search(r'href="\./P0\d+\.(pdf|docx|ofd)"', page)
    assert re.search(r"/\d{6}/t\d{8}_\d+\.html$", att.detail_url)
    for url in att.attachment_urls:
        assert get(url).status == 200


def test_a_township_subcolumn(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_trs")
    text = get(p.column_href).text()
    assert 'href="./xzjd/index.html"' in text
    townships = [r for r in demo_farm.truth.for_portal("sim_trs").reports if r.body_kind == "township"]
    assert townships and all("/zfxxgknb/xzjd/" in r.detail_url for r in townships)


def test_e_is_gbk_declared_gb2312_with_gbk_only_characters(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_legacy")
    page = get(p.base + "/xxgk/index.asp")
    assert page.headers["Content-Type"] == "text/html; charset=gb2312"
    assert b'charset=gb2312"' in page.body
    text = page.body.decode("gb18030")
    assert "喆堃" in text  # not in GB2312: a strict gb2312 decoder fails here
    try:
        page.body.decode("gb2312")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("page should not be decodable as strict gb2312")


def test_e_query_string_pages_and_sibling_host_attachments(demo_farm: Farm, get) -> None:
    p = demo_farm.portal("sim_legacy")
    first = get(p.column_href).body.decode("gb18030")
    total_pages = int(re.search(r"第1/(\d+)页", first).group(1))
    assert total_pages >= 2 and "list.asp?cid=12&page=2" in first
    seen = set()
    for n in range(1, total_pages + 1):
        text = get(f"{p.column_href}&page={n}").body.decode("gb18030")
        seen |= set(re.findall(r"show\.asp\?id=(\d+)", text))
    truth = demo_farm.truth.for_portal("sim_legacy")
    assert {r.detail_url.rsplit("=", 1)[1] for r in truth.reports} <= seen
    for r in truth.reports:
        assert r.format in ("doc", "wps", "pdf")
        assert all(u.startswith(f"http://{p.files_address}:") for u in r.attachment_urls)
    # the main host does not serve the sibling host's files
    some = truth.reports[0].attachment_urls[0]
    assert get(some.replace(p.files_address, p.address)).status == 404
