"""Small helpers the archive commands share (govreports/commands/{export,missing,late,diff}.py)."""

from __future__ import annotations

import argparse
from datetime import date

from archive.api import Archive
from govreports.paths import database_url


def open_archive(db: str | None) -> Archive:
    return Archive.open(database_url(db))


def as_of_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from err
