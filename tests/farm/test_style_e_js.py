"""Style E's `javascript:` pagers (portals.md §7, §12.2): `javascript:goPage(N)` / `next()` with
the URL built in an inline script, and `javascript:next(N)` backed by a POST list API (form or
JSON body; optionally even page 1 only through the API). A plain fetch sees no page link."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from farm import Farm

PROFILE = {
    "seed": 5,
    "portals": [
        {
            "name": name,
            "style": "E",
            "years": [2018, 2024],
            "bodies": {"government": 1, "departments": 2, "townships": 0},
            "modes": {"html": 1.0},
            "pager": {"per_page": 4},
            "legacy": legacy,
        }
        for name, legacy in (
            ("e_goto", {"list": "js_goto"}),
            ("e_form", {"list": "js_next"}),
            ("e_json", {"list": "js_next", "post": "json"}),
            ("e_api", {"list": "js_next", "post": "json", "first": "api"}),
        )
    ],
}


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(PROFILE, data_dir=tmp_path_factory.mktemp("efarm")) as f:
        yield f


def _text(get, url: str) -> str:
    return get(url, browser=True).body.decode("gb18030")


def _plain_hrefs(text: str) -> set[str]:
    return {h for h in re.findall(r'href="([^"]+)"', text) if not h.startswith("javascript:")}


def test_goto_pages_only_through_the_inline_script(farm: Farm, get) -> None:
    p = farm.portal("e_goto")
    first = _text(get, p.column_href)
    assert 'href="javascript:next()"' in first and re.search(r'href="javascript:goPage\(\d+\)"', first)
    assert not any("page=" in h for h in _plain_hrefs(first))  # a plain fetch sees no page 2
    assert 'window.location.href = "list.asp?cid=12&page=" + n' in first
    assert "var currentPage = 1;" in first
    assert "countPage" not in first  # not mistaken for a TRS pager
    second = _text(get, p.column_href + "&page=2")
    ids_1 = set(re.findall(r"show\.asp\?id=(\d+)", first))
    ids_2 = set(re.findall(r"show\.asp\?id=(\d+)", second))
    assert ids_1 and ids_2 and not ids_1 & ids_2


def test_form_post_api_and_no_get_pages(farm: Farm, get) -> None:
    p = farm.portal("e_form")
    first = _text(get, p.column_href)
    assert "$.post('/xxgk/listData.asp',{cid:12,page:n}" in first and "javascript:next(2)" in first
    # `?page=2` is not a page on such a site: the same first page comes back.
    assert _text(get, p.column_href + "&page=2") == first
    api = p.base + "/xxgk/listData.asp"
    answer = json.loads(get(api, data=b"cid=12&page=2", browser=True).body.decode("gbk"))
    assert answer["list"] and answer["total"] > 4 and answer["pages"] >= 2
    assert not set(re.findall(r"show\.asp\?id=(\d+)", first)) & {r["url"] for r in answer["list"]}
    # the wrong kind of body, or a GET, is refused
    bad = get(api, data=b'{"columnId": 12, "pageNo": 2}', headers={"Content-Type": "application/json"})
    assert bad.status == 400
    assert get(api + "?cid=12&page=2").status == 405


def test_json_post_api(farm: Farm, get) -> None:
    p = farm.portal("e_json")
    first = _text(get, p.column_href)
    assert "JSON.stringify({columnId: 12, pageNo: n, pageSize: 4})" in first
    assert "contentType: 'application/json;charset=UTF-8'" in first
    api = p.base + "/xxgk/listData.asp"
    body = json.dumps({"columnId": 12, "pageNo": 2, "pageSize": 4}).encode()
    answer = json.loads(get(api, data=body, headers={"Content-Type": "application/json"}).body)
    rows = answer["data"]["rows"]
    assert answer["code"] == 200 and len(rows) == 4 and {"title", "link", "publishDate"} <= set(rows[0])
    assert get(api, data=b"cid=12&page=2").status == 400  # form body where JSON is expected


def test_api_only_list_has_no_rows_and_no_pager_in_the_html(farm: Farm, get) -> None:
    p = farm.portal("e_api")
    first = _text(get, p.column_href)
    assert "show.asp?id=" not in first and "javascript:next(" not in first
    assert "$(function(){ next(1); });" in first
    truth = farm.truth.for_portal("e_api")
    api = p.base + "/xxgk/listData.asp"
    links: set[str] = set()
    for page in range(1, 50):
        body = json.dumps({"columnId": 12, "pageNo": page, "pageSize": 4}).encode()
        rows = json.loads(get(api, data=body, headers={"Content-Type": "application/json"}).body)["data"][
            "rows"
        ]
        if not rows:
            break
        links |= {p.base + r["link"] for r in rows}
    assert truth.reports and {r.detail_url for r in truth.reports} <= links
    assert farm.truth.portals["e_api"]["legacy"] == {"list": "js_next", "post": "json", "first": "api"}


def test_unknown_legacy_list_is_refused(tmp_path) -> None:
    bad = {"seed": 1, "portals": [{"name": "e_bad", "style": "E", "legacy": {"list": "js_nope"}}]}
    with pytest.raises(ValueError, match="legacy"), Farm.start(bad, data_dir=tmp_path):
        pass
