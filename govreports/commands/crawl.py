"""`govreports crawl --portals FILE [--portal NAME…]`: discover, parse and archive the reports.

Scrapy's reactor cannot be restarted inside one process, so `run_crawl` runs one CrawlerProcess
and the scheduler calls this command in a subprocess per crawl. With `--workers N` the command
runs N such crawls side by side, one per group of portals (govreports.crawl_workers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govreports import crawl_workers, paths
from govreports.commands._common import add_db_option, add_json_option
from govreports.crawl_locks import LOCK_HELD_ENV, LockOutcome, portal_locks
from govreports.portals import load_portals, select


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="crawl portals, parse what they publish, store it in the archive")
    p.add_argument("--portals", required=True, metavar="FILE", help="portals file (CONTRACT.md §3)")
    p.add_argument(
        "--portal", action="append", default=[], metavar="NAME", help="only this portal (repeatable)"
    )
    add_db_option(p)
    add_json_option(p)
    p.add_argument(
        "--jobdir",
        metavar="DIR",
        help="resume state of this crawl (default: <data>/jobs/<portals>); an interrupted crawl resumes from it",
    )
    p.add_argument("--no-resume", action="store_true", help="start from scratch, no resume state")
    p.add_argument("--log-file", metavar="FILE", help="crawl log (default: <data>/logs/crawl-<time>.log)")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help=(
            "crawler processes, each crawling its share of the portals with its own log and resume "
            f"state beside --log-file and --jobdir (default: ${crawl_workers.WORKERS_ENV}, else 1)"
        ),
    )
    p.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="override a Scrapy setting"
    )
    p.set_defaults(func=run)


def default_jobdir(portals_file: str | Path, names: list[str]) -> Path:
    key = hashlib.sha1(f"{Path(portals_file).resolve()}|{','.join(sorted(names))}".encode()).hexdigest()[:12]
    return paths.data_dir() / "jobs" / key


def run_crawl(
    portals_file: str | Path,
    names: list[str] | None = None,
    *,
    db: str | None = None,
    jobdir: str | Path | None = None,
    log_file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one crawl in this process (once per process: Scrapy's reactor does not restart) and
    return the summary of crawler.extensions.CrawlSummary."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.spiders.annual_reports import AnnualReportsSpider

    select(load_portals(portals_file), names or None)  # a bad file or name fails here, readably
    settings = Settings()
    settings.setmodule("settings.crawl", priority="project")
    settings.set("GOVREPORTS_DB", paths.database_url(db), priority="cmdline")
    if jobdir:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    if log_file:
        import logging

        # The crawl log gets everything; the console keeps only what the command prints.
        for handler in logging.root.handlers:
            handler.setLevel(logging.CRITICAL)
    # Scrapy's root log handler only when there is a log file; otherwise the caller's logging stays.
    settings.set("LOG_INSTALL_ROOT_HANDLER", bool(settings.get("LOG_FILE")), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AnnualReportsSpider)
    process.crawl(crawler, portals=str(portals_file), portal=",".join(names or []))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary = stats.get("govreports/summary") or {"finish_reason": "failed", "portals": {}}
    summary["stats"] = {
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "elapsed_s": stats.get("elapsed_time_seconds"),
        "peak_memory_bytes": stats.get("memusage/max"),
        "offsite_filtered": stats.get("govreports/offsite_filtered", 0),
        "retries": stats.get("retry/count", 0),
        "resumed_skipped": stats.get("govreports/resumed_skipped", 0),
    }
    if stats.get("start_time"):  # when the spider opened: --workers measures its crawl phase from it
        summary["stats"]["started_at"] = stats["start_time"].isoformat()
    return summary


def _parse_overrides(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            from govreports.errors import ConfigError

            raise ConfigError(f"--set expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_rows(rows: list[tuple[str, ...]] | list[list[str]], indent: str = "") -> str:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [indent + "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_summary(summary: dict[str, Any]) -> str:
    head = ("portal", "status", "pages", "reports", "new", "versions", "decoys", "errors", "blocked")
    rows = [head]
    for name, s in summary.get("portals", {}).items():
        errors = ", ".join(f"{k}:{v}" for k, v in s["errors"].items()) or "-"
        rows.append(
            (
                name,
                s["status"],
                str(s["pages"]),
                str(s["reports_found"]),
                str(s["new_reports"]),
                str(s["new_versions"]),
                str(s["decoys_skipped"]),
                errors,
                f"yes ({s['blocked_reason']})" if s["blocked"] else "no",
            )
        )
    return format_rows(rows)


def blocked_line(summary: dict[str, Any]) -> str | None:
    """One line naming the portals that could not be crawled at all (challenge, robots.txt, 403):
    they are "blocked", never "no reports" (portals.md §10-§11)."""
    portals = summary.get("portals", {})
    blocked = {name: s.get("blocked_reason") or "blocked" for name, s in portals.items() if s.get("blocked")}
    if not blocked:
        return None
    names = "; ".join(f"{name}: {reason}" for name, reason in blocked.items())
    if len(blocked) == len(portals):
        return f"every portal was blocked ({len(blocked)}), nothing could be crawled — {names}"
    return f"{len(blocked)} of {len(portals)} portals blocked — {names}"


@contextmanager
def _free_portals(db: str | None, wanted: list[str]) -> Iterator[LockOutcome | None]:
    """Hold the locks of the wanted portals that are free; a portal the scheduler (or another
    manual crawl) is crawling right now is left out with a line on stderr. None when every portal
    was busy."""
    from archive.api import Archive
    from settings.schedule import ScheduleSettings

    schedule = ScheduleSettings.from_env()
    with (
        Archive.open(paths.database_url(db)) as archive,
        portal_locks(
            archive.engine, wanted, ttl_s=schedule.lock_ttl_s, heartbeat_s=schedule.lock_heartbeat_s
        ) as locks,
    ):
        for name, info in locks.busy.items():
            holder = (
                f"lock held by {info.owner} since {info.acquired_at:%Y-%m-%d %H:%M:%S} UTC"
                if info
                else "its lock was just released; crawl it again"
            )
            print(
                f"govreports crawl: portal {name} skipped: a crawl of it is already running ({holder})",
                file=sys.stderr,
            )
        if not locks.taken:
            print("govreports crawl: nothing crawled, every portal is being crawled already", file=sys.stderr)
            yield None
        else:
            yield locks


def _crawl_in_workers(
    args: argparse.Namespace,
    wanted: list[str],
    workers: int,
    jobdir: str | Path | None,
    log_file: Path,
) -> tuple[dict[str, Any], int] | None:
    """The portals split over `workers` child crawls; None when every portal was busy."""
    groups = crawl_workers.split(wanted, workers)  # from the whole selection: stable JOBDIRs
    run = {
        "portals_file": args.portals,
        "order": wanted,
        "db": args.db,
        "jobdir": Path(jobdir) if jobdir else None,
        "log_file": log_file,
        "set_args": list(args.set),
        "debug": bool(args.debug),
    }
    held = os.environ.get(LOCK_HELD_ENV)
    if held:
        from archive.api import Archive

        # Migrate once here, not in N children opening a fresh archive at the same moment.
        Archive.open(paths.database_url(args.db)).close()
        return crawl_workers.run_workers(groups=groups, lock_owner=held, **run)
    with _free_portals(args.db, wanted) as locks:
        if locks is None:
            return None
        free = set(locks.taken)
        return crawl_workers.run_workers(
            groups=[[n for n in g if n in free] for g in groups], lock_owner=locks.owner, **run
        )


def run(args: argparse.Namespace) -> int:
    crawl_workers.die_with_parent()  # a no-op unless this is one of a --workers crawl's children
    names = list(args.portal or [])
    workers = crawl_workers.workers_option(args.workers)
    jobdir = None if args.no_resume else (args.jobdir or default_jobdir(args.portals, names))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    log_file = args.log_file or paths.data_dir() / "logs" / f"crawl-{stamp}.log"
    overrides = _parse_overrides(args.set)
    if args.debug:
        overrides.setdefault("LOG_LEVEL", "DEBUG")
    listed = load_portals(args.portals)
    wanted = [p.name for p in select(listed, names or None)]
    exit_code: int | None = None
    if workers > 1 and len(set(wanted)) > 1:
        # In file order, whatever the order of --portal: the same selection, the same groups.
        in_file_order = [p.name for p in listed if p.name in wanted]
        outcome = _crawl_in_workers(args, in_file_order, workers, jobdir, Path(log_file))
        if outcome is None:
            return 1
        summary, exit_code = outcome
    elif os.environ.get(LOCK_HELD_ENV):  # the scheduler holds this portal's lock for us
        summary = run_crawl(
            args.portals, names, db=args.db, jobdir=jobdir, log_file=log_file, overrides=overrides
        )
    else:
        with _free_portals(args.db, wanted) as locks:
            if locks is None:
                return 1
            chosen = names if not locks.busy else locks.taken
            summary = run_crawl(
                args.portals, chosen, db=args.db, jobdir=jobdir, log_file=log_file, overrides=overrides
            )
    summary["log_file"] = str(log_file)
    if args.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    else:
        print(format_summary(summary))
        note = blocked_line(summary)
        if note:
            print(f"\n{note}")
        workers_note = crawl_workers.worker_lines(summary)
        if workers_note:
            print("\n" + "\n".join(workers_note))
        print(f"\ncrawl {summary.get('finish_reason')}; log: {log_file}")
    if exit_code is not None:  # --workers: the worst of the children's exit statuses
        return exit_code
    # CONTRACT.md §2 gives `crawl` no exit status of its own beyond "errors exit non-zero": a
    # blocked portal is a finding the crawl reports (and files as a "blocked" run), not a failure
    # of the command, so a finished crawl exits 0 even when every portal was blocked.
    return 0 if summary.get("finish_reason") in ("finished", "shutdown") else 1
