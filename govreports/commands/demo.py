"""`govreports demo`: start the bundled sample portals on loopback, crawl them into a fresh
archive in the data folder, print what a user looks at first: the per-portal crawl summary and
which reports are missing or late."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from govreports import paths
from govreports.commands._common import add_json_option
from govreports.commands.crawl import format_rows, format_summary
from govreports.errors import GovreportsError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="crawl the bundled sample portals into a fresh archive and show the results"
    )
    p.add_argument("--profile", default="demo", help="farm profile (name in farm/profiles or a YAML path)")
    p.add_argument(
        "--keep-serving", action="store_true", help="keep the sample portals up afterwards (Ctrl-C stops)"
    )
    add_json_option(p)
    p.set_defaults(func=run)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "  (none)"
    cells = [columns] + [[str(r.get(c) if r.get(c) is not None else "-") for c in columns] for r in rows]
    return format_rows(cells, indent="  ")


def run(args: argparse.Namespace) -> int:
    try:
        from farm import Farm
    except ImportError as exc:  # pragma: no cover - the farm ships with the project
        raise GovreportsError(f"the sample portal farm is not available: {exc}") from exc
    from archive.api import Archive

    base = paths.data_dir() / "demo"
    db_file = base / "archive.sqlite3"
    # A fresh archive each time: the demo shows one crawl from nothing.
    for old in (db_file, base / "archive.sqlite3-wal", base / "archive.sqlite3-shm"):
        old.unlink(missing_ok=True)
    shutil.rmtree(base / "archive.sqlite3.captures", ignore_errors=True)
    base.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{db_file}"
    log_file = base / "crawl.log"
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))

    with Farm.start(profile=args.profile, data_dir=base / "farm") as farm:
        say(f"Sample portals on loopback ({len(farm.portals)}):")
        for name, url in farm.addresses.items():
            say(f"  {name:14} {url}")
        say("Rendering the sample documents …")
        farm.warm()
        say(f"Crawling into {db_file} (log: {log_file}) …")
        # A subprocess: Scrapy's reactor runs once per process, as under the scheduler.
        cmd = [sys.executable, "-m", "govreports", "crawl", "--portals", str(farm.portals_file), "--db", db]
        cmd += ["--json", "--no-resume", "--log-file", str(log_file)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=paths.PROJECT_ROOT)
        if proc.returncode != 0 or not proc.stdout.strip():
            raise GovreportsError(f"the demo crawl failed (see {log_file}): {proc.stderr.strip()[-500:]}")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])

        with Archive.open(db) as archive:
            years = sorted({r["year"] for r in archive.export() if isinstance(r.get("year"), int)})
            today = datetime.now(UTC).date()
            recent = [y for y in years if y + 1 < today.year or (y + 1 == today.year and today.month > 3)][
                -2:
            ]
            overview = {y: {"missing": archive.missing(y), "late": archive.late(y)} for y in recent}

        if args.json:
            print(json.dumps({"summary": summary, "overview": overview}, ensure_ascii=False, default=str))
        else:
            print("\nCrawl summary")
            print(format_summary(summary))
            if overview:
                print("\nPer reporting year: missing / late")
                print(
                    "  "
                    + "   ".join(f"{y}: {len(o['missing'])}/{len(o['late'])}" for y, o in overview.items())
                )
            for y, o in list(overview.items())[-2:]:
                print(f"\nMissing reports for {y} ({len(o['missing'])})")
                print(_table(o["missing"], ["agency", "portal", "expected_because"]))
                print(f"\nLate reports for {y} ({len(o['late'])})")
                print(_table(o["late"], ["agency", "portal", "deadline", "published", "days_late"]))
            print(f"\nArchive: {db_file}\nTry: govreports export --db {db} | head -1")
            print(f"     govreports serve --db {db}   (the dashboard on http://127.0.0.1:8000/)")
        if args.keep_serving:
            say("\nSample portals keep serving; Ctrl-C stops them.")
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0
