"""`govreports export [--year Y] [--agency A] [--all-versions] [--format jsonl|csv|xlsx] [-o FILE]`."""

from __future__ import annotations

import argparse
import sys

from govreports.commands._common import add_db_option, open_archive
from govreports.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="records in the archive with their archive block (JSONL, CSV or XLSX)")
    p.add_argument("--year", type=int, help="only this report year")
    p.add_argument("--agency", help="only this body")
    p.add_argument("--portal", help="only this portal")
    p.add_argument(
        "--all-versions", action="store_true", help="every version, not only the latest per report"
    )
    p.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default="jsonl")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and not args.output:
        raise ConfigError("--format xlsx needs -o FILE (a workbook is not written to a terminal)")
    from archive.exporters import write_export

    with open_archive(args.db) as archive:
        count = write_export(
            archive,
            fmt=args.format,
            output=args.output,
            stdout=sys.stdout,
            year=args.year,
            agency=args.agency,
            portal=args.portal,
            all_versions=args.all_versions,
        )
    if args.output:
        print(f"{count} records written to {args.output}", file=sys.stderr)
    return 0
