"""The five seeds, read from their flattened text, give exactly the truth cells."""

from __future__ import annotations

import json

import pytest

from govreports.paths import PROJECT_ROOT
from parsers.document import Document
from parsers.tables import extract_tables

SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))
# Table-level findings each truth lists (the other ids are metadata/section/document checks).
TABLE_CHECKS = {"C06", "C07", "C12", "C24"}


def _load(stem: str) -> tuple[str, dict]:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    truth = json.loads((SEEDS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    return text, truth


def test_all_five_seeds_are_there() -> None:
    assert len(STEMS) == 5


@pytest.mark.parametrize("stem", STEMS)
def test_seed_cells_equal_truth(stem: str) -> None:
    text, truth = _load(stem)
    result = extract_tables(Document(format="txt", text=text))
    assert result.template == truth["template"]
    assert result.cells == truth["cells"]  # same keys (seed 000: no table 4), same values and types


@pytest.mark.parametrize("stem", STEMS)
def test_seed_table_findings_equal_truth(stem: str) -> None:
    text, truth = _load(stem)
    result = extract_tables(Document(format="txt", text=text))
    assert {f.check for f in result.findings} == set(truth["findings"]) & TABLE_CHECKS


def test_seed_000_has_no_table_4() -> None:
    text, _ = _load(STEMS[0])
    result = extract_tables(Document(format="txt", text=text))
    assert result.present == {"table2": True, "table3": True, "table4": False}
    assert not any(k.startswith("appeals.") for k in result.cells)
    (c06,) = [f for f in result.findings if f.check == "C06"]
    assert "table 4" in c06.message


def test_seed_004_typo_header_is_c24_with_the_repealed_keys() -> None:
    text, _ = _load(STEMS[4])
    (c24,) = extract_tables(Document(format="txt", text=text)).findings
    assert c24.check == "C24" and "本年度止件数" in c24.message
    assert set(c24.keys) == {"active.regulations.repealed", "active.normative_docs.repealed"}


@pytest.mark.parametrize("stem", STEMS)
def test_table_lines_cover_the_tables_but_not_the_section_headings(stem: str) -> None:
    text, _ = _load(stem)
    lines = text.splitlines()
    used = extract_tables(Document(format="txt", text=text)).table_lines
    assert any("第二十条" in lines[i] for i in used)
    assert any("结转下年度继续办理" in lines[i] for i in used)
    headings = [
        i for i, line in enumerate(lines) if line.strip().startswith(("二、主动", "三、收到", "五、", "六、"))
    ]
    assert headings and not used & set(headings)
    narrative = [i for i, line in enumerate(lines) if "信息处理费" in line or "依申请处理费用" in line]
    assert not used & set(narrative)


def test_table_4_without_figures_does_not_swallow_the_following_sections() -> None:
    text, _ = _load(STEMS[2])
    lines = [line for line in text.splitlines() if not line.startswith("0\t0\t0\t0\t0\t0\t0\t0")]
    result = extract_tables(Document(format="txt", text="\n".join(lines)))
    assert result.present["table4"] is False
    five = next(i for i, line in enumerate(lines) if line.startswith("五、"))
    assert max(result.table_lines) < five
