"""The archive commands (export, missing, late, diff) end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_data import database_url, fill_small_archive, require_seeds

from govreports.cli import main


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The small archive of tests/support/archive_data.py (seeds 001/002/004 for 2022–2023)."""
    require_seeds()
    with database_url(request.param, tmp_path) as url:
        fill_small_archive(url, tmp_path / "cap")
        yield url


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


def test_missing_and_late_for_one_portal(db: str, capsys) -> None:
    when = ("--year", "2023", "--as-of", "2024-06-01", "--db", db, "--json")
    for command in ("missing", "late"):
        _, everything, _ = run(capsys, command, *when)
        code, only_p, _ = run(capsys, command, *when, "--portal", "p")
        assert code == 0 and json.loads(only_p) == [r for r in json.loads(everything) if r["portal"] == "p"]
        assert json.loads(only_p)  # the small archive's bodies are all on p
        code, out, err = run(capsys, command, *when, "--portal", "nosuch")
        assert code == 2 and out == ""
        assert err.strip().endswith("no portal 'nosuch' in the archive (known: p)")


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
