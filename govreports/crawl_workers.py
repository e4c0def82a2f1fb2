"""One crawl spread over N crawler processes (`govreports crawl --workers N`).

A Scrapy process is one reactor thread, CPU-bound at some 10 ms of CPU per request (issue #4); a
crawl of many portals scales the way Scrapyd does it, one process per CPU. The parent splits the portals
into N groups, runs `govreports crawl --workers 1` once per group (its own JOBDIR and log file),
waits for all of them and merges their `--json` summaries into one.

- The parent holds the portal locks (or the scheduler does); every child runs with LOCK_HELD_ENV.
- The children die with the parent (PR_SET_PDEATHSIG, else a watchdog thread): a SIGKILLed parent
  leaves no crawl running, and a re-run resumes each group from its JOBDIR. They run in their own
  process group so a Ctrl-C reaches the parent only, which passes exactly one signal on (a second
  signal makes Scrapy stop at once instead of closing the spider cleanly).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from govreports.crawl_locks import LOCK_HELD_ENV
from govreports.errors import ConfigError

WORKERS_ENV = "GOVREPORTS_CRAWL_WORKERS"  # default of --workers (e.g. for the scheduler's crawls)
PARENT_ENV = "GOVREPORTS_CRAWL_PARENT"  # set for a child: the pid it must not outlive
# Summed stats of the children; elapsed_s is measured on the parent's clock instead (merge).
_SUMMED = ("requests", "responses", "peak_memory_bytes", "offsite_filtered", "retries", "resumed_skipped")
_CLEAN = ("finished", "shutdown")


def workers_option(value: int | None) -> int:
    """--workers, else $GOVREPORTS_CRAWL_WORKERS, else 1."""
    raw: object = value if value is not None else os.environ.get(WORKERS_ENV) or 1
    try:
        n = int(str(raw))
    except ValueError:
        raise ConfigError(f"{WORKERS_ENV} must be a whole number, got {raw!r}") from None
    if n < 1:
        raise ConfigError(f"--workers must be at least 1, got {n}")
    return n


def split(portals: Sequence[str], workers: int) -> list[list[str]]:
    """Round-robin over the portals in their given order: deterministic (a re-run gets the same
    groups, hence the same JOBDIRs), sizes differ by one at most, never an empty group."""
    n = max(1, min(workers, len(portals)))
    return [list(portals[i::n]) for i in range(n)]


def worker_log(base: Path, index: int, count: int) -> Path:
    """`crawl.log` -> `crawl.worker-1-of-2.log`: each child's log beside the parent's."""
    return base.with_name(f"{base.stem}.{_tag(index, count)}{base.suffix}")


def worker_jobdir(base: Path, index: int, count: int) -> Path:
    """`jobs/abc` -> `jobs/abc.worker-1-of-2`: each group's resume state beside the crawl's own
    (N is in the name: a crawl re-run with another N starts its groups afresh, never from state
    that holds other portals)."""
    return base.with_name(f"{base.name}.{_tag(index, count)}")


def _tag(index: int, count: int) -> str:
    return f"worker-{index + 1}-of-{count}"


def exit_status(returncode: int) -> int:
    """A child's exit status as the shell shows it: killed by signal N -> 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


# ------------------------------------------------------------------------------------------ child


def die_with_parent() -> None:
    """In a child: end when the parent that started it ends, however it ends (SIGKILL included)."""
    raw = os.environ.get(PARENT_ENV)
    if not raw:
        return
    parent = int(raw)
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl took effect
                os.kill(os.getpid(), signal.SIGKILL)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


# ----------------------------------------------------------------------------------------- parent


@dataclass
class Worker:
    index: int
    portals: list[str]
    jobdir: Path | None
    log_file: Path
    proc: subprocess.Popen[bytes] | None = None
    out: Any = None  # the child's stdout (a temporary file: a pipe could fill up and stall it)
    returncode: int | None = None
    summary: dict[str, Any] | None = None
    ended_at: float | None = None  # time.time() when the parent saw it exit


def run_workers(
    *,
    portals_file: str | Path,
    groups: list[list[str]],
    order: list[str],
    db: str | None,
    jobdir: Path | None,
    log_file: Path,
    set_args: list[str],
    debug: bool,
    lock_owner: str,
) -> tuple[dict[str, Any], int]:
    """Run one child crawl per non-empty group; returns the merged summary and the worst exit
    status. `groups` keeps the empty ones (portals left out because busy) so that every group keeps
    its index, hence its JOBDIR; `order` is the order of the summary's portals."""
    count = len(groups)
    workers = [
        Worker(
            index=i,
            portals=group,
            jobdir=worker_jobdir(jobdir, i, count) if jobdir else None,
            log_file=worker_log(log_file, i, count),
        )
        for i, group in enumerate(groups)
        if group
    ]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, LOCK_HELD_ENV: lock_owner, PARENT_ENV: str(os.getpid()), WORKERS_ENV: "1"}
    if db:  # by environment, not argv: a PostgreSQL URL may hold a password
        env["GOVREPORTS_DB"] = db
    with open(log_file, "a", encoding="utf-8") as log, _forward_signals(workers) as stopped:

        def note(text: str) -> None:
            log.write(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} [govreports.crawl] {text}\n")
            log.flush()

        note(f"crawl of {sum(len(w.portals) for w in workers)} portals in {len(workers)} worker processes")
        started = time.monotonic()
        for w in workers:
            if stopped:
                break
            cmd = [sys.executable, "-m", "govreports", *(["--debug"] if debug else [])]
            cmd += ["crawl", "--portals", str(portals_file), "--workers", "1", "--json"]
            for name in w.portals:
                cmd += ["--portal", name]
            cmd += ["--jobdir", str(w.jobdir)] if w.jobdir else ["--no-resume"]
            cmd += ["--log-file", str(w.log_file)]
            for item in set_args:
                cmd += ["-s", item]
            w.out = tempfile.TemporaryFile()  # noqa: SIM115 - closed once the child is done
            # stderr is ours: a child's error message reaches the user (or the scheduler) as is.
            w.proc = subprocess.Popen(cmd, stdout=w.out, env=env, process_group=0)
            note(f"worker {w.index + 1} pid {w.proc.pid}: {', '.join(w.portals)}; log {w.log_file}")
        for w in _as_they_exit([w for w in workers if w.proc is not None]):
            w.summary = _read_summary(w.out)
            w.out.close()
            note(
                f"worker {w.index + 1} pid {w.proc.pid} exited {exit_status(w.returncode or 0)} "
                f"({(w.summary or {}).get('finish_reason') or 'no summary'})"
            )
        summary = merge(workers, time.monotonic() - started, order=order)
        if stopped:
            summary["interrupted_by"] = stopped[0]
        note(
            f"crawl {summary['finish_reason']}: crawling {summary['stats']['elapsed_s']} s, "
            f"{summary['stats']['wall_s']} s with the workers' start-up"
        )
    statuses = [exit_status(w.returncode) if w.returncode is not None else 1 for w in workers]
    return summary, max(statuses, default=1)


def _as_they_exit(pending: list[Worker]) -> Iterator[Worker]:
    """Each worker when it exits (in the order they exit), its returncode and ended_at set."""
    pending = list(pending)
    while pending:
        # Block until some child has exited, without reaping it (Popen does that below).
        if hasattr(os, "waitid"):
            with contextlib.suppress(ChildProcessError):
                os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        now = time.time()  # the clock of the children's started_at
        done = [w for w in pending if w.proc is not None and w.proc.poll() is not None]
        if not done:
            time.sleep(0.05)  # another child of ours exited, or no waitid here
        for w in done:
            pending.remove(w)
            w.returncode, w.ended_at = w.proc.returncode, now  # type: ignore[union-attr]
            yield w


def _read_summary(out: Any) -> dict[str, Any] | None:
    out.seek(0)
    lines = out.read().decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return None
    try:
        doc = json.loads(lines[-1])
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


@contextlib.contextmanager
def _forward_signals(workers: list[Worker]) -> Iterator[list[str]]:
    """SIGINT/SIGTERM to the parent go on to each running child, once per signal received (the
    first asks Scrapy to close cleanly, a second to stop now); the parent keeps waiting for them.
    Yields the names of the signals received, so no child is started after one."""
    received: list[str] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        for w in workers:
            if w.proc is not None and w.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    w.proc.send_signal(signum)

    if threading.current_thread() is not threading.main_thread():
        yield received  # signal handlers exist only in the main thread; PDEATHSIG still holds
        return
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def merge(workers: list[Worker], wall_s: float, order: list[str] | None = None) -> dict[str, Any]:
    """The one summary of a single crawl: per-portal entries as the children gave them (in `order`,
    the portals file's, as one process lists them), stats summed (None when a child could not
    say), plus `workers`.

    elapsed_s is the parent's wall time of the crawl phase, from the first child's spider opening
    to the last child's exit, as one process's elapsed_s runs from its spider opening; wall_s adds
    the children's start-up (imports), the time the user waited."""
    collected: dict[str, Any] = {}
    reasons: list[str] = []
    for w in workers:
        s = w.summary or {}
        collected.update(s.get("portals") or {})
        reasons.append(str(s.get("finish_reason") or "failed"))
    rank = {name: i for i, name in enumerate(order or [])}
    portals = dict(sorted(collected.items(), key=lambda item: rank.get(item[0], len(rank))))
    stats: dict[str, Any] = {}
    for key in _SUMMED:
        values = [(w.summary or {}).get("stats", {}).get(key) for w in workers]
        # peak_memory_bytes: the sum of each process's own peak, what the crawl needs at most.
        stats[key] = None if any(v is None for v in values) else sum(values)
    opened = [t for w in workers if (t := _started_at(w)) is not None]
    ended = [w.ended_at for w in workers if w.ended_at is not None]
    known = bool(workers) and len(opened) == len(ended) == len(workers)
    stats["elapsed_s"] = round(max(ended) - min(opened), 3) if known else None
    stats["started_at"] = datetime.fromtimestamp(min(opened), UTC).isoformat() if opened else None
    stats["wall_s"] = round(wall_s, 3)
    unclean = [r for r in reasons if r not in _CLEAN]
    reason = unclean[0] if unclean else ("shutdown" if "shutdown" in reasons else "finished")
    return {
        "finish_reason": reason,
        "portals": portals,
        "stats": stats,
        "workers": [
            {
                "portals": w.portals,
                "pid": w.proc.pid if w.proc else None,
                "exit_code": exit_status(w.returncode) if w.returncode is not None else None,
                "finish_reason": (w.summary or {}).get("finish_reason"),
                "log_file": str(w.log_file),
                "jobdir": str(w.jobdir) if w.jobdir else None,
                "stats": (w.summary or {}).get("stats"),
            }
            for w in workers
        ],
    }


def _started_at(w: Worker) -> float | None:
    """When the worker's spider opened (the child's clock: this machine's), as time.time()."""
    value = ((w.summary or {}).get("stats") or {}).get("started_at")
    try:
        return datetime.fromisoformat(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


def worker_lines(summary: dict[str, Any]) -> list[str]:
    """What the text output says about the workers: each one's log, and any that failed."""
    lines = []
    for i, w in enumerate(summary.get("workers") or [], 1):
        state = "" if w.get("exit_code") == 0 else f"  EXITED {w.get('exit_code')}"
        if w.get("finish_reason") is None:
            state += " without a summary: its portals are missing above"
        lines.append(f"worker {i} ({', '.join(w['portals'])}): log {w['log_file']}{state}")
    return lines
