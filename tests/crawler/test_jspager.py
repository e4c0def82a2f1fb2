"""`javascript:` pagers (crawler.styles.jspager): what a pager call does, read from the page's
inline scripts — a page URL, or a POST to a list API with the body the script builds."""

from __future__ import annotations

import json

import pytest

from crawler.styles import jspager

GOTO = """var currentPage = 2;//当前页
var pageCount = 5;
function goPage(n){ if (n < 1 || n > pageCount) { return; }
  window.location.href = "list.asp?cid=12&page=" + n; }
function next(){ goPage(currentPage + 1); }"""


def test_url_built_in_the_script_and_next_through_another_function() -> None:
    program = jspager.read_program([GOTO])
    assert program.globals == {"currentPage": 2, "pageCount": 5}
    nav, leaf, args = jspager.resolve(program, "next", [])
    assert (nav, leaf, args) == (jspager.Nav("GET", "list.asp?cid=12&page=3"), "goPage", [3])
    assert jspager.resolve(program, "goPage", [5])[0].url == "list.asp?cid=12&page=5"


@pytest.mark.parametrize(
    ("script", "url", "body", "ctype"),
    [
        (
            "function next(n){$.post('/list.asp',{cid:12,page:n},function(d){render(d.list);},'json');}",
            "/list.asp",
            "cid=12&page=3",
            "application/x-www-form-urlencoded; charset=UTF-8",
        ),
        (
            "function next(n){ $.ajax({url: '/api/list', type: 'POST', contentType: 'application/json',"
            " data: JSON.stringify({columnId: 7, pageNo: n, pageSize: 15}),"
            " success: function(d){ render(d.data.rows); }}); }",
            "/api/list",
            json.dumps({"columnId": 7, "pageNo": 3, "pageSize": 15}, separators=(",", ":")),
            "application/json",
        ),
        (
            "var base = '/loadData?pageSize=15';\n"
            "function load(p){ var body = 'pageIndex=' + p; fetch(base, {method: 'POST',"
            " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: body}); }",
            "/loadData?pageSize=15",
            "pageIndex=3",
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_list_api_posts(script: str, url: str, body: str, ctype: str) -> None:
    program = jspager.read_program([script])
    name = next(iter(program.functions))
    nav, leaf, args = jspager.resolve(program, name, [3])
    assert nav == jspager.Nav("POST", url, body, ctype) and leaf == name and args == [3]


def test_unreadable_effects_are_skipped_not_guessed() -> None:
    program = jspager.read_program(
        [
            "function go(n){ location.href = document.getElementById('u').value + n; }",
            "function show(){ $('#more').toggle(); }",
        ]
    )
    assert jspager.resolve(program, "go", [2]) is None  # needs the DOM
    assert jspager.resolve(program, "show", []) is None  # navigates nowhere
    assert jspager.resolve(program, "missing", [1]) is None


def test_calls_found_in_links_and_on_load() -> None:
    script = "function next(n){ $.post('/l', {page: n}); }\n$(function(){ next(1); });"
    program = jspager.read_program([script])
    assert list(jspager.calls(program, [script])) == [("next", [1])]
    assert jspager.parse_call("javascript:goPage(3);") == ("goPage", "3")
    assert jspager.parse_call("javascript:next()") == ("next", "")
    assert jspager.parse_call("/list.asp?page=2") is None
