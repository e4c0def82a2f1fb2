"""Downloads are the bytes `govreports export` writes for the same selection."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from webtools import Client

from govreports.cli import main


def cli_out(capsys, *argv: str) -> bytes:
    assert main(list(argv)) == 0
    return capsys.readouterr().out.encode("utf-8")


def test_csv_and_jsonl_equal_the_export_command(client: Client, web_db: str, capsys) -> None:
    for fmt in ("csv", "jsonl"):
        r = client.get(f"/export.{fmt}", {"year": 2023, "portal": "p"})
        assert r.status == 200
        assert r.body == cli_out(
            capsys, "export", "--format", fmt, "--year", "2023", "--portal", "p", "--db", web_db
        )
        assert r.headers["Content-Disposition"] == f'attachment; filename="govreports-p-2023.{fmt}"'
    lines = [
        json.loads(x) for x in client.get("/export.jsonl", {"year": 2023, "portal": "p"}).text.splitlines()
    ]
    assert {x["agency"] for x in lines} == {"城乡一体化示范区党政办公室", "绥阳县小关乡"}
    every = client.get("/export.jsonl", {"agency": "绥阳县小关乡", "portal": "p", "all_versions": 1})
    assert [(x["year"], x["archive"]["version"]) for x in map(json.loads, every.text.splitlines())] == [
        (2022, 1),
        (2023, 1),
        (2023, 2),
    ]


def test_xlsx_keeps_money_as_text(client: Client) -> None:
    r = client.get("/export.xlsx", {"year": 2023, "portal": "p"})
    assert r.status == 200 and r.body[:2] == b"PK"
    wb = load_workbook(io.BytesIO(r.body), read_only=True)
    values = list(wb["reports"].values)
    wb.close()
    header = list(values[0])
    row = next(v for v in values[1:] if v[0] == "城乡一体化示范区党政办公室")
    assert row[header.index("active.admin_fees.amount_wan")] == "5949.088667"


def test_missing_and_late_lists_as_csv(client: Client) -> None:
    import csv

    params = {"year": 2023, "as_of": "2024-06-01", "portal": "p"}
    late = list(csv.DictReader(io.StringIO(client.get("/late.csv", params).text)))
    assert late == [
        {"agency": "乐清市新居民服务中心", "portal": "p", "year": "2023", "deadline": "2024-01-31", "published": "",
         "first_seen": "", "days_late": "122"},
        {"agency": "城乡一体化示范区党政办公室", "portal": "p", "year": "2023", "deadline": "2024-01-31",
         "published": "", "first_seen": "2024-02-05T00:00:00Z", "days_late": "5"},
    ]  # fmt: skip
    missing = client.get("/missing.csv", params)
    assert missing.headers["Content-Disposition"] == 'attachment; filename="missing-p-2023.csv"'
    assert list(csv.reader(io.StringIO(missing.text))) == [
        ["agency", "portal", "year", "expected_because"],
        ["乐清市新居民服务中心", "p", "2023", "reported for 2022"],
    ]
    assert client.get("/late.csv", {"portal": "p"}).status == 400  # the year is required, as for JSON
