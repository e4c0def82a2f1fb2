"""Section detection (annual-report-format.md §3) and its pitfalls, all taken from the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.sections import join_wrapped, match_heading, split_sections

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("一、总体情况", "overview"),
        ("二、主动公开政府信息情况", "proactive"),
        ("二、主动公开政府信息的情况", "proactive"),
        ("三、收到和处理政府信息公开申请情况", "applications"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
        ("四、政府信息公开行政法复议、行政诉讼情况", "review_litigation"),
        ("五、存在的主要问题及改进情况", "problems"),
        ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
        ("五、存在问题及改进情况", "problems"),
        ("六、其他需要报告的事项", "other"),
        ("六．其他需要报告的事项", "other"),
        ("  一、 总体情况  ", "overview"),
    ],
)
def test_headings_and_variants(line: str, section: str) -> None:
    hit = match_heading(line)
    assert hit is not None and hit[0] == section


@pytest.mark.parametrize(
    "line",
    [
        # table 3 row labels: ordinal without the section's keywords
        "四、结转下年度继续办理",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果\t(一) 予以公开\t0\t0",
        # overview sub-headings reuse section words behind a bracketed ordinal
        "（一）主动公开政府信息情况",
        "(一)、主动公开：2023 年，区党政办不断完善……",
        "（二）收到和处理政府信息公开申请情况",
        # the preface lists the six parts in one sentence
        "全文由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、……和其他需要报告的事项等六部分组成。",
        "一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况",
        "二是认真做好政府信息公开工作。",
    ],
)
def test_not_headings(line: str) -> None:
    assert match_heading(line) is None


def test_inline_heading_keeps_its_text() -> None:
    result = split_sections("一、总体情况\n正文。\n六、其他需要报告的事项：本年度未收取信息处理费。")
    assert result.sections["other"] == "本年度未收取信息处理费。"


def test_seed_000_has_no_section_four_and_tables_are_excluded() -> None:
    text = (SEEDS / "000_ef311760e166d8f9.txt").read_text(encoding="utf-8")
    table_lines = {i for i, line in enumerate(text.splitlines()) if "\t" in line}
    result = split_sections(text, table_lines)
    assert result.present == ["overview", "proactive", "applications", "problems", "other"]
    assert result.in_order()
    assert "行政许可" not in (result.sections["proactive"] or "")
    assert (result.sections["overview"] or "").startswith("2023 年，我乡坚持")
    assert "（一）主动公开政府信息情况" in (result.sections["overview"] or "")


def test_seed_001_one_cell_per_line_row_labels_are_not_headings() -> None:
    text = (SEEDS / "001_dfce13c1242a961e.txt").read_text(encoding="utf-8")
    result = split_sections(text)
    assert result.present == list(result.sections)
    assert [h.text for h in result.headings][3] == "四、政府信息公开行政复议、行政诉讼情况"
    assert "统计期限" in (result.sections["other"] or "")


def test_page_break_splits_are_joined() -> None:
    text = (SEEDS / "002_011c0692f2297363.txt").read_text(encoding="utf-8")
    result = split_sections(text)
    assert "起草文件时注意文件公开属性的选择" in (result.sections["overview"] or "")


def test_join_wrapped_keeps_list_items_and_short_lines_apart() -> None:
    lines = [
        "这是一个很长的句子被页面分隔符从中间切断了并且没有结束的标点所以",
        "",
        "应当接上。",
        "（二）改进措施",
        "乐清市新居民服务中心",
        "2023年1月12日",
    ]
    assert join_wrapped(lines).split("\n") == [
        "这是一个很长的句子被页面分隔符从中间切断了并且没有结束的标点所以应当接上。",
        "（二）改进措施",
        "乐清市新居民服务中心",
        "2023年1月12日",
    ]


def test_out_of_order_headings_are_detected() -> None:
    result = split_sections(
        "一、总体情况\na\n三、收到和处理政府信息公开申请情况\nb\n二、主动公开政府信息情况\nc"
    )
    assert not result.in_order()
    assert result.sections["proactive"] == "c"


def test_seed_002_signature_is_not_part_of_section_six() -> None:
    text = (SEEDS / "002_011c0692f2297363.txt").read_text(encoding="utf-8")
    result = split_sections(text)
    assert result.sections["other"] == "本单位无其他需要报告的事项，无收取信息处理费情况。"
    from parsers.metadata import signature

    assert signature(text) == ("乐清市新居民服务中心", "2023-01-12")  # still read as dates.signed


def test_signature_kept_out_but_a_short_last_sentence_stays() -> None:
    text = "六、其他需要报告的事项\n\n无其他需要报告的事项\n\n2024年1月18日"
    assert split_sections(text).sections["other"] == "无其他需要报告的事项"
    text = "六、其他需要报告的事项\n本年度未收取信息处理费。\n\n中共某某县委宣传部\n二〇二四年一月十日\n"
    assert split_sections(text).sections["other"] == "本年度未收取信息处理费。"


# A 2017 report in the legacy shape (2007 条例): free headings, a 收费 part, 问题 as part 六.
LEGACY_2017 = """福州市某某局2017年政府信息公开工作年度报告
一、概述
2017年，我局认真贯彻落实《条例》。
二、主动公开政府信息情况
全年主动公开政府信息120条。
三、依申请公开政府信息情况
全年未收到申请。
四、政府信息公开收费及减免情况
未收取费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
无。
六、政府信息公开工作存在的主要问题及改进措施
宣传不够。下一步加强培训。
"""


def test_legacy_headings_recognised_only_in_legacy_mode() -> None:
    legacy = split_sections(LEGACY_2017, legacy=True).sections
    assert legacy["overview"] == "2017年，我局认真贯彻落实《条例》。"
    assert legacy["proactive"] == "全年主动公开政府信息120条。"
    assert legacy["review_litigation"] == "无。"
    assert legacy["problems"] == "宣传不够。下一步加强培训。"
    assert legacy["other"] is None
    # the 2019/2021 formats keep their strict rule: 概述 is not 一、总体情况
    assert split_sections(LEGACY_2017).sections["overview"] is None
    assert match_heading("一、概述") is None and match_heading("一、概述", legacy=True) is not None


def test_legacy_appendix_heading_ends_the_section_before_it() -> None:
    from farm.corpus import load_base_records
    from farm.render.html_report import render_html
    from parsers.parse import parse_bytes

    base = load_base_records()["pingtan-2018"]
    record = parse_bytes(render_html(base))
    assert record["template"] == "legacy"
    assert record["sections"] == base["sections"]  # 一、概述 read; 六、…统计表 not inside 五
    assert "统计表" not in (record["sections"]["problems"] or "")
