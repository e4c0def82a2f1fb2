"""`govreports late --year Y [--as-of DATE] [--portal NAME] [--json]`: reports released after their deadline (C02)."""

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
        "late", help="reports for a year released after their deadline, or still missing past it"
    )
    p.add_argument("--year", type=int, required=True, help="report year (the statistical year)")
    p.add_argument("--as-of", type=as_of_date, metavar="DATE", help="judge as on DATE (default: today)")
    add_portal_filter_option(p)
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        rows = archive.late(args.year, args.as_of, portal=checked_portal(archive, args.portal))
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"No {args.year} report is late.")
        return 0
    table = [
        [
            r["agency"],
            r["portal"],
            r["deadline"],
            r["published"]
            if r["published"]
            else ("(missing)" if r["first_seen"] is None else "(not stated)"),
            r["first_seen"],
            r["days_late"],
        ]
        for r in rows
    ]
    print(render(["agency", "portal", "deadline", "published", "first seen", "days late"], table))
    missing = sum(1 for r in rows if r["first_seen"] is None)
    print(f"\n{len(rows)} late for {args.year} ({missing} still missing).")
    return 0
