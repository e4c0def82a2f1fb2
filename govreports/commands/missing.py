"""`govreports missing --year Y [--as-of DATE] [--portal NAME] [--json]`: expected bodies with no report (C01)."""

from __future__ import annotations

import argparse

from archive.table import render
from govreports.commands._common import (
    add_db_option,
    add_json_option,
    add_portal_filter_option,
    as_of_date,
    checked_portal,
    open_archive,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "missing", help="bodies expected to report for a year that have no report in the archive"
    )
    p.add_argument("--year", type=int, required=True, help="report year (the statistical year)")
    p.add_argument(
        "--as-of", type=as_of_date, metavar="DATE", help="the archive as it stood on DATE (default: today)"
    )
    add_portal_filter_option(p)
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        rows = archive.missing(args.year, args.as_of, portal=checked_portal(archive, args.portal))
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"No expected body lacks a {args.year} report.")
        return 0
    print(
        render(
            ["agency", "portal", "expected because"],
            [[r["agency"], r["portal"], r["expected_because"]] for r in rows],
        )
    )
    print(f"\n{len(rows)} bodies without a {args.year} report.")
    return 0
