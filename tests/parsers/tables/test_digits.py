"""Digit runs (annual-report-format.md §10 item 4): unique readings only, else null + finding."""

from __future__ import annotations

from itertools import groupby

from farm.corpus import load_base_records
from govreports import spec
from parsers.document import Document
from parsers.tables import extract_tables
from parsers.tables.digits import candidates, resolve, splits, sum_splits


def test_table4_run_is_unique_by_a4() -> None:
    assert resolve("10203120001200000", 15, 5) == (
        *(1, 0, 2, 0, 3),
        *(12, 0, 0, 0, 12),
        *(0, 0, 0, 0, 0),
    )


def test_table3_runs_are_unique_by_a3() -> None:
    assert resolve("200 000121", 7, 7) == (20, 0, 0, 0, 0, 1, 21)
    assert resolve("200000121", 7, 7) == (20, 0, 0, 0, 0, 1, 21)
    assert resolve("6000017", 7, 7) == (6, 0, 0, 0, 0, 1, 7)


def test_whitespace_boundaries_are_taken_when_they_fit() -> None:
    assert resolve("20 0 0 0 0 1 21", 7, 7) == (20, 0, 0, 0, 0, 1, 21)


def test_table2_has_no_identity_so_runs_stay_ambiguous() -> None:
    found = candidates("77132470", 3)
    assert len(found) == 21 and (77, 132, 470) in found
    assert resolve("77132470", 3) is None
    assert resolve("000", 3) == (0, 0, 0)  # no leading zeros: only one reading


def test_no_leading_zeros_and_exact_count() -> None:
    assert list(splits("100", 2)) == [(10, 0)]
    assert list(splits("12", 3)) == []


# Pingtan's table-2 row of normative documents (issued, repealed, in force) glued into one digit
# run: table 2 has no identity, so the run stays ambiguous (null with a C07 finding).
NORMATIVE_DOCS_RUN = {
    "active.normative_docs.issued",
    "active.normative_docs.repealed",
    "active.normative_docs.in_force",
}


def _glued_text(record: dict) -> str:
    """The record's tables as text extracted from a Pingtan page: labels and figures run together."""
    cells = record["cells"]
    keys = spec.keys(record["template"])
    lines: list[str] = []
    active = [k for k in keys if k.key.startswith("active.")]
    for caption, group in groupby(active, key=lambda k: k.table):
        ks = list(group)
        lines += [caption, "信息内容" + "".join(dict.fromkeys(k.column for k in ks))]
        lines.append(
            "".join(r + "".join(str(cells[k.key]) for k in rk) for r, rk in groupby(ks, key=lambda k: k.row))
        )
    lines.append(
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    )
    for row, rk in groupby([k for k in keys if k.key.startswith("applications.")], key=lambda k: k.row):
        lines.append(row.split(" / ")[-1] + "".join(str(cells[k.key]) for k in rk))
    lines += ["行政复议", "行政诉讼", "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"]
    lines.append("".join(str(cells[k.key]) for k in keys if k.key.startswith("appeals.")))
    return "\n".join(lines)


def test_pingtan_like_text_resolves_tables_3_and_4_and_leaves_table_2_run_null() -> None:
    record = load_base_records()["pingtan-2023"]
    text = _glued_text(record)
    # the same runs as the published Pingtan 2023 page text
    assert (
        "行政规范性文件77132470" in text
        and "110024001510102" in text
        and "一、本年新收政府信息公开申请数量801000081" in text
    )
    result = extract_tables(Document(format="txt", text=text))
    assert result.template == "v2021"
    for key, value in record["cells"].items():
        assert result.cells[key] == (None if key in NORMATIVE_DOCS_RUN else value), key
    (c07,) = result.findings
    assert c07.check == "C07" and set(c07.keys) == NORMATIVE_DOCS_RUN and "21 ways" in c07.message


def test_table3_run_with_two_readings_is_null_with_a_finding() -> None:
    # "101000011" reads as 1 0 10 0 0 0 11 or 10 1 0 0 0 0 11; both pass A3, nothing else decides
    assert len(candidates("101000011", 7, 7)) == 2
    text = "\n".join(
        [
            "第二十条第（一）项",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
            "规章\t0\t0\t0",
            "一、本年新收政府信息公开申请数量\t101000011",
            "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0",
        ]
    )
    result = extract_tables(Document(format="txt", text=text))
    assert result.template == "v2021"
    row = [f"applications.new_received.{c}" for c in spec_columns()]
    assert all(result.cells[k] is None for k in row)
    assert any(f.check == "C07" and "2 ways" in f.message and list(f.keys) == row for f in result.findings)
    assert all(result.cells[f"applications.carried_over.{c}"] == 0 for c in spec_columns())
    assert any(f.check == "C06" for f in result.findings)  # the other rows of table 3 are missing


def spec_columns() -> list[str]:
    return [
        k.key.rsplit(".", 1)[1] for k in spec.keys("v2021") if k.key.startswith("applications.new_received.")
    ]


def test_long_runs_stay_cheap_with_the_sum_identity() -> None:
    # 3-digit figures: 21+ digits in a table-3 row, 30+ in table 4 (a plain enumeration has millions)
    row = (120, 305, 7, 0, 18, 250, 700)
    assert resolve("".join(map(str, row)), 7, 7) == row
    t4 = (101, 20, 3, 0, 124) * 3
    assert resolve("".join(map(str, t4)), 15, 5) == t4
    assert all(v[-1] == sum(v[:-1]) for v in sum_splits("6000017", 7))


def _run_together(record: dict) -> str:
    """The whole page as one line, the way text extractors return the Pingtan pages."""
    sections = record["sections"]
    tables = _glued_text(record).replace("\n", "")
    return "".join(
        [
            record["preface"],
            " 一、总体情况 ",
            sections["overview"].replace("\n", ""),
            " 二、主动公开政府信息情况",
            tables.replace("（本列数据", "三、收到和处理政府信息公开申请情况（本列数据").replace(
                "行政复议行政诉讼", "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼"
            ),
            "五、存在的主要问题及改进情况",
            sections["problems"],
            "六、其他需要报告的事项",
            sections["other"],
        ]
    )


def test_run_together_page_text_reads_the_tables_but_never_the_narrative_figures() -> None:
    record = load_base_records()["pingtan-2023"]
    line = _run_together(record)
    assert "\n" not in line and "现行有效行政规范性文件393件" in line
    result = extract_tables(Document(format="txt", text=line))
    for key, value in record["cells"].items():
        assert result.cells[key] == (None if key in NORMATIVE_DOCS_RUN else value), key
    assert [f.check for f in result.findings] == ["C07"]
    assert result.table_lines == set()  # the one line is narrative too: sections must keep it


def test_run_together_v2019_signed_changes() -> None:
    record = load_base_records()["pingtan-2020"]
    result = extract_tables(Document(format="txt", text=_run_together(record)))
    assert result.template == "v2019"
    cells = record["cells"]
    assert (
        result.cells["active.admin_fees.prev_year_items"] == 35
        and result.cells["active.admin_fees.change"] == -15
    )
    assert result.cells["active.regulations.published_total"] == 7
    # "2648-18538": the sign starts 本年增/减 but 538 | 18 cannot be told apart -> all three null
    assert [result.cells[f"active.penalty.{c}"] for c in ("prev_year_items", "change", "decisions")] == [
        None
    ] * 3
    for key, value in cells.items():
        if key.startswith(("applications.", "appeals.")):
            assert result.cells[key] == value, key


def test_a_long_sentence_citing_the_article_is_not_a_table() -> None:
    sentence = (
        "按照《条例》第二十条第（一）项的规定，我局在门户网站规范性文件栏目及时公开行政规范性文件，"
        "全年制发行政规范性文件12件，清理规章3件，办理行政许可2629件，并在专栏集中公开处罚决定，"
        "做到应公开尽公开，接受社会监督，进一步提升政府信息公开的质量和实效，切实保障群众的知情权。"
    )
    result = extract_tables(Document(format="txt", text=sentence))
    assert result.cells == {} and not any(result.present.values())
