"""HTML reader: decoding, main text without tables, grids, page metadata in its many shapes, gkmlpt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers.formats import html as reader
from parsers.formats.html import gkmlpt_detail, read

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
BODY = (
    "<h1>某某镇2023年政府信息公开工作年度报告</h1>"
    "<p>一、总体情况</p><p>2023年，某某镇坚持以公开为常态、不公开为例外，持续推进政务公开工作，"
    "主动公开政府信息一百余条，依申请公开工作规范有序，政府信息管理制度健全，网站平台运行平稳，监督保障有力。</p>"
    "<p>二、主动公开政府信息情况</p>"
    "<table><tr><td colspan='4'>第二十条第（一）项</td></tr>"
    "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
    "<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
    "<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>12</td></tr></table>"
    "<p>六、其他需要报告的事项</p><p>本机关2023年度未收取信息处理费。</p>"
)


def page(head: str = "", before: str = "", body: str = BODY, charset_meta: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{charset_meta}<title>某某镇2023年政府信息公开工作年度报告_某某县人民政府</title>"
        f"{head}</head><body><div class='nav'><a href='/'>首页</a></div>{before}"
        f"<div id='zoom'>{body}</div><div class='footer'>网站标识码：3301230001</div></body></html>"
    )


# ---- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset_meta", "encoding"),
    [
        ('<meta charset="utf-8">', "utf-8"),
        ("", "utf-8"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
        ('<meta httpequiv="ContentType" content="text/html; charset=gbk">', "gbk"),
        ('<meta charset="gbk">', "gb18030"),
        # declared UTF-8 but GBK bytes: must not become mojibake
        ('<meta charset="utf-8">', "gbk"),
        # declared GBK but UTF-8 bytes
        ('<meta charset="gbk">', "utf-8"),
    ],
)
def test_decoding(charset_meta: str, encoding: str) -> None:
    doc = read(page(charset_meta=charset_meta).encode(encoding))
    assert "某某镇坚持以公开为常态" in doc.text
    assert doc.meta.title == "某某镇2023年政府信息公开工作年度报告"


def test_gbk_only_character_in_gb2312_labelled_page() -> None:
    body = BODY.replace("某某镇坚持", "镕基镇坚持")  # 镕 is GBK, not GB2312
    data = page(charset_meta='<meta charset="gb2312">', body=body).encode("gbk")
    assert "镕基镇坚持" in read(data).text


def test_bom_and_header_charset() -> None:
    assert "某某镇坚持" in read(b"\xef\xbb\xbf" + page().encode("utf-8")).text
    data = page().encode("gbk")
    assert "某某镇坚持" in read(data, headers={"Content-Type": "text/html; charset=GBK"}).text
    assert "某某镇坚持" in read(data, headers={"content-type": "text/html; charset=ISO-8859-1"}).text


# ---- text and tables -----------------------------------------------------------------------


def test_tables_are_grids_not_text() -> None:
    doc = read(page().encode())
    assert doc.format == "html"
    assert "本年制发件数" not in doc.text and "行政规范性文件" not in doc.text
    assert doc.tables and doc.tables[0][3] == ["行政规范性文件", "3", "1", "12"]
    assert "六、其他需要报告的事项" in doc.text
    assert "首页" not in doc.text and "网站标识码" not in doc.text


def test_table_layout_page_falls_back_to_body_text() -> None:
    layout = f"<table><tr><td class='left'>导航</td><td>{BODY}</td></tr></table>"
    doc = read(page(body=layout).encode())
    assert "某某镇坚持以公开为常态" in doc.text
    assert "本年制发件数" not in doc.text  # the data table stays out of the text


# ---- page metadata -------------------------------------------------------------------------


def test_meta_tags_win() -> None:
    head = (
        '<meta name="ArticleTitle" content="某某镇2023年政府信息公开工作年度报告">'
        '<meta name="PubDate" content="2024-01-25 09:30">'
        '<meta name="ColumnName" content="政府信息公开年报">'
        '<meta name="SiteName" content="某某县人民政府">'
    )
    meta = read(page(head=head).encode()).meta
    assert meta.title == "某某镇2023年政府信息公开工作年度报告"
    assert meta.published == "2024-01-25 09:30"
    assert meta.column == "政府信息公开年报"


def test_title_minus_site_suffix() -> None:
    html = page().replace("<title>某某镇2023年", "<title>某某县人民政府 - 某某镇2023年")
    assert read(html.encode()).meta.title == "某某镇2023年政府信息公开工作年度报告"


METADATA_SHAPES = {
    "label cells": (
        "<table class='xxgk_table'>"
        "<tr><td>索 引 号：</td><td>11330123MB1234567X/2024-00012</td><td>主题分类：</td><td>政务公开</td></tr>"
        "<tr><td>发布机构：</td><td>某某镇人民政府</td><td>成文日期：</td><td>2024-01-16</td></tr>"
        "<tr><td>生成日期：</td><td>2024-01-11</td><td>公开日期：</td><td>2024-01-18</td></tr>"
        "<tr><td>文　　号：</td><td>—&nbsp;&nbsp;—</td></tr></table>"
    ),
    "bold labels": (
        "<table><tr><td><b>索引号：</b></td><td>11330123MB1234567X/2024-00012</td>"
        "<td><b>发文机关：</b></td><td>某某镇人民政府</td></tr>"
        "<tr><td><b>生成日期：</b></td><td>2024-01-11</td><td><b>成文日期：</b></td><td>2024年01月16日</td></tr>"
        "<tr><td><b>发布日期：</b></td><td>2024年01月18日</td></tr></table>"
    ),
    "dl": (
        "<dl><dt>索　引　号</dt><dd>11330123MB1234567X/2024-00012</dd><dt>发布机构</dt><dd>某某镇人民政府</dd>"
        "<dt>生成日期</dt><dd>2024-01-11</dd><dt>发文日期</dt><dd>2024-01-16</dd><dt>公开日期</dt><dd>2024-01-18</dd></dl>"
    ),
    "li span": (
        "<ul><li><span>索引号</span>：11330123MB1234567X/2024-00012</li><li><span>发布机构</span>：某某镇人民政府</li>"
        "<li><span>生成日期</span>：2024-01-11</li><li><span>成文日期</span>：2024-01-16</li>"
        "<li><span>发布时间</span>：2024-01-18 10:20</li></ul>"
    ),
    "text run": (
        "<div class='xxgk'>索 引 号 11330123MB1234567X/2024-00012 公开方式 主动公开 生成日期 2024-01-11 "
        "成文日期 2024-01-16 发布机构 某某镇人民政府 组配分类 政府信息公开年报 公开日期 2024-01-18</div>"
    ),
    "wuxi comments": (
        "<table><tr><td>索引号：</td><td><!--<$[SYH]>-->11330123MB1234567X/2024-00012<!--<$[SYH]>--></td></tr>"
        "<tr><td>发布机构：</td><td><!--<$[FBJG]>-->某某镇人民政府<!--<$[FBJG]>--></td></tr>"
        "<tr><td>生成日期：</td><td>2024-01-11</td></tr><tr><td>成文日期：</td><td>2024-01-16</td></tr>"
        "<tr><td>公开日期：</td><td>2024-01-18</td></tr></table>"
    ),
}


@pytest.mark.parametrize("shape", sorted(METADATA_SHAPES))
def test_metadata_block_shapes(shape: str) -> None:
    doc = read(page(before=METADATA_SHAPES[shape]).encode("utf-8"))
    meta = doc.meta
    assert meta.index_no == "11330123MB1234567X/2024-00012"
    assert meta.publisher == "某某镇人民政府"
    from parsers.metadata import parse_date

    assert parse_date(meta.written) == "2024-01-16"
    assert parse_date(meta.published) == "2024-01-18"  # never 生成日期


def test_release_line_in_page() -> None:
    before = "<div class='info'><span>发布时间: 2024-01-30 22:06</span> <span>字体:[大 中 小]</span></div>"
    assert read(page(before=before).encode()).meta.published == "2024-01-30"


# ---- gkmlpt ----------------------------------------------------------------------------------


def test_gkmlpt_detail_js_string() -> None:
    body = BODY + '<p>含有"引号"与\\反斜杠和</script>的正文</p>'
    literal = json.dumps(body)  # \" \\ \u escapes of a JSON-escaped string
    html = (
        "<html><head><title>某某区2023年政府信息公开工作年度报告</title></head><body>"
        "<div id='app'><div class='content'></div></div>"
        f"<script>window._CONFIG = {{SID: '755041'}}; window._CONFIG.DETAIL = {literal};</script></body></html>"
    ).replace("</script>的", "<\\/script>的")
    assert gkmlpt_detail(html) is not None
    doc = read(html.encode())
    assert "某某镇坚持以公开为常态" in doc.text
    assert doc.tables and doc.tables[0][3][0] == "行政规范性文件"


def test_js_unescape_forms() -> None:
    assert reader._js_unescape(r"a\u4e2d\x41\n\'\"\\\/") == "a中A\n'\"\\/"
    assert reader._js_unescape(r"\ud83d\ude00") == "😀"


# ---- pages without a report --------------------------------------------------------------------


def test_page_without_report_reads() -> None:
    html = "<html><head><title>首页_某某县人民政府</title></head><body><p>欢迎访问</p></body></html>"
    doc = read(html.encode())
    assert doc.tables == [] and doc.meta.title == "首页"


def test_seed_rendered_as_plain_paragraphs_keeps_every_line() -> None:
    text = (SEEDS / "003_43ba7708f24f8057.txt").read_text(encoding="utf-8")
    paras = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip() and "\t" not in line)
    doc = read(page(body=paras).encode())
    assert "截止目前，暂无其他需要报告的事项。" in doc.text


def test_deeply_nested_page_keeps_its_text() -> None:
    # libxml2 drops content nested deeper than 256 elements unless huge_tree is on
    nested = "<div>" * 400 + BODY + "</div>" * 400
    doc = read(page(body=nested).encode())
    assert "某某镇坚持以公开为常态" in doc.text and doc.tables


def test_walk_fallback_matches_xslt_text() -> None:
    root = reader._parse(
        "<html><body><div><p>甲<b>乙</b></p>丙<table><tr><td>1</td></tr></table>丁<br>戊</div></body></html>"
    )
    body = root.find(".//body")
    expected = reader.text_lines(body)
    walked = reader._walk_text(body)
    assert expected == "甲乙\n丙丁\n戊"
    assert (
        reader._line_edges(reader._WS_RUN.sub(" ", walked).replace(reader._BREAK, "\n")).strip() == expected
    )


def test_title_from_page_heading_when_no_article_title_meta() -> None:
    html = page().replace(
        "<title>某某镇2023年政府信息公开工作年度报告_某某县人民政府</title>", "<title>详情页</title>"
    )
    html = html.replace(
        "<div id='zoom'><h1>某某镇2023年政府信息公开工作年度报告</h1>",
        "<h1>某某镇2023年政府信息公开工作年度报告</h1><div id='zoom'>",
    )
    html = html.replace("<div class='nav'>", "<h1>某某县人民政府</h1><div class='nav'>")
    doc = read(html.encode())
    assert "某某镇2023年政府信息公开工作年度报告" not in doc.text
    assert doc.meta.title == "某某镇2023年政府信息公开工作年度报告"


def test_pages_without_government_meta_tags_get_markup_metadata_from_trafilatura() -> None:
    # A repost on a CMS that only writes Open Graph tags: no ArticleTitle, no PubDate.
    paragraph = "<p>2023年，本镇认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息。</p>"
    page = (
        '<html><head><meta property="og:title" content="某某镇2023年政府信息公开工作年度报告">'
        '<meta property="article:published_time" content="2024-01-25"></head>'
        f'<body><div class="nav">首页</div><article><p>一、总体情况</p>{paragraph * 8}</article></body></html>'
    )
    doc = read(page.encode("utf-8"))
    assert doc.meta.title == "某某镇2023年政府信息公开工作年度报告"
    assert doc.meta.published == "2024-01-25"
    assert "总体情况" in doc.text


def test_no_date_is_guessed_when_the_markup_declares_none() -> None:
    page = "<html><body><div><p>本页面于2024年1月25日更新。</p><p>联系电话：0577-62180500</p></div></body></html>"
    doc = read(page.encode("utf-8"))
    assert doc.meta.published is None


def test_grid_lines_name_the_text_lines_of_tables_kept_in_the_text() -> None:
    # a <p> in a cell makes the reader keep the table's text (it may be page layout) as well as
    # its grid; the reader says which lines those are, counting tables outside the content too
    before = "<table><tr><td>站内搜索</td></tr></table><table></table>"
    celled = BODY.replace("<td>规章</td>", "<td><p>规章</p></td>")
    doc = read(page(before=before, body="<p>前言</p><table><tr><td>甲</td></tr></table>" + celled).encode())
    lines = doc.text.splitlines()
    assert doc.grid_lines is not None and len(doc.grid_lines) == len(doc.tables) == 3
    assert doc.grid_lines[0] is None and doc.grid_lines[1] is None  # outside the content / a data table
    first, last = doc.grid_lines[2]
    assert lines[first] == "第二十条第（一）项" and lines[last] == "12"
    assert lines[first - 1] == "二、主动公开政府信息情况" and lines[last + 1] == "六、其他需要报告的事项"


def test_one_pass_gives_the_separate_passes_results() -> None:
    from parsers.formats.html_tables import numbered_grids

    celled = BODY.replace("<td>规章</td>", "<td><p>规章</p></td>")
    root = reader._parse(page(before="<table><tr><td>站内搜索</td></tr></table>", body=celled))
    content = reader.content_root(root.find(".//body"))
    grids, ordinals, text, spans = reader.grids_and_text(root, content)
    assert (grids, ordinals) == numbered_grids(root)
    assert (text, spans) == reader.text_lines_with_tables(content)
    assert spans and list(content.attrib) == ["id"]  # the pass leaves no mark behind


@pytest.mark.parametrize("minified", [False, True])
def test_content_root_cuts_out_the_same_text_it_would_serialise(minified: bool) -> None:
    # Each step cuts one child's text out of its parent's instead of serialising it again, and
    # stops measuring children once the rest cannot reach the share; with comments kept (a tree
    # not read by _parse) every child is measured. All three ways must pick the same element.
    import lxml.html

    sep = "" if minified else "\n"
    body = sep.join(
        [
            "<div class='header'>首页 政务公开</div>",
            "<div class='wrap'><div class='position'>当前位置</div>",
            "<div class='main'><h2>标题</h2>",
            f"<div class='content'>{sep.join(['<p>第' + str(n) + '段，正文内容。</p>' for n in range(12)])}</div>",
            "</div></div><script>var x = '很长的脚本文字很长的脚本文字很长的脚本文字';</script>",
            "<div class='footer'>网站标识码</div>",
        ]
    )
    html = f"<html><body>{body}</body></html>"
    steps: list[tuple[object, str]] = []
    original = reader._checked_step

    def checked(best: object, best_text: str) -> object:
        steps.append((best, best_text))
        return original(best, best_text)  # type: ignore[arg-type]

    reader._checked_step = checked  # type: ignore[assignment]
    try:
        parsed = reader.content_root(reader._parse(html).find(".//body"))
        commented = reader.content_root(
            lxml.html.document_fromstring(html.replace("<h2>", "<!-- c --><h2>")).find(".//body")
        )
    finally:
        reader._checked_step = original  # type: ignore[assignment]
    assert parsed.get("class") == commented.get("class") == "content"
    assert steps and all(text == reader.text_of(el) for el, text in steps)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "marked",
    [
        "前言\n\ufdd40\n甲\n乙\n\ufdd50\n后记",
        "\ufdd41\n甲\n\ufdd51",  # marks opening and closing the text
        "前言\n\ufdd42\n\ufdd52\n后记",  # a table without text: no span
        "前\u2028言\n\ufdd40\n甲\n\ufdd50",  # a line break splitlines() knows besides \n
        "前言\ufdd40\n甲\n\ufdd50",  # a mark character inside a line is text
    ],
)
def test_table_marks_found_by_regex_match_the_line_by_line_reading(marked: str) -> None:
    assert reader._split_table_marks(marked, 3) == reader._split_table_mark_lines(marked, 3)


def test_table_marks_name_the_lines_between_them() -> None:
    marked = "前言\n\ufdd40\n甲\n乙\n\ufdd50\n后记\n\ufdd41\n\ufdd51"
    assert reader._split_table_marks(marked, 3) == ("前言\n甲\n乙\n后记", {3: (1, 2)})


def test_one_pass_finds_the_content_below_a_prefixed_word_tag() -> None:
    # The content element is passed to the stylesheet as its path; "o:p" is no plain XPath name,
    # so such a path falls back to marking the element, with the same result and no mark left.
    celled = BODY.replace("<td>规章</td>", "<td><p>规章</p></td>")
    html = page(body=f"<o:p><div id='inner'>{celled}</div></o:p>")
    root = reader._parse(html)
    content = root.find(".//div[@id='inner']")
    assert ":" in root.getroottree().getpath(content)
    from parsers.formats.html_tables import numbered_grids

    grids, ordinals, text, spans = reader.grids_and_text(root, content)
    assert (grids, ordinals) == numbered_grids(root)
    assert (text, spans) == reader.text_lines_with_tables(content) and spans
    assert list(content.attrib) == ["id"]
