"""render_html pages read back through read_grids + extract_tables give the record's cells."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from farm import renderers
from farm.corpus import load_base_records
from farm.render.html_report import article_html, render_html
from parsers.document import Document
from parsers.formats.html_tables import read_grids
from parsers.tables import extract_tables, identity_findings

RECORDS = load_base_records()
IDS = sorted(RECORDS)


def _read(page: bytes) -> Any:
    return extract_tables(Document(format="html", text="", tables=read_grids(page)))


def test_corpus_has_the_seeds_and_the_hand_built_records() -> None:
    templates = {r["template"] for r in RECORDS.values()}
    assert templates == {"v2021", "v2019", "legacy"}
    assert sum(rid[:3].isdigit() for rid in IDS) == 5
    for record in RECORDS.values():
        assert {
            "title",
            "agency",
            "year",
            "template",
            "body_kind",
            "dates",
            "cells",
            "sections",
            "legacy",
        } <= set(record)
        assert isinstance(record["expected_findings"], list) and record["notes"]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("style", ["one", "four"])
@pytest.mark.parametrize("rid", IDS)
def test_round_trip_gives_the_cells(rid: str, style: str, encoding: str) -> None:
    record = RECORDS[rid]
    result = _read(render_html(record, encoding=encoding, table2_style=style))
    assert result.cells == record["cells"]
    assert result.template == (None if record["template"] == "legacy" else record["template"])
    assert result.legacy == record["legacy"]
    # table-level findings are exactly those the record expects (seed 000: C06, seed 004: C24)
    table_checks = {f.check for f in result.findings}
    assert table_checks == set(record["expected_findings"]) & {"C06", "C07", "C12", "C24"}


@pytest.mark.parametrize("rid", [rid for rid in IDS if RECORDS[rid]["template"] != "legacy"])
def test_blank_zeros_are_null_with_c07_never_zero(rid: str) -> None:
    record = RECORDS[rid]
    result = _read(render_html(record, table2_style="one", blank_zeros=True))
    zeros = {k for k, v in record["cells"].items() if v in (0, "0")}
    assert zeros
    for key, value in record["cells"].items():
        assert result.cells[key] == (None if key in zeros else value)
    blanked = {k for f in result.findings if f.check == "C07" for k in f.keys}
    assert {f.check for f in result.findings} <= {"C06", "C07", "C24"}
    assert blanked == zeros
    # identities with a null cell are not evaluated: no spurious C08–C11 from the blanks
    expected = {f.check for f in identity_findings(record["cells"], record["template"])}
    assert {f.check for f in identity_findings(result.cells, record["template"])} <= expected


def test_declared_charset_matches_the_encoding() -> None:
    record = RECORDS["pingtan-2023"]
    utf8 = render_html(record)
    gbk = render_html(record, encoding="gbk")
    assert b"charset=utf-8" in utf8 and b"charset=gbk" in gbk
    assert gbk.decode("gbk") == utf8.decode("utf-8").replace("charset=utf-8", "charset=gbk")
    with pytest.raises(ValueError):
        render_html(record, encoding="latin-1")


@pytest.mark.parametrize(("rid", "rowspan"), [("pingtan-2023", 22), ("pingtan-2020", 20)])
def test_template_spans(rid: str, rowspan: int) -> None:
    page = render_html(RECORDS[rid]).decode()
    assert re.search(rf'rowspan="{rowspan}"[^>]*><p>三、本年度办理结果', page)
    assert re.search(r'rowspan="3" colspan="3"[^>]*><p>（本列数据的勾稽关系为', page)
    assert re.search(r'colspan="5"[^>]*><p>行政复议', page)
    assert re.search(r'colspan="10"[^>]*><p>行政诉讼', page)


def test_page_metadata_and_sections() -> None:
    record = RECORDS["pingtan-2023"]
    page = render_html(record, title_suffix="（更新）").decode()
    title = record["title"] + "（更新）"
    assert f'<meta name="ArticleTitle" content="{title}">' in page
    assert '<meta name="PubDate" content="2024-03-08 09:30">' in page
    assert "发布机构：" in page and "发文日期：" in page and "索&nbsp;引&nbsp;号：" in page
    assert 'class="TRS_Editor"' in page
    positions = [
        page.index(h)
        for h in (
            "一、总体情况",
            "二、主动公开",
            "三、收到和处理",
            "四、政府信息公开行政复议",
            "五、存在",
            "六、其他",
        )
    ]
    assert positions == sorted(positions)
    assert "现行有效行政规范性文件393件" in page


def test_table2_one_or_four_tables() -> None:
    record = RECORDS["004_cad4fa3e014eb2f3"]
    one = read_grids(render_html(record, table2_style="one"))
    four = read_grids(render_html(record, table2_style="four"))
    assert len(four) == len(one) + 3  # metadata table, table 2 as 1 or 4 grids, tables 3 and 4


def test_v2019_signed_and_money_cells_as_printed() -> None:
    page = render_html(RECORDS["pingtan-2020"]).decode()
    assert ">-18<" in page and ">-15<" in page and ">75394432.52元<" in page


def test_legacy_appendix_table() -> None:
    record = RECORDS["pingtan-2018"]
    page = render_html(record).decode()
    assert "六、政府信息公开情况统计表" in page
    (grid,) = [g for g in read_grids(page) if g and g[0][0] == "指标名称"]
    assert grid[0] == ["指标名称", "计量单位", "2018年度", "历年累计"]
    result = _read(page.encode())
    assert result.legacy == record["legacy"] and result.cells == {}
    assert result.legacy["fees_amount_cumulative"] == "0.0125"


def test_printed_label_variants_are_rendered() -> None:
    page = render_html(RECORDS["004_cad4fa3e014eb2f3"]).decode()
    assert "<p>本年度止件数</p>" in page and "<p>本年废止件数</p>" not in page


def _article_of(page: str) -> str:
    """The article render_html publishes: what its div.TRS_Editor holds, before the footer."""
    start = page.index('<div class="TRS_Editor">') + len('<div class="TRS_Editor">')
    return renderers._without_trailing_divs(page[start : page.rindex('<div class="footer">')])


@pytest.mark.parametrize("rid", IDS)
def test_article_html_is_what_the_page_wraps(rid: str) -> None:
    # the farm's detail pages embed article_html; it must be the article render_html publishes
    record = RECORDS[rid]
    assert _article_of(render_html(record).decode()) == renderers.report_fragment(record)
    assert article_html(record) in render_html(record).decode()


def test_value_cells_are_filled_per_record() -> None:
    # the tables are built once per template: the values must still be each record's own
    record = copy.deepcopy(next(r for r in RECORDS.values() if r["template"] == "v2021"))
    keys = [k for k in record["cells"] if k.startswith("applications.")]
    record["cells"][keys[0]] = "<7>"
    record["cells"][keys[1]] = None
    record["cells"][keys[2]] = 0
    page = render_html(record, blank_zeros=True).decode()
    assert ">&lt;7&gt;<" in page and "<7>" not in page
    zeros_shown = render_html(record).decode()
    assert zeros_shown.count(">0<") > page.count(">0<")
    other = copy.deepcopy(record)
    other["cells"][keys[0]] = 123456789
    assert ">123456789<" in render_html(other).decode() and ">123456789<" not in page
