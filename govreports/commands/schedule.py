"""`govreports schedule [--portals FILE] [--db URL]`: the periodic crawl scheduler, in the foreground.

Stops cleanly on SIGTERM or Ctrl-C: no new crawls, running ones are asked to stop, locks released.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from govreports.commands._common import add_db_option
from govreports.errors import ConfigError
from govreports.paths import PROJECT_ROOT


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="run the periodic crawl scheduler in the foreground")
    p.add_argument(
        "--portals",
        metavar="FILE",
        help="portals file (default: $GOVREPORTS_PORTALS, else portals.yaml in the project root)",
    )
    add_db_option(p)
    p.add_argument(
        "--now", action="store_true", help="also crawl every portal right away, then follow the schedule"
    )
    p.add_argument("--quiet", action="store_true", help="log warnings and alerts only")
    p.set_defaults(func=run)


def portals_path(value: str | None) -> Path:
    path = Path(value or os.environ.get("GOVREPORTS_PORTALS") or PROJECT_ROOT / "portals.yaml")
    if not path.is_file():
        raise ConfigError(f"portals file not found: {path} (give --portals FILE)")
    return path


def run(args: argparse.Namespace) -> int:
    import scheduler  # the top-level module; imported late so `govreports --help` stays fast

    if not args.debug:
        # A service's log is its user interface: runs and alerts at INFO unless --quiet.
        level = logging.WARNING if args.quiet else logging.INFO
        logging.getLogger("govreports").setLevel(level)
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    service = scheduler.CrawlService(portals_path(args.portals), args.db)
    return service.serve_forever(run_now=args.now)
