"""The archive commands (export, missing, late, diff) end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from archive.api import Archive
from govreports.cli import main

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PG_URL = os.environ.get("GOVREPORTS_TEST_PG_URL")
SECTION_IDS = ("overview", "proactive", "applications", "review_litigation", "problems", "other")


def _record(stem: str, **changes) -> dict:
    truth = json.loads((SEEDS / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    rec = {
        "schema": "govreports/annual-report@1",
        "title": truth["title"],
        "agency": truth["agency"],
        "year": truth["year"],
        "template": truth["template"],
        "body_kind": truth["body_kind"],
        "dates": dict(truth["dates"]),
        "source": {"path": f"{stem}.txt", "url": None, "format": "txt", "sha256": None},
        "cells": dict(truth["cells"]),
        "sections": dict.fromkeys(SECTION_IDS, "（正文）"),
        "findings": [{"check": c, "severity": "warn", "message": "", "keys": []} for c in truth["findings"]],
    }
    rec.update(changes)
    return rec


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if not (SEEDS / "truth").is_dir():
        pytest.skip("../shared/seeds not beside this checkout")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
        _fill(url, tmp_path)
        yield url
        return
    if not PG_URL:
        pytest.skip("GOVREPORTS_TEST_PG_URL not set (run under scripts/with-postgres)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options={quote(f'-csearch_path={schema}')}"
    _fill(url, tmp_path)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _fill(url: str, tmp_path: Path) -> None:
    """Seeds 001 and 004 for 2022 and 2023, 002 only for 2022 (so missing/late for 2023)."""
    arc = Archive.open(url, captures_dir=tmp_path / "cap")
    t22, t23 = datetime(2023, 1, 20, tzinfo=UTC), datetime(2024, 2, 5, tzinfo=UTC)
    for stem in ("001_dfce13c1242a961e", "002_011c0692f2297363", "004_cad4fa3e014eb2f3"):
        r22 = _record(stem, year=2022)
        r22["dates"]["published"] = None
        arc.store_report(portal="p", url=f"http://p.test/22/{stem}", record=r22, fetched_at=t22)
    arc.store_report(
        portal="p", url="http://p.test/23/1", record=_record("001_dfce13c1242a961e"), fetched_at=t23
    )
    r4 = _record("004_cad4fa3e014eb2f3")
    r4["cells"]["active.admin_fees.amount_wan"] = "5949.088667"
    arc.store_report(portal="p", url="http://p.test/23/4", record=r4, fetched_at=t23)
    arc.close()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_json_and_table(db: str, capsys) -> None:
    code, out, _ = run(capsys, "missing", "--year", "2023", "--as-of", "2024-06-01", "--db", db, "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "agency": "乐清市新居民服务中心",
            "portal": "p",
            "year": 2023,
            "expected_because": "reported for 2022",
        }
    ]
    code, out, _ = run(capsys, "missing", "--year", "2023", "--as-of", "2024-06-01", "--db", db)
    assert "乐清市新居民服务中心" in out and "reported for 2022" in out and "1 bodies" in out


def test_late_json(db: str, capsys) -> None:
    _, out, _ = run(capsys, "late", "--year", "2023", "--as-of", "2024-06-01", "--db", db, "--json")
    rows = json.loads(out)
    # 004 first seen Feb 5 with no stated date (5 days late); 002 still missing (122 days to Jun 1);
    # 001 states 2024-01-30 (on time).
    assert rows == [
        {"agency": "乐清市新居民服务中心", "portal": "p", "year": 2023, "deadline": "2024-01-31", "published": None,
         "first_seen": None, "days_late": 122},
        {"agency": "城乡一体化示范区党政办公室", "portal": "p", "year": 2023, "deadline": "2024-01-31",
         "published": None, "first_seen": "2024-02-05T00:00:00Z", "days_late": 5},
    ]  # fmt: skip
    _, out, _ = run(capsys, "late", "--year", "2023", "--as-of", "2024-06-01", "--db", db)
    assert "(missing)" in out and "1 still missing" in out


def test_diff_json(db: str, capsys) -> None:
    code, out, _ = run(
        capsys,
        "diff",
        "--agency",
        "城乡一体化示范区党政办公室",
        "--from",
        "2022",
        "--to",
        "2023",
        "--db",
        db,
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert {k: result[k] for k in ("agency", "from", "to")} == {
        "agency": "城乡一体化示范区党政办公室",
        "from": 2022,
        "to": 2023,
    }
    assert result["changes"] == [
        {"key": "active.admin_fees.amount_wan", "from": "0", "to": "5949.088667", "delta": "5949.088667"}
    ]
    assert isinstance(result["findings"], list)
    code, out, _ = run(
        capsys, "diff", "--agency", "城乡一体化示范区党政办公室", "--from", "2022", "--to", "2023", "--db", db
    )
    assert "active.admin_fees.amount_wan" in out and "5949.088667" in out


def test_export_formats(db: str, capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "export", "--year", "2023", "--db", db)
    lines = [json.loads(x) for x in out.splitlines()]
    assert [r["agency"] for r in lines] == ["城乡一体化示范区党政办公室", "绥阳县小关乡"]
    assert lines[0]["archive"]["url"] == "http://p.test/23/4" and lines[0]["archive"]["version"] == 1
    assert lines[0]["cells"]["active.admin_fees.amount_wan"] == "5949.088667"

    code, out, _ = run(
        capsys, "export", "--format", "csv", "--agency", "城乡一体化示范区党政办公室", "--db", db
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["year"] for r in rows] == ["2022", "2023"]
    assert rows[1]["active.admin_fees.amount_wan"] == "5949.088667"
    assert rows[1]["applications.new_received.total"] == "51"
    assert rows[1]["findings"] == "C17 C24"

    path = tmp_path / "out.xlsx"
    code, _, err = run(capsys, "export", "--format", "xlsx", "-o", str(path), "--db", db)
    assert code == 0 and "5 records" in err
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    values = list(wb["reports"].values)
    wb.close()
    header = list(values[0])
    row = next(r for r in values[1:] if r[0] == "城乡一体化示范区党政办公室" and r[2] == 2023)
    assert row[header.index("active.admin_fees.amount_wan")] == "5949.088667"  # text, never a float
    assert row[header.index("applications.new_received.total")] == 51


def test_errors_are_one_line_without_traceback(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "missing", "--year", "2023", "--db", "sqlite:////no/such/dir/a.db")
    assert (
        code == 2
        and err.startswith("govreports missing: error: cannot open archive")
        and "Traceback" not in err
    )
    code, _, err = run(capsys, "export", "--format", "xlsx", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and "needs -o FILE" in err
    code, _, err = run(
        capsys,
        "diff",
        "--agency",
        "无此机关",
        "--from",
        "2022",
        "--to",
        "2023",
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert code == 2 and "no body called '无此机关'" in err
