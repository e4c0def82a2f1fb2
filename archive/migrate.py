"""Alembic configured in code: `upgrade(engine)` brings any archive database to head.

No alembic.ini: the script folder is this package's `migrations/`, the URL comes from the caller.
To make a new revision (e.g. 0002_health, down_revision "0001_archive"):

    uv run python -m archive.migrate revision -m "health" --rev-id 0002_health --db sqlite:///tmp/x.db
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate to `target`; a database already at head costs one query."""
    if target == "head" and current_revisions(engine) == head_revisions():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def downgrade(engine: Engine, target: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archive.migrate")
    parser.add_argument("action", choices=["upgrade", "downgrade", "revision", "current", "history"])
    parser.add_argument("target", nargs="?", default="head")
    parser.add_argument("--db", help="SQLAlchemy URL (default: govreports.paths.database_url())")
    parser.add_argument("-m", "--message", default="")
    parser.add_argument("--rev-id")
    parser.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)

    from govreports.paths import database_url

    cfg = alembic_config(database_url(args.db))
    if args.action == "revision":
        command.revision(cfg, message=args.message, rev_id=args.rev_id, autogenerate=args.autogenerate)
    elif args.action == "upgrade":
        command.upgrade(cfg, args.target)
    elif args.action == "downgrade":
        command.downgrade(cfg, args.target)
    elif args.action == "current":
        command.current(cfg, verbose=True)
    else:
        command.history(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
