"""Hostile or broken attachments give one clear error (an error record), nothing else."""

from __future__ import annotations

import contextlib
import io
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from parsers.errors import UnreadableDocument
from parsers.formats import docx, office, pdf, sheet
from parsers.formats.sniff import sniff_format
from parsers.parse import parse_bytes
from settings import parse as limits


def _pdf(pages: int = 1) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.drawString(72, 720, f"page {i + 1} of an annual report, with enough text to count as text")
        c.showPage()
    c.save()
    return out.getvalue()


def _error_only(data: bytes, path: str) -> str:
    record = parse_bytes(data, path=path)
    assert set(record) == {"schema", "source", "error"}, record
    return record["error"]


def test_encrypted_pdf() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UnreadableDocument, match="encrypted PDF"):
        pdf.read(out.getvalue())
    assert "encrypted PDF" in _error_only(out.getvalue(), "a.pdf")


def test_owner_only_encryption_is_readable() -> None:
    # Most government PDFs forbid printing/copying with an empty user password: still readable.
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", permissions_flag=0xFFFFF0C0)
    out = io.BytesIO()
    writer.write(out)
    assert "annual report" in pdf.read(out.getvalue()).text


def test_truncated_pdf() -> None:
    data = _pdf(3)
    with pytest.raises(UnreadableDocument, match="truncated PDF"):
        pdf.read(data[: len(data) // 2])
    assert "truncated PDF" in _error_only(data[: len(data) // 2], "a.pdf")


def test_too_many_pages() -> None:
    data = _pdf(200)
    with pytest.raises(UnreadableDocument, match=f"200 pages \\(limit {limits.PDF_MAX_PAGES}\\)"):
        pdf.read(data)
    assert "200 pages" in _error_only(data, "big.pdf")


def test_html_claiming_to_be_pdf() -> None:
    data = b"<!DOCTYPE html><html><head><title>404</title></head><body>file not found</body></html>"
    assert sniff_format(data) == "html"  # the format comes from the bytes, not the name
    with pytest.raises(UnreadableDocument, match="not a PDF: the bytes are HTML"):
        pdf.read(data)


def _bomb(member_bytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(member_bytes >> 20):
                fh.write(chunk)
    return out.getvalue()


@contextlib.contextmanager
def no_inflate() -> Iterator[None]:
    """Fail if anything inflates a zip member: the guard must decide from the directory alone."""

    def refuse(*args, **kwargs):
        raise AssertionError("a zip member was inflated before the bomb check")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(zipfile.ZipFile, "open", refuse)
        yield


def test_docx_zip_bomb_by_ratio() -> None:
    data = _bomb(64 << 20)  # 64 MB of zeros -> ~64 kB
    assert len(data) < 1 << 20
    with no_inflate(), pytest.raises(UnreadableDocument, match="possible zip bomb"):
        docx.read(data)


def test_docx_zip_bomb_by_total_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ZIP_MAX_UNCOMPRESSED_BYTES", 8 << 20)
    monkeypatch.setattr(limits, "ZIP_MAX_RATIO", 10**9)  # only the total may refuse it
    data = _bomb(16 << 20)
    with no_inflate(), pytest.raises(UnreadableDocument, match=r"would expand to 16 MB \(limit 8 MB\)"):
        docx.read(data)


def test_docx_zip_bomb_error_record() -> None:
    assert "possible zip bomb" in _error_only(_bomb(64 << 20), "a.docx")


def test_xlsx_zip_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (32 << 20))
    with no_inflate(), pytest.raises(UnreadableDocument, match="possible zip bomb"):
        sheet.read_xlsx(out.getvalue())


def test_broken_docx() -> None:
    with pytest.raises(UnreadableDocument, match="broken DOCX"):
        docx.read(b"PK\x03\x04 not really a zip")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_hanging_libreoffice_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\necho $$ >> {pidfile}\nsleep 600 &\necho $! >> {pidfile}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GOVREPORTS_SOFFICE", str(fake))
    monkeypatch.setattr(limits, "SOFFICE_TIMEOUT_S", 2)
    # A private lock: real conversions running elsewhere on this machine must not delay this test.
    monkeypatch.setattr(office, "LOCK_PATH", tmp_path / "lock")
    started = time.monotonic()
    with pytest.raises(office.ConversionError, match="timed out after 2 s"):
        office.read_wps(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 fake wps")
    assert time.monotonic() - started < 20
    pids = [int(p) for p in pidfile.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), "soffice's process group survived the timeout"


def test_missing_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVREPORTS_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(UnreadableDocument):
        office.read_wps(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 fake wps")


def test_sniff_by_content() -> None:
    assert sniff_format(b"{\\rtf1\\ansi some text}") == "doc"
    assert sniff_format(_pdf()) == "pdf"
    assert sniff_format(b"  \n<html><body>x</body></html>") == "html"
    assert sniff_format(b"RIFF\0\0\0\0WEBPVP8 ") == "image"


@pytest.mark.office
def test_doc_falls_back_to_antiword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice failing on a real DOC: antiword still gives the text (tables inside it)."""
    from farm.render.office import render_doc
    from farm.render.samples import sample_records

    data = render_doc(sample_records()[-1])
    monkeypatch.setenv("GOVREPORTS_SOFFICE", "/nonexistent/soffice")
    doc = office.read_doc(data)
    assert doc.format == "doc" and not doc.tables
    assert "一、总体情况" in doc.text
    assert doc.meta.extra["reader"].startswith("antiword")
