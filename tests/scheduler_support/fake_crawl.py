"""A controllable stand-in for `govreports crawl ... --json`, for the scheduler tests.

Called like the real command (`--portals F --portal NAME --db URL --json`). What each call does is
read from the JSON plan file named by $FAKE_CRAWL_PLAN: `{"portal": [step, step, …]}`, the n-th call
for a portal doing step n (the last step repeats). A step: `{"sleep": seconds, "summary": {...},
"exit": code, "stderr": "text"}`. The summary is printed as the crawl's JSON on stdout.
Each call appends `{"portal", "pid", "start", "end" | "terminated"}` lines to $FAKE_CRAWL_LOG, so a
test can check that no two crawls of a portal overlapped.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import sys
import time
from pathlib import Path


def _log(entry: dict[str, object]) -> None:
    path = os.environ.get("FAKE_CRAWL_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(entry) + "\n")


def _next_step(portal: str) -> dict[str, object]:
    plan_path = Path(os.environ["FAKE_CRAWL_PLAN"])
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    steps = plan.get(portal) or [{"summary": {"portal": portal, "status": "ok", "reports_found": 1}}]
    counter = plan_path.with_name(plan_path.name + f".{portal}.count")
    with open(counter, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        n = int(fh.read() or 0)
        fh.seek(0)
        fh.truncate()
        fh.write(str(n + 1))
    return steps[min(n, len(steps) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals")
    parser.add_argument("--portal", action="append", required=True)
    parser.add_argument("--db")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    portal = args.portal[0]
    step = _next_step(portal)

    def on_term(_signum: int, _frame: object) -> None:
        # Like a crawl that stops between two items: it says so and exits non-zero.
        _log({"portal": portal, "pid": os.getpid(), "terminated": time.time()})
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    _log({"portal": portal, "pid": os.getpid(), "start": time.time()})
    time.sleep(float(step.get("sleep", 0)))  # type: ignore[arg-type]
    if step.get("stderr"):
        sys.stderr.write(str(step["stderr"]) + "\n")
    if "summary" in step:
        print(json.dumps(step["summary"], ensure_ascii=False))
    _log({"portal": portal, "pid": os.getpid(), "end": time.time()})
    return int(step.get("exit", 0))  # type: ignore[call-overload]


if __name__ == "__main__":
    sys.exit(main())
