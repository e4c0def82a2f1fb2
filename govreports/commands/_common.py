"""Options and helpers shared by the subcommands that use the archive."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from archive.api import Archive


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL of the archive (default: $GOVREPORTS_DB, else an SQLite file in the data folder)",
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def open_archive(db: str | None) -> Archive:
    """The archive of --db (None falls back to $GOVREPORTS_DB, then the data folder)."""
    return Archive.open(db)


def as_of_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from err


def print_json(data: Any) -> None:
    """What --json prints: one indented UTF-8 JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
