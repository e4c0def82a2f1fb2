"""Record -> PDF the way most reports are published: written in Word, exported to PDF.

The DOCX of farm.render.docx is converted by LibreOffice, so the PDF has real ruling lines,
embedded CJK fonts, header rows repeated after page breaks and vertical merges cut by a page
break: exactly what parsers.formats.pdf has to cope with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from farm.render.cache import cached
from farm.render.docx import render_docx


def render_pdf(record: Mapping[str, Any]) -> bytes:
    from parsers.formats.office import convert

    return cached(record, "pdf", lambda: convert(render_docx(record), "docx", "pdf"))
