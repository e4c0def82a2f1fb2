"""Scanned reports: OCR per table cell gives the truth's cells or null with a finding, never a
wrong number."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.ocr, pytest.mark.office, pytest.mark.slow]

# Issue #5: at least 99 % of the cells right over all sample records, the rest null with a
# finding, never a wrong number. Measured: 1182/1183 = 99.9 % overall (the seeds 100 %, the
# v2019 sample 197/198: a "77" the digit model reads as "17" stays null). A single record may
# fall a little lower without failing the target, but not far.
MIN_RIGHT = 0.99
MIN_RIGHT_RECORD = 0.97

_docs: dict[str, Any] = {}


def _score(record: dict[str, Any]) -> tuple[int, int, dict[str, Any], list[str], set[str]]:
    """(right, total, wrong cells, null cells, keys with a finding) of one record's scan."""
    from parsers.tables import extract_tables

    result = extract_tables(_ocr(record))
    assert result.template == record["template"]
    truth = record["cells"]
    wrong = {k: (v, truth.get(k)) for k, v in result.cells.items() if v is not None and v != truth.get(k)}
    nulls = [k for k in truth if result.cells.get(k) is None and truth[k] is not None]
    flagged = {k for f in result.findings for k in f.keys}
    right = sum(1 for k, v in truth.items() if result.cells.get(k) == v)
    return right, len(truth), wrong, nulls, flagged


def _ocr(record: dict[str, Any]) -> Any:
    from farm.render.scan import render_scanned_pdf
    from parsers.formats import pdf

    if record["id"] not in _docs:
        data = render_scanned_pdf(record)
        _docs[record["id"]] = pdf.read(data)
    return _docs[record["id"]]


def test_scanned_pdf_cells(record: dict[str, Any]) -> None:
    doc = _ocr(record)
    assert doc.format == "pdf"
    assert doc.meta.extra.get("ocr")
    right, total, wrong, nulls, flagged = _score(record)
    assert not wrong, f"OCR produced wrong numbers: {wrong}"
    assert set(nulls) <= flagged, f"null cells without a finding: {set(nulls) - flagged}"
    assert right / total >= MIN_RIGHT_RECORD, f"{right}/{total} cells right; missed {nulls}"


def test_scanned_pdf_accuracy_over_all_samples(records: list[dict[str, Any]]) -> None:
    """The issue's target, over every sample record together (reuses the per-record scans)."""
    scores = {r["id"]: _score(r) for r in records}
    right = sum(s[0] for s in scores.values())
    total = sum(s[1] for s in scores.values())
    missed = {rid: s[3] for rid, s in scores.items() if s[3]}
    assert not any(s[2] for s in scores.values()), "OCR produced wrong numbers"
    assert right / total >= MIN_RIGHT, f"{right}/{total} = {right / total:.2%} cells right; missed {missed}"


def test_scanned_pdf_text(record: dict[str, Any]) -> None:
    doc = _ocr(record)
    lines = doc.text.splitlines()
    assert "一、总体情况" in lines
    assert len(doc.tables) == sum(
        1 for k in ("active.", "applications.", "appeals.") if any(c.startswith(k) for c in record["cells"])
    )


def test_image_reader() -> None:
    """A single page image (PNG) goes through the same OCR path."""
    import io
    import subprocess
    import tempfile
    from pathlib import Path

    from farm.render.samples import sample_records
    from farm.render.scan import render_scanned_pdf
    from parsers.formats import ocr
    from parsers.formats.sniff import sniff_format

    record = sample_records()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "s.pdf"
        src.write_bytes(render_scanned_pdf(record))
        subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", "1", str(src), f"{tmp}/p"], check=True
        )
        png = next(Path(tmp).glob("p-*.png")).read_bytes()
    assert sniff_format(png) == "image"
    doc = ocr.read_image(io.BytesIO(png).getvalue())
    assert doc.format == "image"
    assert doc.tables, "the first page's table was not found"
    assert "一、总体情况" in doc.text.splitlines()
