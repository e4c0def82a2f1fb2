"""Style modules on saved pages: detection order (portals.md §2 step 3) and listings."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from scrapy import Request
from scrapy_responses import make_response

from crawler import styles
from crawler.pages import Entry

HOST = "http://127.0.0.11"


def split(outputs):
    entries = [o for o in outputs if isinstance(o, Entry)]
    requests = [o for o in outputs if isinstance(o, Request)]
    return entries, requests


def test_detection_order(page) -> None:
    cases = {
        "gkmlpt_index.html": ("gkmlpt", f"{HOST}/gkmlpt/index"),
        "jpaas_column.html": ("jpaas", f"{HOST}/col/col1229000001/index.html"),
        "hanweb_column.html": ("hanweb", f"{HOST}/col/col1229000001/index.html"),
        "trs_list.html": ("trs", f"{HOST}/zwgk/zfxxgk/zfxxgknb/index.shtml"),
        "trs_list_inline.html": ("trs", f"{HOST}/zfxxgknb/list.htm"),
        "gbk_legacy_list.html": ("generic", f"{HOST}/xxgk/list.asp?cid=12"),
    }
    for name, (expected, url) in cases.items():
        assert styles.detect(page(name, url)).name == expected, name


def test_every_style_has_the_same_interface() -> None:
    for style in styles.STYLES:
        assert callable(style.detect) and callable(style.listing) and style.name in styles.BY_NAME


def test_trs_entries_use_full_titles_and_the_js_pager(page) -> None:
    url = f"{HOST}/zwgk/zfxxgk/zfxxgknb/index.shtml"
    entries, requests = split(list(styles.BY_NAME["trs"].listing(page("trs_list.html", url))))
    titles = {e.title for e in entries}
    assert "某某镇2023年政府信息公开工作年度报告" in titles  # from title=, not the truncated text
    first = next(e for e in entries if "4123456" in e.url)
    assert first.url == f"{HOST}/zwgk/zfxxgk/zfxxgknb/202401/t20240125_4123456.html"
    assert first.date == "2024-01-25"
    # createPageHTML(3, 0, "index", "shtml"): 0-based pages index_1, index_2; index_3 covers 1-based.
    assert [r.url for r in requests] == [f"{HOST}/zwgk/zfxxgk/zfxxgknb/index_{i}.shtml" for i in (1, 2, 3)]
    assert all(r.meta["probe"] and r.meta["style"] == "trs" for r in requests)
    # Later pages do not expand the pager again.
    later = page("trs_list.html", url.replace("index.", "index_1."), meta={"page_no": 1})
    assert not split(list(styles.BY_NAME["trs"].listing(later)))[1]


def test_trs_inline_count_page(page) -> None:
    url = f"{HOST}/zfxxgknb/list.htm"
    entries, requests = split(list(styles.BY_NAME["trs"].listing(page("trs_list_inline.html", url))))
    assert entries[0].title == "某某局2021年政府信息公开工作年度报告"
    assert [r.url for r in requests] == [f"{HOST}/zfxxgknb/list_{i}.htm" for i in (1, 2, 3, 4)]


def test_hanweb_datastore_and_dataproxy_groups(page) -> None:
    url = f"{HOST}/col/col1229000001/index.html"
    entries, requests = split(list(styles.BY_NAME["hanweb"].listing(page("hanweb_column.html", url))))
    assert {e.url for e in entries} == {
        f"{HOST}/art/2024/1/16/art_1229000001_3900001.html",
        f"{HOST}/art/2024/1/10/art_1229000001_3900002.html",
    }
    # 97 records in groups of 15 × 3 = 45: 1–45, 46–90, 91–97.
    ranges = [parse_qs(urlsplit(r.url).query) for r in requests]
    assert [(q["startrecord"][0], q["endrecord"][0]) for q in ranges] == [
        ("1", "45"),
        ("46", "90"),
        ("91", "97"),
    ]
    req = requests[0]
    assert req.method == "POST" and urlsplit(req.url).path == "/module/web/jpage/dataproxy.jsp"
    body = req.body.decode()
    assert "columnid=1229000001" in body and "unitid=1234567" in body
    assert "webname=%C4%B3%C4%B3%CF%D8" in body  # GBK-encoded value not encoded twice
    assert req.meta["fallback_urls"][0].startswith(f"{HOST}/module/jslib/jquery/jpage/dataproxy.jsp?")


def test_hanweb_proxy_answer_with_split_dates(page) -> None:
    url = f"{HOST}/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    meta = {"hanweb_proxy": True, "column_url": f"{HOST}/col/col1229000001/index.html"}
    resp = page("hanweb_proxy.xml", url, meta=meta, content_type="text/xml")
    entries, requests = split(list(styles.BY_NAME["hanweb"].listing(resp)))
    assert entries[0].url == f"{HOST}/art/2023/1/12/art_1229000001_3800001.html"
    assert entries[0].date == "2023-01-12"
    assert not requests


def test_jpaas_unit_api(page) -> None:
    column = f"{HOST}/col/col1229000001/index.html"
    _, requests = split(list(styles.BY_NAME["jpaas"].listing(page("jpaas_column.html", column))))
    (req,) = requests
    q = parse_qs(urlsplit(req.url).query)
    assert urlsplit(req.url).path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert q["parseType"] == ["bulidstatic"] and q["webId"] == ["2945"] and q["tagId"] == ["当前栏目_list"]
    assert json.loads(q["paramJson"][0]) == {"pageNo": 1, "pageSize": 15}
    assert req.headers[b"Referer"] == column.encode()
    answer = page("jpaas_unit.json", req.url, meta=dict(req.meta), content_type="application/json")
    entries, more = split(list(styles.BY_NAME["jpaas"].listing(answer)))
    assert entries[0].url == f"{HOST}/col/col1229000001/art/2024/art_3f2a9c00000000000000000000000e9.html"
    assert json.loads(parse_qs(urlsplit(more[0].url).query)["paramJson"][0])["pageNo"] == 2
    # The same page again (overseas IPs get page 1 for every pageNo): stop.
    again = page("jpaas_unit.json", more[0].url, meta=dict(more[0].meta), content_type="application/json")
    assert list(styles.BY_NAME["jpaas"].listing(again)) == []
    empty_meta = dict(more[0].meta)
    empty = page("jpaas_unit.json", more[0].url, meta=empty_meta, content_type="application/json")
    empty = empty.replace(body=b'{"data": {"html": ""}}')
    assert list(styles.BY_NAME["jpaas"].listing(empty)) == []


def test_gkmlpt_tree_and_api(page) -> None:
    resp = page("gkmlpt_index.html", f"{HOST}/gkmlpt/index")
    _, requests = split(list(styles.BY_NAME["gkmlpt"].listing(resp)))
    # The report category and its township child; not 政策文件, not the 网站年度报表 decoy.
    assert [r.url for r in requests] == [
        f"{HOST}/gkmlpt/api/all/2629?page=1&sid=755041",
        f"{HOST}/gkmlpt/api/all/2630?page=1&sid=755041",
    ]
    answer = page(
        "gkmlpt_api.json", requests[0].url, meta=dict(requests[0].meta), content_type="application/json"
    )
    entries, more = split(list(styles.BY_NAME["gkmlpt"].listing(answer)))
    assert entries[0].attachments == ["http://127.0.0.14/attachment/0/88/88389/963149.pdf"]
    assert entries[0].date == "2024-01-29"
    assert entries[1].url == f"{HOST}/gkmlpt/content/9/9103/post_9103541.html"
    assert not more  # fewer than 100 articles: the last page


def test_generic_gbk_list_with_pager_and_iframe(page) -> None:
    url = f"{HOST}/xxgk/list.asp?cid=12"
    resp = page("gbk_legacy_list.html", url, content_type="text/html")  # no charset, malformed meta
    assert "石门县桃源镇" in resp.text and "镕" in resp.text
    entries, requests = split(list(styles.BY_NAME["generic"].listing(resp)))
    assert entries[0].title == "石门县桃源镇2022年政府信息公开工作年度报告"
    assert entries[0].date == "2023-01-20"
    assert "http://xxgk.shimen.gov.cn/files/2023/nb2022.wps" in {e.url for e in entries}
    urls = {r.url for r in requests}
    assert f"{HOST}/xxgk/list.asp?cid=12&page=2" in urls and f"{HOST}/xxgk/list.asp?cid=12&page=5" in urls
    assert f"{HOST}/xxgk/frame_list.asp?cid=12" in urls


def _legacy_list(rows: str, pager: str, script: str) -> bytes:
    return (
        '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
        f'<table class="list">{rows}</table><div>{pager}</div>'
        "<a href=\"javascript:window.navigate('/bsfw/')\">办事服务</a>"
        f"<script>{script}</script></body></html>"
    ).encode()


ROW = (
    '<tr><td><a href="/xxgk/show.asp?id={n}" title="某镇2023年政府信息公开工作年度报告">某镇2023年…</a></td>'
    "<td>[2024-01-1{n}]</td></tr>"
)


def test_generic_javascript_pager_builds_the_page_urls(page) -> None:

    body = _legacy_list(
        ROW.format(n=1),
        '<a href="javascript:next()">下一页</a> <a href="javascript:goPage(4)">尾页</a>',
        "var currentPage = 1; function goPage(n){ location.href = 'list.asp?cid=12&page=' + n; }"
        " function next(){ goPage(currentPage + 1); }",
    )
    resp = make_response(body, f"{HOST}/xxgk/list.asp?cid=12")
    entries, requests = split(list(styles.BY_NAME["generic"].listing(resp)))
    assert [e.url for e in entries] == [f"{HOST}/xxgk/show.asp?id=1"]
    assert {r.url for r in requests} == {f"{HOST}/xxgk/list.asp?cid=12&page={n}" for n in (2, 3, 4)}
    assert all(r.method == "GET" for r in requests)  # and not /bsfw/ from the nav bar


def test_generic_post_api_pages_and_answers(page) -> None:

    script = (
        "function next(n){ $.ajax({url: '/xxgk/listData.asp', type: 'POST', contentType: 'application/json',"
        " data: JSON.stringify({columnId: 12, pageNo: n, pageSize: 2}), success: function(d){ render(d); }}); }"
        "$(function(){ next(1); });"
    )
    resp = make_response(_legacy_list("", "", script), f"{HOST}/xxgk/list.asp?cid=12")
    entries, requests = split(list(styles.BY_NAME["generic"].listing(resp)))
    assert entries == [] and len(requests) == 1
    first = requests[0]
    assert (first.method, first.url) == ("POST", f"{HOST}/xxgk/listData.asp")
    assert json.loads(first.body) == {"columnId": 12, "pageNo": 1, "pageSize": 2}
    assert first.headers[b"Content-Type"] == b"application/json"
    assert first.headers[b"Referer"] == f"{HOST}/xxgk/list.asp?cid=12".encode()

    def answer(request: Request, rows: list[dict], total: int):
        data = {"code": 200, "data": {"total": total, "rows": rows}}
        body = json.dumps(data, ensure_ascii=False).encode()
        return make_response(body, request.url, meta=request.meta, content_type="application/json")

    rows = [
        {
            "title": "某镇2023年政府信息公开工作年度报告",
            "link": f"/xxgk/show.asp?id={n}",
            "publishDate": "2024-01-05",
        }
        for n in (1, 2)
    ]
    entries, more = split(list(styles.BY_NAME["generic"].listing(answer(first, rows, 5))))
    assert [e.url for e in entries] == [f"{HOST}/xxgk/show.asp?id=1", f"{HOST}/xxgk/show.asp?id=2"]
    assert entries[0].date == "2024-01-05"
    # total 5 at 2 a page: pages 2 and 3 at once, the last keeps asking until a page is empty
    assert [json.loads(r.body)["pageNo"] for r in more] == [2, 3]
    assert [r.meta["js_api"]["chain"] for r in more] == [False, True]
    _, after_last = split(
        list(styles.BY_NAME["generic"].listing(answer(more[1], [rows[0] | {"link": "/x?id=5"}], 5)))
    )
    assert [json.loads(r.body)["pageNo"] for r in after_last] == [4]
    empty, stop = split(list(styles.BY_NAME["generic"].listing(answer(after_last[0], [], 5))))
    assert empty == [] and stop == []
