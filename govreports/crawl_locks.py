"""Portal locks for a crawl started by hand, so that it never runs beside the scheduler's crawl of
the same portal (two crawls of one portal double its load and race on the same resume state).

The scheduler takes the lock itself and tells its child crawl so through LOCK_HELD_ENV; a manual
`govreports crawl` takes the locks of its portals here and renews them while it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when locks are taken: `govreports --help` needs no SQLAlchemy
    from sqlalchemy import Engine

    from archive.health import LockInfo

LOCK_HELD_ENV = "GOVREPORTS_PORTAL_LOCK_HELD"  # set by the scheduler: the lock is the parent's


@dataclass(frozen=True, slots=True)
class LockOutcome:
    taken: list[str]
    busy: dict[str, LockInfo | None]  # portal -> who holds it (None: released since we tried)
    owner: str  # the holder's name, for child crawls told through LOCK_HELD_ENV that it is held


@contextmanager
def portal_locks(
    engine: Engine, portals: list[str], *, ttl_s: float, heartbeat_s: float
) -> Iterator[LockOutcome]:
    """Take the free portals' locks, renew them every heartbeat_s, release them on exit."""
    from archive.health import HealthStore, LockOwner

    health = HealthStore(engine)
    owner = LockOwner.this_process()
    taken: list[str] = []
    for name in portals:
        if health.acquire_lock(name, owner, ttl_s):
            taken.append(name)
    held = health.locks()
    # Every portal not taken is reported, even one whose holder let go between the two reads.
    busy = {name: held.get(name) for name in portals if name not in taken}
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(heartbeat_s):
            for name in taken:
                health.renew_lock(name, owner, ttl_s)

    beat = threading.Thread(target=renew, name="portal-lock-heartbeat", daemon=True)
    beat.start()
    try:
        yield LockOutcome(taken=taken, busy=busy, owner=owner.name)
    finally:
        stop.set()
        beat.join()
        for name in taken:
            health.release_lock(name, owner)
