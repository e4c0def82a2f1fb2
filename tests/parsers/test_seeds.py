"""The five seeds through `parse_bytes` reproduce their truth records exactly — as the text files
they are, and as detail pages rendered from their records (UTF-8 and GBK)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parsers.parse import parse_bytes

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))
FIELDS = ("title", "agency", "year", "template", "body_kind", "dates")
# The document-level checks a truth record lists (C20–C23 need the archive).
DOC_CHECKS = {f"C{n:02d}" for n in range(4, 20)} | {"C24"}


def truth(stem: str) -> dict[str, Any]:
    return json.loads((SEEDS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))


def assert_matches(record: dict[str, Any], expected: dict[str, Any], *, findings: set[str]) -> None:
    assert "error" not in record, record.get("error")
    assert {k: record[k] for k in FIELDS} == {k: expected[k] for k in FIELDS}
    present = [sid for sid, text in record["sections"].items() if text is not None]
    assert present == expected["sections_present"]
    assert record["cells"] == expected["cells"]
    assert {f["check"] for f in record["findings"]} & DOC_CHECKS == findings


@pytest.mark.parametrize("stem", STEMS)
def test_seed_text(stem: str) -> None:
    path = SEEDS / f"{stem}.txt"
    record = parse_bytes(path.read_bytes(), path=str(path))
    expected = truth(stem)
    assert record["source"]["format"] == "txt"
    assert_matches(record, expected, findings=set(expected["findings"]))


def test_seed_findings_carry_spec_severities_and_messages() -> None:
    path = SEEDS / "000_ef311760e166d8f9.txt"
    findings = parse_bytes(path.read_bytes())["findings"]
    by_id = {f["check"]: f for f in findings}
    assert by_id["C05"]["severity"] == "error" and by_id["C06"]["severity"] == "error"
    assert by_id["C19"]["severity"] == "info"
    assert all(f["message"] for f in findings)


# ---- the same reports as portal detail pages ---------------------------------------------------


def _page_record(stem: str) -> dict[str, Any]:
    """The truth record with the narrative the page shows: farm.corpus's when it has the seed,
    else the seed's own preface and section texts (tables excluded)."""
    record = truth(stem)
    try:
        from farm.corpus import load_base_records

        base = load_base_records().get(stem)
    except ImportError:
        base = None
    if base and isinstance(base.get("sections"), dict):
        return {**record, "preface": base.get("preface"), "sections": base["sections"]}
    from parsers.formats.text import read
    from parsers.sections import split_sections
    from parsers.tables import extract_tables

    doc = read((SEEDS / f"{stem}.txt").read_bytes())
    tables = extract_tables(doc)
    split = split_sections(doc.text, tables.table_lines)
    lines = doc.text.splitlines()
    first = split.headings[0].line if split.headings else len(lines)
    preface = [ln for ln in lines[:first] if ln.strip()][1:]  # without the title line
    record = dict(record)
    record["preface"] = "\n".join(preface)
    record["sections"] = {sid: text for sid, text in split.sections.items()}
    record["headings"] = {h.section: h.text for h in split.headings}
    record["signature"] = False  # the seed's own 落款 is part of its text
    return record


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("stem", STEMS)
def test_seed_as_html_page(stem: str, encoding: str) -> None:
    render = pytest.importorskip("farm.render.html_report")
    record = _page_record(stem)
    page = render.render_html(record, encoding=encoding)
    parsed = parse_bytes(page, url=f"http://127.0.0.1/zwgk/xxgknb/{stem}.html")
    assert parsed["source"]["format"] == "html"
    # The renderer prints the canonical table labels, so seed 004's typo (C24) is not on the page.
    assert_matches(parsed, record, findings=set(record["findings"]) - {"C24"})
