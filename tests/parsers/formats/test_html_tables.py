"""read_grids: spans resolved, <br> joined, &nbsp; blank, nested tables kept apart."""

from __future__ import annotations

from parsers.formats.html_tables import read_grids


def test_rowspan_and_colspan_repeat_the_text() -> None:
    html = """<table>
      <tr><td colspan="3" rowspan="2">note</td><td colspan="2">申请人情况</td></tr>
      <tr><td>自然人</td><td>总计</td></tr>
      <tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">(一)予以公开</td><td>1</td><td>1</td></tr>
      <tr><td>(三)不予公开</td><td>1.属于国家秘密</td><td>0</td><td>0</td></tr>
    </table>"""
    (grid,) = read_grids(html)
    assert grid == [
        ["note", "note", "note", "申请人情况", "申请人情况"],
        ["note", "note", "note", "自然人", "总计"],
        ["三、本年度办理结果", "(一)予以公开", "(一)予以公开", "1", "1"],
        ["三、本年度办理结果", "(三)不予公开", "1.属于国家秘密", "0", "0"],
    ]


def test_br_joined_nbsp_blank_and_uncovered_positions_none() -> None:
    html = "<table><tr><td>本年新<br />制作数量</td><td>&nbsp;</td><td> 0&#8194;</td></tr><tr><td>x</td></tr></table>"
    assert read_grids(html) == [[["本年新制作数量", "", "0"], ["x", None, None]]]


def test_nested_tables_are_separate_grids() -> None:
    html = """<html><body><table><tr><td>layout
      <table><tr><td>规章</td><td>0</td></tr></table>
    </td></tr></table></body></html>"""
    grids = read_grids(html)
    assert grids == [[["layout"]], [["规章", "0"]]]


def test_bytes_with_declared_gbk_charset() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>'
    page += "<body><table><tr><td>行政许可</td><td>9</td></tr></table></body></html>"
    assert read_grids(page.encode("gbk")) == [[["行政许可", "9"]]]


def test_thead_tbody_and_th_cells() -> None:
    html = "<table><thead><tr><th>信息内容</th><th>本年处理决定数量</th></tr></thead><tbody><tr><td>行政许可</td><td>3</td></tr></tbody></table>"
    assert read_grids(html) == [[["信息内容", "本年处理决定数量"], ["行政许可", "3"]]]


def test_trees_xhtml_declarations_and_empty_input() -> None:
    from lxml import html as lxml_html

    page = '<?xml version="1.0" encoding="utf-8"?><html><body><table><tr><td>规章</td></tr></table></body></html>'
    assert read_grids(page) == [[["规章"]]]
    assert read_grids(lxml_html.fromstring(page.split("?>", 1)[1])) == [[["规章"]]]
    assert read_grids("") == [] and read_grids("   ") == []


def test_cells_stripped_of_every_blank_str_strip_knows() -> None:
    # Cells are stripped on the whole flattened string; a blank the collapse leaves alone
    # (U+2028, U+1680, U+2029) takes the slower way there, with the same result as str.strip().
    plain = "<table><tr><td> 甲 </td><td><p>乙</p></td><td rowspan='2'>\n丙\n</td></tr><tr><td>丁</td></tr></table>"
    odd = plain.replace(" 甲 ", "&#x2028;甲&#x1680;").replace("丁", "&#x2029;丁 ")
    expected = [["甲", "乙", "丙"], ["丁", None, "丙"]]
    assert read_grids(plain) == read_grids(odd) == [expected]


def test_zero_width_space_counts_as_blank_in_cells() -> None:
    # U+200B is no blank to str.split() but the cell collapse treats it as one
    html = "<table><tr><td>&#x200b;本年&#x200b;&#x200b;新增&#x200b;</td><td> 1 </td></tr></table>"
    assert read_grids(html) == [[["本年 新增", "1"]]]
