"""Record -> DOC and WPS, converted by LibreOffice from the DOCX of farm.render.docx.

WPS: LibreOffice cannot write Kingsoft's own format. What WPS Office saves as `.wps` is an OLE
compound file in the Word 97 binary layout, recognisable by the `KSOProductBuildVer` custom
property WPS stamps on every document. `render_wps` therefore writes a Word 97 file carrying
that property: the same bytes layout a WPS-made file has, but not a file WPS itself wrote
(no WpsCustomData stream, no Kingsoft-specific records).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

from farm.render.cache import cached
from farm.render.docx import render_docx

WPS_BUILD = "2052-11.1.0.14036"  # a WPS Office build number as WPS writes it (zh-CN locale 2052)


def render_doc(record: Mapping[str, Any]) -> bytes:
    from parsers.formats.office import convert

    return cached(record, "doc", lambda: convert(render_docx(record), "docx", "doc:MS Word 97"))


def render_wps(record: Mapping[str, Any]) -> bytes:
    from parsers.formats.office import convert

    return cached(
        record, "wps", lambda: convert(_with_wps_property(render_docx(record)), "docx", "doc:MS Word 97")
    )


_CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
    f"<vt:lpwstr>{WPS_BUILD}</vt:lpwstr></property></Properties>"
)
_CUSTOM_CT = (
    '<Override PartName="/docProps/custom.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
)
_CUSTOM_REL = (
    '<Relationship Id="rIdCustomProps" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
    'Target="docProps/custom.xml"/>'
)


def _with_wps_property(docx_bytes: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", _CUSTOM_CT.encode() + b"</Types>")
            elif item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", _CUSTOM_REL.encode() + b"</Relationships>")
            dst.writestr(item, data)
        dst.writestr("docProps/custom.xml", _CUSTOM_XML)
    return out.getvalue()
