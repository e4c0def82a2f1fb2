"""Flattened text layouts (§10): markdown tables, one cell per line, shifted tab rows, variants."""

from __future__ import annotations

from farm.corpus import load_base_records
from govreports import spec
from parsers.document import Document
from parsers.tables import extract_tables
from parsers.tables.normalize import normalize

RECORD = load_base_records()["pingtan-2023"]


def _table3_lines(template: str, cells: dict, sep: str) -> list[str]:
    rows: dict[str, list[str]] = {}
    for k in spec.keys(template):
        if k.key.startswith("applications."):
            rows.setdefault(k.row.split(" / ")[-1], []).append(str(cells[k.key]))
    return [sep.join([label, *values]) for label, values in rows.items()]


def test_normalisation_steps_1_to_4() -> None:
    assert normalize("（二）部分公开 (区分处理的, 只计这一情形, 不计其他情形)") == normalize(
        "(二)部分公开（区分处理的，只计这一情形，不计其他情形）"
    )
    assert (
        normalize("3. 危及“三安全一稳定”")
        == normalize("3.危及三安全一稳定")
        == normalize("3．危及'三安全一稳定'")
    )
    assert normalize("三、本年度办 理结果") == normalize("三、本年度办理结果")
    assert normalize("(一)、予以公开") == normalize("（一）予以公开") == normalize("一、予以公开")
    assert normalize("商业\n企业") == "商业企业"


def test_markdown_tables() -> None:
    cells = RECORD["cells"]
    lines = [
        "| 第二十条第（一）项 | | | |",
        "|---|---|---|---|",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "| 规章 | 0 | 0 | 0 |",
        "| 行政规范性文件 | 77 | 132 | 470 |",
        "| (本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和) | | | 申请人情况 |",
    ]
    lines += ["| " + line + " |" for line in _table3_lines("v2021", cells, " | ")]
    result = extract_tables(Document(format="txt", text="\n".join(lines)))
    assert result.template == "v2021"
    for key, value in cells.items():
        if key.startswith("applications.") or key.startswith(
            ("active.regulations.", "active.normative_docs.")
        ):
            assert result.cells[key] == value, key
    assert result.present == {"table2": True, "table3": True, "table4": False}


def test_one_cell_per_line_with_split_headers_and_blank_lines() -> None:
    cells = RECORD["cells"]
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第(一)项",
        "信息内容",
        "本年制发件数",
        "本年度止件数",
        "现行有效件数",
    ]
    lines += ["规章", "0", "0", "0", "行政规范性文件", "77", "132 ", "470"]
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
    ]
    lines += [
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "商业",
        "企业",
        "科研",
        "机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    for line in _table3_lines("v2021", cells, "\n"):
        lines += line.split("\n")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "结果", "维持", "总计"]
    lines += [f"{cells[k.key]}\u2002" for k in spec.keys("v2021") if k.key.startswith("appeals.")]
    lines += ["五、存在的主要问题及改进情况", "无。"]
    text = "\n\n".join(lines)
    result = extract_tables(Document(format="txt", text=text))
    for key, value in cells.items():
        if not key.startswith(("active.licensing", "active.penalty", "active.coercion", "active.admin_fees")):
            assert result.cells[key] == value, key
    assert [f.check for f in result.findings if f.check == "C24"] == ["C24"]  # 本年度止件数
    split = text.splitlines()
    headings = {i for i, line in enumerate(split) if line.startswith(("三、", "四、政府", "五、"))}
    assert not result.table_lines & headings
    assert {
        i for i, line in enumerate(split) if line in ("商业", "企业", "结果", "维持")
    } <= result.table_lines


def test_shifted_tab_rows_and_synonym_total() -> None:
    cells = RECORD["cells"]
    lines = [
        "第二十条第（一）项\t\t\t",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
    ]
    lines += ["规范性文件\t77\t132\t470"]  # the v2019 label in a v2021 table: a synonym (C24)
    for line in _table3_lines("v2021", cells, "\t"):
        label, *values = line.split("\t")
        if normalize(label) == normalize("（七）总计"):
            label = "(七)合计"  # synonym of 总计 (C24)
        lines.append("\t".join([label, "", *values, ""]))
    result = extract_tables(Document(format="txt", text="\n".join(lines)))
    assert result.template == "v2021"
    assert result.cells["active.normative_docs.in_force"] == 470
    assert result.cells["applications.total_processed.total"] == 81
    c24 = sorted(f.message for f in result.findings if f.check == "C24")
    assert len(c24) == 2 and "合计" in c24[0] + c24[1] and "规范性文件" in c24[0] + c24[1]


def test_row_with_too_few_figures_is_null_not_guessed() -> None:
    text = "\n".join(
        [
            "第二十条第（一）项",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
            "规章\t0\t0",
            "行政规范性文件\t1\t2\t3",
        ]
    )
    result = extract_tables(Document(format="txt", text=text))
    assert [result.cells[f"active.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [None] * 3
    assert result.cells["active.normative_docs.in_force"] == 3
    assert any(f.check == "C07" and "active.regulations.issued" in f.keys for f in result.findings)


def test_fee_header_in_yuan_is_converted_with_c12_not_c24() -> None:
    text = "\n".join(
        [
            "第二十条第（一）项\t\t\t",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
            "规章\t0\t0\t0",
            "第二十条第（八）项\t\t\t",
            "信息内容\t本年收费金额（单位：元）\t\t",
            "行政事业性收费\t59,490,886.67\t\t",
        ]
    )
    result = extract_tables(Document(format="txt", text=text))
    assert result.cells["active.admin_fees.amount_wan"] == "5949.088667"
    checks = [(f.check, f.keys) for f in result.findings if f.check in ("C12", "C24")]
    assert checks == [("C12", ("active.admin_fees.amount_wan",))]


def test_v2019_tab_layout_with_signed_changes_and_procurement() -> None:
    record = load_base_records()["pingtan-2020"]
    cells = record["cells"]
    lines: list[str] = []
    caption = None
    for k in spec.keys("v2019"):
        if not k.key.startswith("active."):
            continue
        if k.table != caption:
            caption = k.table
            columns = list(dict.fromkeys(x.column for x in spec.keys("v2019") if x.table == caption))
            lines += [f"{caption}\t\t\t", "\t".join(["信息内容", *columns])]
        if k.key.endswith(("newly_made", "prev_year_items", "items")):
            lines.append(k.row)
        value = cells[k.key]
        lines[-1] += "\t" + (f"{value}元" if k.key.endswith("amount_yuan") else str(value))
    lines.append("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况")
    lines += _table3_lines("v2019", cells, "\t")
    result = extract_tables(Document(format="txt", text="\n".join(lines)))
    assert result.template == "v2019"
    assert "行政处罚\t2648\t-18\t538" in lines and "政府集中采购\t395\t75394432.52元" in lines
    for key, value in cells.items():
        if not key.startswith("appeals."):
            assert result.cells[key] == value, key
    assert [f.check for f in result.findings] == ["C06"]  # table 4 left out of this text


def test_pdf_style_lines_label_and_spaced_figures() -> None:
    cells = RECORD["cells"]
    lines = [
        "第二十条第（一）项",
        "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 0 0 0",
        "行政规范性文件 77 132 470",
    ]
    for line in _table3_lines("v2021", cells, " "):
        label, figures = line.split(" ", 1)
        if label.startswith("1.申请人"):  # a long label wrapped by the PDF layout
            lines += [label[:22], label[22:] + " " + figures]
        else:
            lines.append(f"{label} {figures}")
    total = next(i for i, line in enumerate(lines) if line.startswith("（七）总计"))
    lines[total] = "（七）总计 80 1 0 0 0 0 82"  # printed inconsistent: A3 fails, figures kept as printed
    result = extract_tables(Document(format="txt", text="\n".join(lines)))
    assert result.cells["applications.other_no_correction.natural_person"] == 1
    assert result.cells["applications.total_processed.total"] == 82
    assert result.cells["active.normative_docs.in_force"] == 470
    for key, value in cells.items():
        if key.startswith("applications.") and key != "applications.total_processed.total":
            assert result.cells[key] == value, key
    from parsers.tables import identity_findings

    assert "C10" in {f.check for f in identity_findings(result.cells, "v2021")}


def test_unknown_header_typo_matches_by_position_within_edit_distance_2() -> None:
    text = "\n".join(
        [
            "第二十条第（一）项\t\t\t",
            "信息内容\t本年制发件数\t本年发止件数\t现行有效件数",  # not in the typo dictionary
            "规章\t0\t1\t2",
        ]
    )
    result = extract_tables(Document(format="txt", text=text))
    assert result.cells["active.regulations.repealed"] == 1
    (c24,) = [f for f in result.findings if f.check == "C24"]
    assert "本年发止件数" in c24.message and "fuzzy" in c24.message
    assert "active.regulations.repealed" in c24.keys


def test_wrapped_label_joins_a_label_but_never_a_heading_and_a_sentence() -> None:
    from parsers.tables.layout_text import _label_too_long, _wrapped_label

    wrapped = _wrapped_label.__wrapped__(
        "1.申请人无正当理由逾期不补正、行政机关不再处理", "其政府信息公开申请"
    )
    assert wrapped == ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",)
    sentence = "2023年，本级政府通过政府门户网站主动公开政府信息，具体情况如下：全年主动公开信息1234条。"
    assert _label_too_long("二、主动公开政府信息情况" + sentence)  # the run after 2023 is too long
    assert _wrapped_label.__wrapped__("二、主动公开政府信息情况", sentence) is None
    assert not _label_too_long("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")


def _unglue_in_full(cell: str) -> list[str]:
    """unglue without its shortcuts (the reading they must not change)."""
    from parsers.tables.layout_text import _GLUED_RE
    from parsers.tables.rows import is_known_printed_label, is_value

    if not any(map(str.isdigit, cell)) or is_value(cell):
        return [cell]
    pieces: list[str] = []
    pos = 0
    while pos < len(cell):
        match = _GLUED_RE.match(cell, pos)
        if not match or match.end() == pos:
            return [cell]
        label, run = match.group(1), match.group(2).strip()
        if not is_known_printed_label(label):
            return [cell]
        pieces += [label.strip(), *run.split("  ")] if "  " in run else [label.strip(), run]
        pos = match.end()
    return pieces


def _wrapped_label_in_full(head: str, first: str) -> tuple[str, ...] | None:
    """_wrapped_label without its shortcuts (the reading they must not change)."""
    from parsers.tables.layout_text import _label_too_long
    from parsers.tables.rows import is_known_printed_label, is_value

    unglue = _unglue_in_full

    if is_value(first):
        return None
    head = head.strip()
    if not head or _label_too_long(head + first.strip()) or is_value(head) or is_known_printed_label(head):
        return None
    joined = unglue(head + first.strip())
    return tuple(joined) if is_known_printed_label(joined[0]) else None


def test_wrapped_label_shortcuts_read_every_pair_as_in_full() -> None:
    """Label halves, narrative, dates and headings paired every way (a wrapped v2021 label among
    them): the shortcuts that skip pairs must give what the full test gives."""
    from parsers.tables import mapping
    from parsers.tables.layout_text import _wrapped_label, unglue

    halves = ["1.申请人无正当理由逾期不补正、行政机关不再处理", "其政府信息公开申请", "其政府信息公开申请\t0"]
    for label in [*mapping.row_labels(), *mapping.group_labels()][::3]:
        cut = max(1, len(label) // 2)
        halves += [label, label[:cut], label[cut:], f"{label[cut:]}0 1 2"]
    halves += [
        "2023年，本机关共收到政府信息公开申请9件。",
        "三、收到和处理政府信息公开申请情况",
        "一、总体情况",
        "12.其他",
        "本报告根据条例编制",
        "（一）予以公开",
        "规章5行政规范性",
        "文件3",
        "20",
        "其他",
    ]
    joined = glued = 0
    for head in halves:
        for first in halves:
            got = _wrapped_label.__wrapped__(head, first)
            assert got == _wrapped_label_in_full(head, first), (head, first)
            joined += got is not None
            pieces = unglue(head + first)
            assert pieces == _unglue_in_full(head + first), (head, first)
            glued += len(pieces) > 1
    assert joined and glued  # the wrapped v2021 label, glued rows (and others) are still read
