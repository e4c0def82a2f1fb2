"""The attachment renderers: right format, cached on disk, faithful to the record's tables."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from farm.render import cache
from farm.render.docx import render_docx
from farm.render.layout import expected_grids
from farm.render.ofd import render_ofd
from farm.render.samples import sample_records
from farm.render.xlsx import render_xlsx
from parsers.formats.sniff import sniff_format

RECORDS = sample_records()
IDS = [r["id"] for r in RECORDS]


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVREPORTS_CACHE", str(tmp_path))
    return tmp_path


def test_cache_is_keyed_by_record_and_format(fresh_cache: Path) -> None:
    record = RECORDS[0]
    first = render_docx(record)
    files = list(fresh_cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".docx"
    assert render_docx(record) == first  # served from disk
    other = dict(record, title=record["title"] + "（修订）")
    assert render_docx(other) != first
    assert len(list(fresh_cache.iterdir())) == 2
    assert cache.cache_dir() == fresh_cache


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_docx_has_merged_cells(record: dict) -> None:
    xml = zipfile.ZipFile(io.BytesIO(render_docx(record))).read("word/document.xml").decode()
    assert sniff_format(render_docx(record)) == "docx"
    assert 'w:vMerge w:val="restart"' in xml  # 三、本年度办理结果 and the sub-groups
    assert "w:gridSpan" in xml
    assert "<w:tblHeader/>" in xml  # table 3/4 headers repeat after a page break


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_xlsx_and_ofd_formats(record: dict) -> None:
    assert sniff_format(render_xlsx(record)) == "xlsx"
    ofd = render_ofd(record)
    assert sniff_format(ofd) == "ofd"
    names = zipfile.ZipFile(io.BytesIO(ofd)).namelist()
    assert {"OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml"} <= set(names)
    content = zipfile.ZipFile(io.BytesIO(ofd)).read("Doc_0/Pages/Page_0/Content.xml").decode()
    assert "<ofd:TextObject" in content and "<ofd:PathObject" in content


def test_layout_matches_the_template() -> None:
    v2021 = next(
        r for r in RECORDS if r["template"] == "v2021" and any(k.startswith("appeals.") for k in r["cells"])
    )
    _, t3, t4 = expected_grids(v2021)
    assert len(t3) == 3 + 25 and len(t3[0]) == 10  # header block + 25 rows (v2021, §2.2)
    assert sum(1 for row in t3 if row[0] == "三、本年度办理结果") == 22
    assert len(t4) == 4 and len(t4[-1]) == 15
    v2019 = next(r for r in RECORDS if r["template"] == "v2019")
    assert sum(1 for row in expected_grids(v2019)[1] if row[0] == "三、本年度办理结果") == 20


@pytest.mark.office
@pytest.mark.parametrize("record", RECORDS[-2:], ids=IDS[-2:])
def test_pdf_has_cjk_fonts_and_scan_has_no_text(record: dict, tmp_path: Path) -> None:
    from farm.render.pdf import render_pdf
    from farm.render.scan import render_scanned_pdf

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_pdf(record))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    scan = tmp_path / "s.pdf"
    scan.write_bytes(render_scanned_pdf(record))
    text = subprocess.run(["pdftotext", str(scan), "-"], capture_output=True, text=True, check=True).stdout
    assert not text.strip()
    images = subprocess.run(
        ["pdfimages", "-list", str(scan)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.splitlines()) > 2


@pytest.mark.office
def test_doc_and_wps_are_ole_files() -> None:
    from farm.render.office import render_doc, render_wps

    record = RECORDS[0]
    assert sniff_format(render_doc(record)) == "doc"
    assert sniff_format(render_wps(record)) == "wps"
