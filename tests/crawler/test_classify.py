"""Title, column and page classification (portals.md §1.2, §1.4, §2): word lists from labels.yaml."""

from __future__ import annotations

import pytest

from crawler import classify


@pytest.mark.parametrize(
    "title",
    [
        "某某镇2023年政府信息公开工作年度报告",
        "2023年某某县民政局政府信息公开工作年度报告",
        "某某县人民政府2022年度政府信息公开工作年度报告",
        "某某县2021年政府信息公开年度报告",
        "平潭综合实验区地方税务局2013年信息公开年度报告",
        "宿州市人民政府2019年政府信息公开工作年度报告（图片版）",
        "某某县2018年政府信息公开工作年报",
        "某 某 镇 2023 年 政府信息公开工作年度报告",
        "某某县二〇二三年政府信息公开工作年度报告",
    ],
)
def test_report_titles_are_accepted(title: str) -> None:
    assert classify.classify_title(title).kind == "report"


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("关于《某某县2023年政府信息公开工作年度报告》的解读", "解读"),
        ("一图读懂某某县2023年政府信息公开工作年度报告", "一图读懂"),
        ("某某县政府网站工作年度报表（2023年度）", "网站"),
        ("某某县2023年政府工作报告", "政府工作报告"),
        ("关于2014年政府信息公开工作要点落实情况的函", "要点"),
        ("图解：某某县2023年政府信息公开工作年度报告", "图解"),
    ],
)
def test_decoys_are_rejected_with_their_word(title: str, word: str) -> None:
    verdict = classify.classify_title(title)
    assert verdict.kind == "decoy"
    assert word in verdict.reason


def test_news_is_not_a_report_and_truncated_titles_wait_for_the_page() -> None:
    assert classify.classify_title("某某县召开2020年度工作会").kind == "other"
    assert classify.classify_title("某某镇2023年政府信息公开工…").kind == "maybe"
    assert classify.classify_title("某某县法治政府建设年度报告").kind == "maybe"
    assert not classify.classify_title("某某县法治政府建设年度报告").accepted


def test_template_markers() -> None:
    assert classify.has_template_markers("注：本列数据的勾稽关系为……")
    assert classify.has_template_markers("第二十条第(一)项")
    assert not classify.has_template_markers("一、总体情况")


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("政府信息公开年报", "http://x.gov.cn/zwgk/abc/", True),
        ("年报", "http://x.gov.cn/zwgk/abc/", True),
        ("工作报表", "http://szyyj.gd.gov.cn/zwgk/xxgknb/", True),  # slug wins over the nav label
        ("", "http://x.gov.cn/zfxxgk/zfxxgknb_184382/", True),
        ("", "http://x.gov.cn/zfxxgknb/gknb2017/", True),
        ("", "http://x.gov.cn/gkmlpt/annualreport", True),
        ("政府网站工作年度报表", "http://x.gov.cn/zfxxgk/wzndbb/", False),
        ("网站年报", "http://x.gov.cn/zfxxgk/abc/", False),
        ("年报解读", "http://x.gov.cn/zfxxgk/nbjd/", False),
        ("政府工作报告", "http://x.gov.cn/zfgzbg/", False),
        ("政府信息公开指南", "http://x.gov.cn/zfxxgk/zfxxgkzn/", False),
    ],
)
def test_report_column_links(text: str, url: str, expected: bool) -> None:
    assert classify.is_report_column(text, url) is expected


def test_area_and_subunit_links() -> None:
    assert classify.is_area_link("政务公开", "http://x.gov.cn/a/")
    assert classify.is_area_link("", "http://x.gov.cn/zfxxgk/")
    assert classify.is_area_link("", "http://x.gov.cn/gkmlpt/index")
    assert not classify.is_area_link("新闻中心", "http://x.gov.cn/xwzx/")
    assert classify.is_subunit_link("乡镇街道")
    assert classify.is_subunit_link("下各镇")
    assert classify.is_subunit_link("某某县民政局")
    assert not classify.is_subunit_link("2023年政府信息公开工作年度报告")


def test_soft_pages() -> None:
    assert classify.soft_page_kind("页面不存在 您访问的页面不存在或已被删除") == "soft404"
    assert classify.soft_page_kind("访问异常，请稍后再试") == "soft_block"
    assert classify.soft_page_kind("访问过于频繁") == "soft_block"
    assert classify.soft_page_kind("某某县2023年政府信息公开工作年度报告 " * 10) is None


def test_parent_region_repost_is_recognised() -> None:
    site = "鄂尔多斯市人民政府"
    assert classify.repost_reason("内蒙古自治区2018年政府信息公开工作年度报告", site)
    assert classify.repost_reason("鄂尔多斯市2018年政府信息公开工作年度报告", site) is None
    assert classify.repost_reason("鄂尔多斯市民政局2018年政府信息公开工作年度报告", site) is None
    assert classify.repost_reason("某某镇2018年政府信息公开工作年度报告", site) is None
    assert classify.repost_reason("2018年某某市政府信息公开工作年度报告", "某某县人民政府")
    assert classify.repost_reason("内蒙古自治区2018年政府信息公开工作年度报告", None) is None


def test_rendering_variants() -> None:
    assert classify.variant_of("某镇2021年政府信息公开工作年度报告（图片版）") == (
        "某镇2021年政府信息公开工作年度报告",
        "图片版",
    )
    assert classify.variant_of("某镇2021年政府信息公开工作年度报告(超链版)")[1] == "超链版"
    assert classify.variant_of("某镇2021年政府信息公开工作年度报告")[1] is None


def test_sibling_columns_of_a_flatly_numbered_cms() -> None:
    col = "http://x.gov.cn/col/col1229000001/index.html"
    assert classify.same_url_shape("http://x.gov.cn/col/col1229000101/index.html", col)
    assert not classify.same_url_shape(col, col)  # itself
    assert not classify.same_url_shape("http://x.gov.cn/art/2024/1/2/art_1_2.html", col)
    assert not classify.same_url_shape("http://y.gov.cn/col/col1229000101/index.html", col)
    # a path without digits has no numbering scheme to share
    assert not classify.same_url_shape(
        "http://x.gov.cn/zwgk/xzjd/index.html", "http://x.gov.cn/zwgk/nb/index.html"
    )
