"""The legacy statistics appendix (§2.3) from flattened text."""

from __future__ import annotations

from parsers.document import Document
from parsers.tables import extract_tables
from parsers.tables.legacy import indicator_name

PINGTAN_STYLE = """五、政府信息公开工作存在的主要问题及改进情况
主要问题是信息更新不及时。
六、政府信息公开情况统计表
指标名称\t计量单位\t2018年度\t历年累计
一、主动公开情况\t\t\t
（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）\t条\t9874\t61235
其中：主动公开规范性文件数\t件\t48\t512
二、依申请公开情况\t\t\t
（一）收到申请数\t件\t36\t287
（二）申请答复数\t件\t36\t287
1．同意公开答复数\t件\t21\t183
2．同意部分公开答复数\t件\t4\t31
3．不同意公开答复数\t件\t2\t/
三、行政复议数量\t件\t1\t6
四、行政诉讼数量\t件\t0\t2
五、依申请公开信息收取的费用\t万元\t0\t0.0125

平潭综合实验区党政办公室
"""


def test_pingtan_style_appendix() -> None:
    result = extract_tables(Document(format="txt", text=PINGTAN_STYLE))
    assert result.template is None and result.cells == {} and result.findings == []
    assert result.legacy == {
        "proactive_total": 9874,
        "proactive_total_cumulative": 61235,
        "主动公开规范性文件数": 48,
        "主动公开规范性文件数_cumulative": 512,
        "requests_total": 36,
        "requests_total_cumulative": 287,
        "replies_total": 36,
        "replies_total_cumulative": 287,
        "replies_granted": 21,
        "replies_granted_cumulative": 183,
        "replies_partial": 4,
        "replies_partial_cumulative": 31,
        "replies_denied": 2,
        "replies_denied_cumulative": None,
        "review_total": 1,
        "review_total_cumulative": 6,
        "litigation_total": 0,
        "litigation_total_cumulative": 2,
        "fees_amount": 0,
        "fees_amount_cumulative": "0.0125",
    }
    lines = PINGTAN_STYLE.splitlines()
    used = {lines[i] for i in result.table_lines}
    assert lines[3] in used and lines[-1] not in used  # header in, 落款 out
    assert "主要问题是信息更新不及时。" not in used


def test_three_column_appendix_without_cumulative() -> None:
    text = "统计指标\t单位\t统计数\n一、主动公开情况\t\t\n（一）主动公开政府信息数\t条\t120\n六、举报投诉数量\t件\t3\n"
    result = extract_tables(Document(format="txt", text=text))
    assert result.legacy == {"proactive_total": 120, "complaints_total": 3}


def test_indicator_names() -> None:
    assert indicator_name("（一）收到申请数") == "requests_total"
    assert indicator_name("2．政府网站公开政府信息数") == "政府网站公开政府信息数"


def test_report_without_any_table_gets_c06() -> None:
    result = extract_tables(Document(format="txt", text="一、总体情况\n本年度工作有序开展。"))
    assert result.legacy is None and result.cells == {}
    assert [f.check for f in result.findings] == ["C06"]


def test_space_separated_appendix_as_pdf_text_gives_it() -> None:
    text = "\n".join(
        [
            "六、政府信息公开情况统计表",
            "指标名称 计量单位 2018年度 历年累计",
            "一、主动公开情况",
            "（一） 主动公开政府信息数 条 9874 61235",
            "（一）收到申请数 件 36 287",
            "五、依申请公开信息收取的费用 万元 0 0.0125",
            "平潭综合实验区党政办公室",
        ]
    )
    result = extract_tables(Document(format="txt", text=text))
    assert result.legacy == {
        "proactive_total": 9874,
        "proactive_total_cumulative": 61235,
        "requests_total": 36,
        "requests_total_cumulative": 287,
        "fees_amount": 0,
        "fees_amount_cumulative": "0.0125",
    }
    assert result.table_lines == {1, 2, 3, 4, 5}


def test_label_header_test_skips_only_cells_that_cannot_be_header_words() -> None:
    """_is_label_header leaves narrative and figures unnormalised: it must still say what
    normalize(cell) in label_headers says, for header words however printed and for the rest."""
    from govreports import spec
    from parsers.tables.legacy import _is_label_header
    from parsers.tables.normalize import normalize

    headers = spec.labels()["tables"]["legacy"]["label_headers"]
    cells = [
        *headers,
        *(f" {h} " for h in headers),
        *(f"{h}（单位）" for h in headers),
        *(h[:-1] for h in headers),
    ]
    cells += [
        "指 标",
        "项目名称",
        "1、指标",
        "12指标",
        "2018年度",
        "主动公开政府信息数",
        "指标名称\u3000",
        "“项目”",
    ]
    cells += ["本报告根据条例编制。", "2023年，本机关共收到申请9件。", "三、指标", "0", "", "项目"]
    for cell in cells:
        assert _is_label_header.__wrapped__(cell) == (normalize(cell) in headers), cell
    assert any(_is_label_header.__wrapped__(c) for c in cells)
