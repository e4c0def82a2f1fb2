"""Options and helpers shared by the subcommands that use the archive."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from govreports.errors import ConfigError

if TYPE_CHECKING:  # the archive (SQLAlchemy, Alembic: ~1 s) is imported by the commands that use it
    from archive.api import Archive


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL of the archive (default: $GOVREPORTS_DB, else an SQLite file in the data folder)",
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def add_portal_filter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--portal", metavar="NAME", help="only the bodies of this portal (its name in the portals file)"
    )


def checked_portal(archive: Archive, name: str | None) -> str | None:
    """`--portal` checked against the archive, so that a typo is an error, not an empty list."""
    if name is None or name in (known := archive.portal_names()):
        return name
    raise ConfigError(f"no portal {name!r} in the archive (known: {', '.join(known) or 'none'})")


def open_archive(db: str | None) -> Archive:
    """The archive of --db (None falls back to $GOVREPORTS_DB, then the data folder)."""
    from archive.api import Archive

    return Archive.open(db)


def as_of_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from err


def print_json(data: Any) -> None:
    """What --json prints: one indented UTF-8 JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
