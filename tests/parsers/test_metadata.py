"""Metadata of annual-report-format.md §11 and §1.3: dates in every form, title, agency, year, body_kind."""

from __future__ import annotations

import random

import pytest

from parsers import metadata
from parsers.document import PageMeta


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023年1月12日", "2023-01-12"),
        ("2023 年 1 月 1 日", "2023-01-01"),
        ("2024-01-30 22:06", "2024-01-30"),
        ("2024-1-5", "2024-01-05"),
        ("2024/01/30", "2024-01-30"),
        ("2024.01.30", "2024-01-30"),
        ("二○一二年二月二十日", "2012-02-20"),
        ("二〇二四年一月三十一日", "2024-01-31"),
        ("二〇二三年十二月十日", "2023-12-10"),
        ("落款日期：2024年3月1日", "2024-03-01"),
    ],
)
def test_parse_date_forms(text: str, iso: str) -> None:
    assert metadata.parse_date(text) == iso


@pytest.mark.parametrize("text", ["2023年13月1日", "2023年2月30日", "统计期限", "", "第2023号"])
def test_parse_date_rejects_impossible_or_absent(text: str) -> None:
    assert metadata.parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。", "2023-01-01", "2023-12-31"),
        (
            "本报告中所列数据的统计限自 2023 年 1 月 1 日至 2023 年 12 月 31 日止。",
            "2023-01-01",
            "2023-12-31",
        ),
        ("所列数据的统计时限自2022年1月1日至2022年12月31日。", "2022-01-01", "2022-12-31"),
        ("本年报中所列数据的统计期限为2023年1月1日—2023年12月31日,本报告公开在", "2023-01-01", "2023-12-31"),
        ("统计期限自二〇二三年一月一日至二〇二三年十二月三十一日止", "2023-01-01", "2023-12-31"),
    ],
)
def test_statistical_period(text: str, start: str, end: str) -> None:
    period = metadata.statistical_period("前言。\n" + text + "\n其他")
    assert (period.start, period.end, period.stated) == (start, end, True)


def test_statistical_period_absent_and_unreadable() -> None:
    assert metadata.statistical_period("一、总体情况\n2023年，我乡……") == metadata.Period(None, None, False)
    unreadable = metadata.statistical_period("本报告统计期限为上一年度。")
    assert unreadable.stated and unreadable.start is None


def test_title_from_text_skips_preface_and_collapses_wrap_space() -> None:
    text = (
        "\n\n乐清市新居民服务中心 2023 年政府信息公开   工作年度报告\n\n2023 年度报告根据《条例》……组成。\n"
    )
    assert metadata.title_from_text(text) == "乐清市新居民服务中心 2023 年政府信息公开 工作年度报告"
    assert (
        metadata.title_from_text("2023 年度报告根据新修订《中华人民共和国政府信息公开条例》的要求编制而成。")
        is None
    )


def test_choose_title_prefers_document_then_page_then_context() -> None:
    ctx = PageMeta(title="某某镇2023年政府信息公开工作年度报告")
    assert metadata.choose_title("正文\n一、总体情况", PageMeta(), ctx) == ctx.title
    page = PageMeta(title="某某县2023年政府信息公开工作年度报告")
    assert metadata.choose_title("正文", page, ctx) == page.title


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("智仁乡 2023 年度政府信息公开工作总结", "智仁乡"),
        ("绥阳县小关乡2023年政府信息公开工作年度报告", "绥阳县小关乡"),
        ("乐清市新居民服务中心 2023 年政府信息公开 工作年度报告", "乐清市新居民服务中心"),
        ("城乡一体化示范区党政办公室 2023 年政府信息公开 工作年度报告", "城乡一体化示范区党政办公室"),
        ("2023年某某市统计局政府信息公开工作年度报告", "某某市统计局"),
        ("平潭综合实验区地方税务局2013年信息公开年度报告", "平潭综合实验区地方税务局"),
        ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", "宿州市人民政府"),
        ("某某县二〇一八年政府信息公开工作年度报告", "某某县"),
    ],
)
def test_agency_from_title(title: str, agency: str) -> None:
    assert metadata.agency_from_title(title) == agency


def test_agency_fallbacks_signature_then_preface() -> None:
    signed = "一、总体情况\n……\n六、其他需要报告的事项\n无。\n某某县林业局\n2024年1月20日\n"
    assert metadata.choose_agency(None, signed, PageMeta()) == "某某县林业局"
    assert metadata.signature(signed) == ("某某县林业局", "2024-01-20")
    preface = "本报告由某某县人民政府办公室编制。\n一、总体情况"
    assert metadata.choose_agency(None, preface, PageMeta()) == "某某县人民政府办公室"
    assert metadata.choose_agency(None, "正文", PageMeta(publisher="某某镇人民政府")) == "某某镇人民政府"


def test_signature_in_chinese_numerals() -> None:
    text = "六、其他需要报告的事项\n无。\n平潭综合实验区管理委员会\n二○一二年二月二十日"
    assert metadata.signature(text) == ("平潭综合实验区管理委员会", "2012-02-20")


@pytest.mark.parametrize(
    ("agency", "kind"),
    [
        ("智仁乡", "township"),
        ("绥阳县小关乡", "township"),
        ("某某镇人民政府", "township"),
        ("某某街道办事处", "township"),
        ("某某街道", "township"),
        ("乐清市新居民服务中心", "department"),
        ("城乡一体化示范区党政办公室", "department"),
        ("某某市卫生健康委员会", "department"),
        ("某某县人民政府办公室", "department"),
        ("某某市统计局", "department"),
        ("某某县人民政府", "government"),
        ("平潭综合实验区", "government"),
        ("某某市", "government"),
        ("某某经济开发区管委会", "other"),
    ],
)
def test_body_kind_rules(agency: str, kind: str) -> None:
    assert metadata.body_kind(agency) == kind


def test_body_kind_defaults() -> None:
    assert metadata.body_kind(None, "government") == "government"
    assert metadata.body_kind("某某", "department") == "department"
    assert metadata.body_kind(None) == "other"
    assert metadata.body_kind(None, "nonsense") == "other"


def test_year_from_title_then_period_never_publication() -> None:
    assert metadata.choose_year("某镇2023年政府信息公开工作年度报告", None, None) == 2023
    assert metadata.choose_year("某镇二〇二二年度政府信息公开工作年度报告", None, None) == 2022
    assert metadata.choose_year("某镇政府信息公开工作年度报告", "2021-01-01", "2021-12-31") == 2021
    assert metadata.choose_year(None, None, None) is None


def test_template_choice() -> None:
    assert metadata.choose_template("v2021", 2023, True) == "v2021"
    assert metadata.choose_template(None, 2015, False) == "legacy"
    assert metadata.choose_template(None, 2023, False) is None
    assert metadata.choose_template(None, None, False) is None


def test_published_line_near_top() -> None:
    text = "绥阳县小关乡2023年政府信息公开工作年度报告\n\n发布时间: 2024-01-30 22:06 字体:[]\n\n一、总体情况"
    assert metadata.published_from_text(text) == "2024-01-30"
    assert metadata.published_from_text("标题\n生成日期：2024-01-11\n一、总体情况") is None


@pytest.mark.parametrize("mark", ["（图片版）", "(超链版)", " （超链版）"])
def test_variant_mark_left_out_of_the_title(mark: str) -> None:
    meta = PageMeta(title=f"宿州市人民政府2019年政府信息公开工作年度报告{mark}")
    assert metadata.choose_title("", meta, None) == "宿州市人民政府2019年政府信息公开工作年度报告"


def test_same_title_spelled_by_the_page_wins_over_extracted_blanks() -> None:
    text = "清溪县民政局 2019 年政府信息公开年度报告\n一、总体情况"
    ctx = PageMeta(title="清溪县民政局2019年政府信息公开年度报告")
    assert metadata.choose_title(text, PageMeta(), ctx) == "清溪县民政局2019年政府信息公开年度报告"
    other = PageMeta(title="某某县2019年政府信息公开工作年度报告")
    assert metadata.choose_title(text, PageMeta(), other) == "清溪县民政局 2019 年政府信息公开年度报告"


def test_head_and_tail_lines_split_in_pieces_match_one_split() -> None:
    """_head_lines / _tail_filled split only as much text as their callers read: what they give
    must be what one splitlines of the head (first 6000) or tail (last 2000 characters) gives,
    whatever the line breaks and wherever the pieces are cut."""
    rng = random.Random(5)
    pieces = ["", " ", "规章", "五、其他", "2024年1月2日", "x" * 90, "\u3000", "某某县人民政府"]
    breaks = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\x0c", "\x1e", "\x85"]
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(0, 400)):
            parts += [rng.choice(pieces) * rng.randint(1, 3), rng.choice(breaks)]
        text = "".join(parts)
        assert list(metadata._head_lines(text)) == text[: metadata._HEAD_CHARS].splitlines()
        full = metadata._last_filled(text[-metadata._SIGNATURE_TAIL_CHARS :].splitlines(), 6)
        assert metadata._tail_filled(text, 6) == full
