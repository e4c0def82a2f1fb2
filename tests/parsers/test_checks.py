"""Document checks C04, C05, C13–C19 on realistic text: each fires where it should and only there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from parsers import checks, metadata
from parsers.build import build_record
from parsers.document import Document
from parsers.formats.text import read
from parsers.record import Dates, Record, Source
from parsers.sections import split_sections

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def seed_text(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def ids(findings: list[Any]) -> list[str]:
    return sorted({f.check for f in findings})


def record(**kw: Any) -> Record:
    return Record(source=Source(), **kw)


# ---- seeds, end to end through build_record with the pipeline's own checks only -------------


def seed_record(stem: str, stub_tables: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Record:
    monkeypatch.setattr(checks, "identity_checks", lambda tables: [])
    doc = read((SEEDS / f"{stem}.txt").read_bytes())
    lines = doc.text.splitlines()
    tables = stub_tables(table_lines={i for i, line in enumerate(lines) if "\t" in line})
    return build_record(doc, Source(), tables=tables)


def test_seed_003_overview_fee_and_period(stub_tables, monkeypatch) -> None:
    rec = seed_record("003_43ba7708f24f8057", stub_tables, monkeypatch)
    assert ids(rec.findings) == ["C14", "C16", "C17"]
    c14 = next(f for f in rec.findings if f.check == "C14")
    assert "政府信息管理" in c14.message and "监督保障" in c14.message
    assert all(f.severity == "warn" for f in rec.findings)


def test_seed_002_signed_before_year_end(stub_tables, monkeypatch) -> None:
    rec = seed_record("002_011c0692f2297363", stub_tables, monkeypatch)
    assert ids(rec.findings) == ["C18"]
    assert "2023-01-12" in rec.findings[0].message


def test_seed_000_title_and_missing_section_four(stub_tables, monkeypatch) -> None:
    rec = seed_record("000_ef311760e166d8f9", stub_tables, monkeypatch)
    assert ids(rec.findings) == ["C05", "C19"]
    c05 = next(f for f in rec.findings if f.check == "C05")
    assert "四" in c05.message and c05.severity == "error"
    assert next(f for f in rec.findings if f.check == "C19").severity == "info"


@pytest.mark.parametrize("stem", ["001_dfce13c1242a961e", "004_cad4fa3e014eb2f3"])
def test_seeds_without_own_defects_stay_quiet(stem: str, stub_tables, monkeypatch) -> None:
    rec = seed_record(stem, stub_tables, monkeypatch)
    assert set(ids(rec.findings)) <= {"C17"}  # 004 has no period; 001 states it at the end


# ---- C04 --------------------------------------------------------------------------------


def test_c04_version_against_year_and_citation() -> None:
    assert ids(checks.check_template(record(year=2022, template="v2019"), "")) == ["C04"]
    assert checks.check_template(record(year=2020, template="v2019"), "") == []
    assert checks.check_template(record(year=2023, template="v2021"), "依据国办公开办函〔2021〕30号") == []
    mixed = checks.check_template(record(year=2021, template="v2021"), "按照国办公开办函〔2019〕60号要求")
    assert ids(mixed) == ["C04"] and "v2019" in mixed[0].message


# ---- C05 --------------------------------------------------------------------------------


def test_c05_missing_and_out_of_order() -> None:
    full = "\n".join(
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]
    )
    assert checks.check_sections(split_sections(full)) == []
    swapped = full.replace(
        "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况",
        "三、收到和处理政府信息公开申请情况\n二、主动公开政府信息情况",
    )
    assert ids(checks.check_sections(split_sections(swapped))) == ["C05"]
    assert ids(checks.check_sections(split_sections("没有任何标题的网页正文"))) == ["C05"]


# ---- C13 --------------------------------------------------------------------------------


def test_c13_narrative_against_tables() -> None:
    cells = {
        "applications.new_received.total": 81,
        "active.normative_docs.in_force": 470,
        "appeals.review.total": 2,
    }
    ok = "2023年，共收到政府信息公开申请81件。被申请行政复议2件。"
    assert checks.check_narrative(record(cells=cells), ok) == []
    bad = checks.check_narrative(record(cells=cells), "现行有效行政规范性文件393件。")
    assert ids(bad) == ["C13"] and bad[0].keys == ("active.normative_docs.in_force",)
    assert "393" in bad[0].message and "470" in bad[0].message
    # a figure the tables do not hold (absent table, null cell) is not compared
    assert checks.check_narrative(record(cells={}), "共收到依申请公开政府信息案件 5 件") == []
    assert (
        checks.check_narrative(record(cells={"applications.new_received.total": None}), "收到申请5件") == []
    )


# ---- C14 --------------------------------------------------------------------------------


def test_c14_government_needs_accountability_results() -> None:
    overview = "主动公开……依申请公开……政府信息管理……平台建设……监督保障……"
    secs = {"overview": overview}
    assert checks.check_overview(record(body_kind="township"), secs) == []
    gov = checks.check_overview(record(body_kind="government"), secs)
    assert ids(gov) == ["C14"] and "工作考核" in gov[0].message
    assert (
        checks.check_overview(record(body_kind="government"), {"overview": overview + "考核、评议、责任追究"})
        == []
    )
    assert checks.check_overview(record(), {"overview": None}) == []


# ---- C15 --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["无。", "", "问题较少。", "工作人员力量不足，专业能力有待提高。"])
def test_c15_fires_on_empty_short_or_one_sided(text: str) -> None:
    assert ids(checks.check_problems({"problems": text})) == ["C15"]


def test_c15_quiet_on_problems_and_measures() -> None:
    text = "存在问题：公开内容不够丰富。下一步，我单位将进一步加强培训，提升公开质量。"
    assert checks.check_problems({"problems": text}) == []
    assert checks.check_problems({"problems": None}) == []


# ---- C16 --------------------------------------------------------------------------------


def test_c16_fee_statement_and_fee_notices() -> None:
    rec = record(year=2023)
    assert ids(checks.check_fee(rec, {"other": "截止目前，暂无其他需要报告的事项。"})) == ["C16"]
    assert checks.check_fee(rec, {"other": "2023年度本机关未收取政府信息处理费。"}) == []
    assert checks.check_fee(record(year=2020), {"other": "无。"}) == []  # before 109号's format
    unpaid = record(year=2025, cells={"applications.other_fee_unpaid.total": 2})
    w5 = checks.check_fee(unpaid, {"other": "无收取信息处理费情况。"})
    assert ids(w5) == ["C16"] and w5[0].keys == ("applications.other_fee_unpaid.total",)
    assert checks.check_fee(unpaid, {"other": "发出收费通知2件，实际收取信息处理费0元。"}) == []


# ---- C17 --------------------------------------------------------------------------------


def test_c17_period_absent_or_wrong() -> None:
    rec = record(year=2023)
    assert ids(checks.check_period(rec, metadata.Period(None, None, False))) == ["C17"]
    assert checks.check_period(rec, metadata.Period("2023-01-01", "2023-12-31", True)) == []
    wrong = checks.check_period(rec, metadata.Period("2022-01-01", "2022-12-31", True))
    assert ids(wrong) == ["C17"] and "2022-01-01" in wrong[0].message


# ---- C18 --------------------------------------------------------------------------------


def test_c18_date_consistency() -> None:
    today = date(2026, 1, 1)
    ok = record(
        year=2023,
        title="某镇2023年政府信息公开工作年度报告",
        dates=Dates("2024-01-20", "2024-01-15", "2023-01-01", "2023-12-31"),
    )
    assert checks.check_dates(ok, today=today) == []
    signed_after = record(year=2023, dates=Dates(published="2024-01-10", signed="2024-01-15"))
    assert ids(checks.check_dates(signed_after, today=today)) == ["C18"]
    early = record(year=2023, dates=Dates(published="2023-12-01"))
    assert ids(checks.check_dates(early, today=today)) == ["C18"]
    future = record(year=2024, dates=Dates(published="2027-01-01"))
    assert ids(checks.check_dates(future, today=today)) == ["C18"]
    title_vs_period = record(
        year=2023, title="某镇2023年政府信息公开工作年度报告", dates=Dates(period_start="2022-01-01")
    )
    assert ids(checks.check_dates(title_vs_period, today=today)) == ["C18"]


# ---- C19 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "绥阳县小关乡2023年政府信息公开工作年度报告",
        "乐清市新居民服务中心 2023 年政府信息公开 工作年度报告",
        "某某局2023年度政府信息公开工作年度报告",
        "2023年某某局政府信息公开工作年度报告",
    ],
)
def test_c19_quiet_on_compliant_titles(title: str) -> None:
    assert checks.check_title(record(title=title)) == []


@pytest.mark.parametrize(
    "title",
    [
        None,
        "智仁乡 2023 年度政府信息公开工作总结",
        "某某局政府信息公开工作年度报告",
        "2023年政府信息公开工作年度报告",
    ],
)
def test_c19_fires(title: str | None) -> None:
    assert ids(checks.check_title(record(title=title))) == ["C19"]


def test_doc_checks_on_page_without_report(stub_tables) -> None:
    doc = Document(format="html", text="欢迎访问某某县人民政府门户网站\n联系我们")
    rec = build_record(doc, Source(format="html"), tables=stub_tables(template=None, present={}))
    assert {"C05", "C17", "C19"} <= set(ids(rec.findings))
    assert rec.title is None and rec.year is None


def test_c13_joint_review_and_litigation_figure_is_not_the_litigation_count() -> None:
    cells = {
        "appeals.review.total": 2,
        "appeals.litigation_direct.total": 1,
        "appeals.litigation_after_review.total": 0,
    }
    assert checks.check_narrative(record(cells=cells), "本年度发生行政复议和行政诉讼案件共3件。") == []
    assert ids(checks.check_narrative(record(cells=cells), "本年度被提起行政诉讼3件。")) == ["C13"]


def test_legacy_reports_are_free_in_structure(stub_tables) -> None:
    text = (
        "某某县人民政府2015年政府信息公开工作年度报告\n一、总体情况\n本年度……\n二、主动公开政府信息情况\n……"
    )
    legacy = build_record(
        Document(format="txt", text=text), Source(), tables=stub_tables(template=None, present={})
    )
    assert legacy.template == "legacy"
    assert not {"C05", "C14"} & set(ids(legacy.findings))
    modern = build_record(
        Document(format="txt", text=text.replace("2015", "2023")),
        Source(),
        tables=stub_tables(template=None, present={}),
    )
    assert {"C05", "C14"} <= set(ids(modern.findings))
