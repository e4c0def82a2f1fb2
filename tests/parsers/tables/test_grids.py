"""Grid input (HTML/DOCX/XLSX readers): columns by header, wrong schemas flagged, OCR doubts."""

from __future__ import annotations

import copy
import json

from farm.corpus import load_base_records
from farm.render.html_report import render_html
from govreports.paths import PROJECT_ROOT
from parsers.document import Document, Grid
from parsers.formats.html_tables import read_grids
from parsers.tables import extract_tables
from parsers.tables.cells import _COLUMNS

RECORD = load_base_records()["pingtan-2023"]
PROJECT_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


def _grids() -> list[Grid]:
    return read_grids(render_html(RECORD, table2_style="one"))


def _table3(grids: list[Grid]) -> Grid:
    return next(g for g in grids if any("商业企业" in (c or "") for row in g for c in row))


def test_subtotal_column_is_flagged_and_the_rest_still_read_by_header() -> None:
    grids = _grids()
    t3 = _table3(grids)
    for i, row in enumerate(t3):
        # a third-party schema adds 法人或其他组织 subtotals before 总计 (§5: that is wrong)
        if i == 0:
            extra = row[-1]
        elif i < 3:
            extra = "小计"
        else:
            extra = str(sum(int(c) for c in row[4:9]))
        row.insert(9, extra)
    result = extract_tables(Document(format="html", text="", tables=grids))
    assert result.cells == RECORD["cells"]
    c06 = [f for f in result.findings if f.check == "C06"]
    assert c06 and all("小计" in f.message for f in c06)


def test_heji_header_for_total_is_a_synonym() -> None:
    grids = _grids()
    t3 = _table3(grids)
    for row in t3[:3]:
        row[-1] = "合计" if row[-1] == "总计" else row[-1]
    result = extract_tables(Document(format="html", text="", tables=grids))
    assert result.cells == RECORD["cells"]
    (c24,) = [f for f in result.findings if f.check == "C24"]
    assert "合计" in c24.message and "applications.total_processed.total" in c24.keys


def test_low_confidence_ocr_cell_is_null() -> None:
    grids = _grids()
    t3 = _table3(grids)
    g = grids.index(t3)
    r = next(i for i, row in enumerate(t3) if row[0] and row[0].startswith("一、本年新收"))
    doc = Document(format="image", text="", tables=copy.deepcopy(grids), uncertain={(g, r, 3)})
    result = extract_tables(doc)
    assert result.cells["applications.new_received.natural_person"] is None
    assert result.cells["applications.new_received.total"] == 81
    assert any(
        f.check == "C07" and f.keys == ("applications.new_received.natural_person",) for f in result.findings
    )


def test_missing_row_in_a_grid_is_c06_with_null_cells() -> None:
    grids = _grids()
    t3 = _table3(grids)
    t3[:] = [row for row in t3 if not (row[2] or "").startswith("8.")]
    result = extract_tables(Document(format="html", text="", tables=grids))
    missing = [k for k in result.cells if k.startswith("applications.denied_admin_query.")]
    assert len(missing) == 7 and all(result.cells[k] is None for k in missing)
    (c06,) = [f for f in result.findings if f.check == "C06"]
    assert set(c06.keys) == set(missing)


def test_table_text_left_in_doc_text_is_marked_for_the_section_splitter() -> None:
    record = load_base_records()["pingtan-2018"]
    grids = read_grids(render_html(record))
    # a reader that keeps table cells in the running text, one per line, as well as in `tables`
    lines = [
        "五、政府信息公开工作存在的主要问题及改进情况",
        "主要问题是信息更新不及时。",
        "六、政府信息公开情况统计表",
    ]
    lines += [c for row in grids[-1] for c in row if c]
    lines += ["平潭综合实验区党政办公室"]
    result = extract_tables(Document(format="html", text="\n".join(lines), tables=grids))
    assert result.legacy == record["legacy"]
    assert result.table_lines == set(range(3, len(lines) - 1))


def test_only_table_4_present() -> None:
    grids = [g for g in read_grids(render_html(RECORD)) if any("行政复议" in (c or "") for c in g[0])]
    result = extract_tables(Document(format="html", text="", tables=grids))
    assert result.template is None
    assert result.cells == {k: v for k, v in RECORD["cells"].items() if k.startswith("appeals.")}
    assert sorted(f.message[:7] for f in result.findings if f.check == "C06") == ["table 2", "table 3"]


def test_grids_without_report_tables_fall_back_to_the_text() -> None:
    seed = sorted((PROJECT_SEEDS).glob("002_*.txt"))[0]
    text = seed.read_text(encoding="utf-8")
    layout = [[["索引号：", "11330382/2024-00012", "发布机构：", "乐清市新居民服务中心"]]]
    result = extract_tables(Document(format="html", text=text, tables=layout))
    truth = json.loads((PROJECT_SEEDS / "truth" / f"{seed.stem}.json").read_text(encoding="utf-8"))
    assert result.cells == truth["cells"]
    assert result.table_lines  # text lines again, the sections splitter drops them


def test_grid_lines_from_the_reader_are_the_table_lines() -> None:
    record = load_base_records()["pingtan-2018"]
    grids = read_grids(render_html(record))
    lines = [
        "六、政府信息公开情况统计表",
        *[c for row in grids[-1] for c in row if c],
        "平潭综合实验区党政办公室",
    ]
    spans: list[tuple[int, int] | None] = [None] * len(grids)
    spans[-1] = (1, len(lines) - 2)
    result = extract_tables(Document(format="html", text="\n".join(lines), tables=grids, grid_lines=spans))
    assert result.legacy == record["legacy"]
    assert result.table_lines == set(range(1, len(lines) - 1))
    # a reader whose line list does not match its grids is not trusted: the cells are matched instead
    bad = extract_tables(Document(format="html", text="\n".join(lines), tables=grids, grid_lines=[]))
    assert bad.table_lines == result.table_lines


def test_header_placements_kept_across_reports_change_no_reading() -> None:
    """Where a header puts each row's columns is kept from report to report (cells._COLUMNS): a
    report reads the same with it warm, after another schema's header, and with it empty."""
    first = extract_tables(Document(format="html", text="", tables=_grids()))
    other = _grids()
    for row in _table3(other)[:3]:
        row[-1] = "合计" if row[-1] == "总计" else row[-1]
    assert extract_tables(Document(format="html", text="", tables=other)) != first
    warm = extract_tables(Document(format="html", text="", tables=_grids()))
    _COLUMNS.clear()
    cold = extract_tables(Document(format="html", text="", tables=_grids()))
    assert warm == first and cold == first and first.cells == RECORD["cells"]
