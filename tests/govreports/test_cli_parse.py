"""`govreports parse`: one JSON line per input, a clear error line for bad input, never a traceback;
exit 0 when every input gave a record, 1 when any gave an error line (CONTRACT.md §2)."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from govreports.cli import main

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED = SEEDS / "004_cad4fa3e014eb2f3.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(["parse", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def test_seed_file(capsys) -> None:
    code, records, err = run(capsys, str(SEED))
    assert code == 0 and err == ""
    assert records[0]["agency"] == "城乡一体化示范区党政办公室"
    assert records[0]["source"]["path"] == str(SEED) and len(records[0]["source"]["sha256"]) == 64


def test_empty_file(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, records, err = run(capsys, str(empty))
    assert code == 1 and "Traceback" not in err
    assert records == [
        {"schema": "govreports/annual-report@1", "source": records[0]["source"], "error": "empty document"}
    ]


def test_binary_junk(tmp_path, capsys) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 64)
    code, records, _ = run(capsys, str(junk))
    assert code == 1 and "binary" in records[0]["error"]


def test_huge_file_is_refused_before_reading(tmp_path, capsys) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60 * 1024 * 1024)
    code, records, _ = run(capsys, str(big))
    assert code == 1 and records[0]["error"].startswith("document too large")


def test_gbk_html_declared_utf8(tmp_path, capsys) -> None:
    text = SEED.read_text(encoding="utf-8")
    paras = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip() and "\t" not in line)
    page = f'<html><head><meta charset="utf-8"><title>x</title></head><body>{paras}</body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gbk"))
    code, records, _ = run(capsys, str(path))
    assert code == 0
    assert records[0]["title"] == "城乡一体化示范区党政办公室 2023 年政府信息公开 工作年度报告"
    assert records[0]["source"]["format"] == "html"


def test_gb18030_text_file(tmp_path, capsys) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    code, records, _ = run(capsys, str(path))
    assert code == 0 and records[0]["agency"] == "城乡一体化示范区党政办公室"
    assert records[0]["cells"]["applications.new_received.total"] == 51


def test_html_without_report_gives_findings(tmp_path, capsys) -> None:
    path = tmp_path / "home.html"
    path.write_text(
        "<html><head><title>首页_某某县人民政府</title></head><body><p>欢迎访问</p></body></html>"
    )
    code, records, _ = run(capsys, str(path))
    assert code == 0
    checks = {f["check"] for f in records[0]["findings"]}
    assert {"C05", "C06", "C19"} <= checks
    assert records[0]["cells"] == {} and records[0]["year"] is None


def test_report_without_tables(tmp_path, capsys) -> None:
    text = "\n".join(line for line in SEED.read_text(encoding="utf-8").splitlines() if "\t" not in line)
    path = tmp_path / "notables.txt"
    path.write_text(text, encoding="utf-8")
    code, records, _ = run(capsys, str(path))
    assert code == 0
    record = records[0]
    assert record["cells"] == {}
    assert "C06" in {f["check"] for f in record["findings"]}
    assert record["year"] == 2023 and record["sections"]["overview"]


def test_missing_file_and_mixed_inputs_exit_1(tmp_path, capsys) -> None:
    code, records, _ = run(capsys, str(SEED), str(tmp_path / "nope.pdf"))
    assert code == 1
    assert "error" not in records[0] and records[1]["error"] == "no such file"


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    (tmp_path / "report.txt").write_bytes(SEED.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_inputs(server, capsys) -> None:
    code, records, _ = run(capsys, f"{server}/report.txt")
    assert code == 0
    assert records[0]["source"]["url"] == f"{server}/report.txt"
    assert records[0]["cells"]["applications.total_processed.total"] == 51
    code, records, _ = run(capsys, f"{server}/missing.html")
    assert code == 1 and records[0]["error"].startswith("HTTP 404")


def test_subprocess_bad_inputs_print_no_traceback(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02\xff" * 1000)
    broken_pdf = tmp_path / "broken.pdf"
    broken_pdf.write_bytes(b"%PDF-1.4\n" + b"\xff" * 500)
    proc = subprocess.run(
        [sys.executable, "-m", "govreports", "parse", str(empty), str(junk), str(broken_pdf), str(SEED)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 4
    assert all(line.get("error") for line in lines[:3])
    assert "error" not in lines[3]
