"""`govreports status [--db URL] [--json]`: health of every portal, the last scheduled runs, and each
portal's last crawl of any kind (a manual `govreports crawl` or the demo too)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from govreports.commands._common import add_db_option, add_json_option, print_json

if TYPE_CHECKING:  # SQLAlchemy and the archive load when the command runs, not for `--help`
    from sqlalchemy import Engine

    from archive.api import RunInfo


# The scheduler's last run (and the health judged from its runs) beside the archive's last crawl of
# any kind: a manual `govreports crawl` has no scheduled run but is a crawl all the same.
PORTAL_COLUMNS = [
    *("PORTAL", "HEALTH", "SCHEDULED RUN", "STATUS", "REPORTS", "NEW VERS", "ERRORS"),
    *("LAST CRAWL (ANY)", "NEXT RUN", "ALERTS"),
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "status", help="health of every portal, its last crawl, open alerts and the last scheduled runs"
    )
    add_db_option(p)
    add_json_option(p)
    p.add_argument("--portals", metavar="FILE", help="also list the portals of FILE that never ran")
    p.add_argument(
        "--runs", type=int, default=20, metavar="N", help="how many recent runs to show (default 20)"
    )
    p.set_defaults(func=run)


def collect(db_url: str | None, portal_names: list[str] | None = None, runs: int = 20) -> dict[str, Any]:
    from archive.api import Archive
    from archive.db import errors_as_archive_error
    from archive.health import HealthStore, run_json

    with Archive.open(db_url) as archive, errors_as_archive_error(archive.url, archive.busy_timeout):
        store = HealthStore(archive.engine)
        # Portals the archive knows (synced from a portals file) show even before their first run.
        portals = store.portal_health([*archive.portal_names(), *(portal_names or [])])
        next_runs = _next_runs(archive.engine)
        for entry in portals:
            entry["next_run"] = next_runs.get(entry["portal"])
            # The health columns come from the scheduler's runs only; a portal crawled by hand
            # (or by the demo) has its crawl in the archive's run log, as the dashboard shows it.
            last = archive.last_runs(entry["portal"], limit=1)
            entry["last_crawl"] = _crawl_json(last[0]) if last else None
        return {
            "portals": portals,
            "runs": [run_json(r) for r in store.recent_runs(runs)],
            "alerts": [_alert_json(a) for a in store.alerts(open_only=True)],
        }


def _next_runs(engine: Engine) -> dict[str, str | None]:
    """Next run per portal, read from APScheduler's job table without starting a scheduler."""
    from sqlalchemy import inspect, text

    import scheduler

    if not inspect(engine).has_table(scheduler.JOBS_TABLE):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {scheduler.JOBS_TABLE}")).all()
    out: dict[str, str | None] = {}
    for job_id, ts in rows:
        if str(job_id).startswith(scheduler.JOB_PREFIX):
            when = datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None
            out[str(job_id).removeprefix(scheduler.JOB_PREFIX)] = when
    return out


def _crawl_json(run: RunInfo) -> dict[str, Any]:
    stats = run.stats or {}
    errors = stats.get("errors")
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat() + "Z",
        "ended_at": run.ended_at.isoformat() + "Z" if run.ended_at else None,
        "status": run.status,
        "reports_found": stats.get("reports_found"),
        "new_reports": stats.get("new_reports"),
        "new_versions": stats.get("new_versions"),
        "errors": sum(errors.values()) if isinstance(errors, dict) else None,
        "blocked": bool(stats.get("blocked")),
    }


def _alert_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in row.items()}


def run(args: argparse.Namespace) -> int:
    names = None
    if args.portals:
        from govreports.portals import load_portals

        names = [p.name for p in load_portals(args.portals)]
    data = collect(args.db, names, args.runs)
    out = sys.stdout
    if args.json:
        print_json(data)
        return 0
    if not data["portals"]:
        out.write("no scheduled crawls recorded yet (run `govreports schedule --portals FILE`)\n")
        return 0
    rows = [
        [
            p["portal"],
            p["health"],
            _short(p["last_run"]["ended_at"] or p["last_run"]["started_at"]) if p["last_run"] else "-",
            p["last_run"]["status"] if p["last_run"] else "-",
            _n(p["last_run"], "reports_found"),
            _n(p["last_run"], "new_versions"),
            _n(p["last_run"], "errors"),
            _crawl_cell(p["last_crawl"]),
            _short(p["next_run"]),
            ",".join(p["open_alerts"]) or "-",
        ]
        for p in data["portals"]
    ]
    _table(
        out,
        PORTAL_COLUMNS,
        rows,
    )
    if data["alerts"]:
        out.write("\nopen alerts:\n")
        for a in data["alerts"]:
            out.write(f"  {_short(a['raised_at'])}  [{a['kind']}] {a['message']}\n")
    if data["runs"]:
        out.write("\nlast runs:\n")
        run_rows = [
            [
                str(r["id"]),
                r["portal"],
                _short(r["started_at"]),
                r["status"],
                _n(r, "reports_found"),
                _n(r, "new_reports"),
                _n(r, "new_versions"),
                _n(r, "errors"),
                "yes" if r["blocked"] else "no",
                (r["message"] or "")[:60],
            ]
            for r in data["runs"]
        ]
        _table(
            out,
            ["RUN", "PORTAL", "STARTED", "STATUS", "REPORTS", "NEW", "NEW VERS", "ERRORS", "BLOCKED", "NOTE"],
            run_rows,
        )
    return 0


def _crawl_cell(crawl: dict[str, Any] | None) -> str:
    if not crawl:
        return "-"
    return f"{_short(crawl['ended_at'] or crawl['started_at'])} {crawl['status']}, {_n(crawl, 'reports_found')} reports"


def _n(row: dict[str, Any] | None, key: str) -> str:
    if not row or row.get(key) is None:
        return "-"
    return str(row[key])


def _short(ts: str | None) -> str:
    if not ts:
        return "-"
    return ts.replace("T", " ")[:16] + (" UTC" if ts.endswith(("Z", "+00:00")) else "")


def _table(out: Any, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
