"""`govreports diff --agency A --from Y1 --to Y2 [--json]`: year-over-year comparison of one body.

With --from equal to --to: the body's versions within that year (silent revisions, C23).
"""

from __future__ import annotations

import argparse

from archive.table import render
from govreports.commands._common import add_db_option, add_json_option, open_archive, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="compare one body's reports across years (or its versions within a year)")
    p.add_argument("--agency", required=True, help="the body, as its reports name it")
    p.add_argument("--from", dest="from_year", type=int, required=True, metavar="Y1")
    p.add_argument("--to", dest="to_year", type=int, required=True, metavar="Y2")
    p.add_argument("--portal", help="the portal, when the name is on several")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        result = archive.diff(args.agency, args.from_year, args.to_year, portal=args.portal)
    if args.json:
        print_json(result)
        return 0
    title = f"{result['agency']} ({result['portal']}): {result['from']} → {result['to']}"
    if "versions" in result:
        v = result["versions"]
        title += f", version {v['from']} → {v['to']} of {v['count']}"
    print(title)
    if result.get("templates"):
        print(
            f"template {result['templates']['from']} → {result['templates']['to']}: only shared cells compared"
        )
    if result["changes"]:
        print()
        print(
            render(
                ["cell", "from", "to", "delta"],
                [[c["key"], c["from"], c["to"], c["delta"]] for c in result["changes"]],
            )
        )
    else:
        print("\nNo cell changed.")
    if result.get("sections_changed"):
        print(f"\nSections changed: {', '.join(result['sections_changed'])}")
    if result["findings"]:
        print()
        for f in result["findings"]:
            print(f"{f['check']} {f['severity']}: {f['message']}")
    return 0
