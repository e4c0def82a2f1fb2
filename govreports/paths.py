"""Where govreports keeps its files, and which archive database a command uses."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data folder: $GOVREPORTS_DATA, else ./data under the project root."""
    path = Path(os.environ.get("GOVREPORTS_DATA") or PROJECT_ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(cli_value: str | None = None) -> str:
    """--db, else $GOVREPORTS_DB, else an SQLite file in the data folder (CONTRACT.md §2)."""
    if cli_value:
        return cli_value
    if env := os.environ.get("GOVREPORTS_DB"):
        return env
    return f"sqlite:///{data_dir() / 'archive.sqlite3'}"
