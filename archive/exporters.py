"""Writers for `govreports export`: JSONL (the record as is), CSV and XLSX (one row per report).

CSV/XLSX columns: identity and archive fields, then one column per cell key of the templates the
selection contains (keys.yaml order), then the finding ids. Money cells stay decimal strings —
never floats — in both formats.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from archive.api import Archive
from archive.queries.export import templates_in
from govreports import spec
from govreports.errors import ArchiveError

FIXED = ("agency", "portal", "year", "version", "first_seen", "last_seen", "url", "title", "template",
         "body_kind", "published", "signed", "period_start", "period_end", "format", "source_sha256")  # fmt: skip


def columns(templates: list[str]) -> list[str]:
    keys: dict[str, None] = {}
    for t in templates:
        keys.update(dict.fromkeys(spec.key_names(t)))
    return [*FIXED, *keys, "findings"]


def flat_row(record: dict[str, Any], cols: list[str]) -> list[Any]:
    arc = record.get("archive") or {}
    dates = record.get("dates") or {}
    source = record.get("source") or {}
    fixed = {
        "agency": record.get("agency"),
        "portal": arc.get("portal"),
        "year": record.get("year"),
        "version": arc.get("version"),
        "first_seen": arc.get("first_seen"),
        "last_seen": arc.get("last_seen"),
        "url": arc.get("url"),
        "title": record.get("title"),
        "template": record.get("template"),
        "body_kind": record.get("body_kind"),
        "published": dates.get("published"),
        "signed": dates.get("signed"),
        "period_start": dates.get("period_start"),
        "period_end": dates.get("period_end"),
        "format": source.get("format"),
        "source_sha256": source.get("sha256"),
        "findings": " ".join(sorted({f.get("check", "") for f in record.get("findings") or []})),
    }
    cells = record.get("cells") or {}
    return [fixed[c] if c in fixed else cells.get(c) for c in cols]


def write_export(
    archive: Archive,
    *,
    fmt: str,
    output: str | None,
    stdout: IO[str],
    year: int | None = None,
    agency: str | None = None,
    portal: str | None = None,
    all_versions: bool = False,
) -> int:
    filters = {"year": year, "agency": agency, "portal": portal, "all_versions": all_versions}
    records = archive.export(**filters)
    try:
        if fmt == "jsonl":
            return _with_text(output, stdout, lambda fh: _jsonl(records, fh))
        with archive.session() as s:
            cols = columns(templates_in(s, **filters) or ["v2021"])
        if fmt == "csv":
            return _with_text(output, stdout, lambda fh: _csv(records, cols, fh))
        if fmt == "xlsx":
            return _xlsx(records, cols, Path(output or "export.xlsx"))
    except BrokenPipeError:
        raise  # the reader (`| head`) has had enough; the CLI exits quietly
    except OSError as err:
        raise ArchiveError(f"cannot write {output or 'standard output'}: {err}") from err
    raise ValueError(f"unknown export format {fmt!r}")


def _with_text(output: str | None, stdout: IO[str], write) -> int:
    if output is None:
        return write(stdout)
    with open(output, "w", encoding="utf-8", newline="") as fh:
        return write(fh)


def _jsonl(records, fh: IO[str]) -> int:
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv(records, cols: list[str], fh: IO[str]) -> int:
    writer = csv.writer(fh)
    writer.writerow(cols)
    n = 0
    for rec in records:
        writer.writerow(["" if v is None else v for v in flat_row(rec, cols)])
        n += 1
    return n


def _xlsx(records, cols: list[str], path: Path) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("reports")
    ws.append(cols)
    n = 0
    for rec in records:
        ws.append(flat_row(rec, cols))
        n += 1
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return n
