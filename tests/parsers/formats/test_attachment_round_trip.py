"""Every attachment format made from a truth record reads back to the record's tables.

Per format and record: the renderer's file is sniffed as that format, the reader's grids equal
the rendered tables cell for cell (spans resolved), the running text has the section headings
and no table content, and the shared table code turns the Document into the truth's cells.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest

from parsers.document import Document
from parsers.formats.sniff import sniff_format

office = pytest.mark.office
# format -> (renderer "module:function", reader "module:function", marks)
FORMATS: dict[str, tuple[str, str, list[Any]]] = {
    "docx": ("farm.render.docx:render_docx", "parsers.formats.docx:read", []),
    "pdf": ("farm.render.pdf:render_pdf", "parsers.formats.pdf:read", [office]),
    "doc": ("farm.render.office:render_doc", "parsers.formats.office:read_doc", [office]),
    "wps": ("farm.render.office:render_wps", "parsers.formats.office:read_wps", [office]),
    "xlsx": ("farm.render.xlsx:render_xlsx", "parsers.formats.sheet:read_xlsx", []),
    "xls": ("farm.render.xlsx:render_xls", "parsers.formats.sheet:read_xls", [office]),
    "ofd": ("farm.render.ofd:render_ofd", "parsers.formats.ofd:read", []),
}
# Formats that carry only the tables (a workbook has no narrative paragraphs).
TABLES_ONLY = {"xlsx", "xls"}


def _load(target: str) -> Callable[..., Any]:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


_docs: dict[tuple[str, str], Document] = {}


def _read(fmt: str, record: dict[str, Any]) -> tuple[bytes, Document]:
    render, reader, _ = FORMATS[fmt]
    data = _load(render)(record)
    key = (fmt, record["id"])
    if key not in _docs:
        _docs[key] = _load(reader)(data)
    return data, _docs[key]


FORMAT_PARAMS = [pytest.param(f, marks=m, id=f) for f, (_, _, m) in FORMATS.items()]


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_grids_and_text(fmt: str, record: dict[str, Any], check_grids) -> None:
    data, doc = _read(fmt, record)
    assert sniff_format(data) == fmt
    assert doc.format == fmt
    check_grids(doc, record)
    lines = doc.text.splitlines()
    if fmt not in TABLES_ONLY:
        assert "一、总体情况" in lines
    assert not any("结果维持" in ln or "申请人情况" in ln for ln in lines), "table text leaked into the text"
    if fmt in ("docx", "pdf", "ofd"):
        assert doc.meta.title == record["title"]
    assert not doc.uncertain


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_cells_equal_truth(fmt: str, record: dict[str, Any], check_cells) -> None:
    _, doc = _read(fmt, record)
    check_cells(doc, record)


def _without_ruling_lines(ofd_bytes: bytes) -> bytes:
    import io
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(ofd_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("Content.xml"):
                data = re.sub(rb"<ofd:PathObject.*?</ofd:PathObject>", b"", data)
            dst.writestr(name, data)
    return out.getvalue()


def test_ofd_without_ruling_lines_never_gives_a_wrong_number(record: dict[str, Any]) -> None:
    """No PathObjects: the tables stay in the text (wide gaps as tabs) for the text layouts of
    parsers.tables. Some cells may come out null (with findings); none may come out wrong."""
    from farm.render.ofd import render_ofd
    from parsers.formats import ofd

    doc = ofd.read(_without_ruling_lines(render_ofd(record)))
    assert doc.tables == []
    assert "\t" in doc.text
    try:
        from parsers.tables import extract_tables
    except ImportError:
        pytest.skip("parsers.tables.extract_tables not available yet")
    result = extract_tables(doc)
    wrong = {
        k: (v, record["cells"].get(k))
        for k, v in result.cells.items()
        if v is not None and v != record["cells"].get(k)
    }
    assert not wrong
    nulls = [k for k, v in result.cells.items() if v is None]
    assert not nulls or result.findings
