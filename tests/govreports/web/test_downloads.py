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
