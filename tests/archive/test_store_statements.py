"""How many SQL statements filing costs: a guard against a slide back to per-object or per-cell
statements (the ORM path issued ~20 per report, a per-cell insert would issue 200 more)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from archive.api import Archive

T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
STEM = "004_cad4fa3e014eb2f3"


@contextmanager
def statements(archive: Archive) -> Iterator[list[str]]:
    """The statements sent to the database inside the block (SQLite's BEGIN left out: it is the
    transaction, not a statement of the filing). An executemany counts once."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(archive.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(archive.engine, "before_cursor_execute", note)


def count(archive: Archive, fn: Callable[[], object]) -> int:
    with statements(archive) as seen:
        fn()
    return len(seen)


def test_store_report_issues_a_fixed_small_number_of_statements(archive: Archive, seed_record) -> None:
    # On psycopg the cells go in by COPY, which is not an executed statement.
    cells = 1 if archive.engine.dialect.name == "sqlite" else 0
    rec = seed_record(STEM)
    assert len(rec["cells"]) == 200

    def store(record: dict[str, Any], at: datetime, url: str = "http://p.test/a") -> Callable[[], object]:
        return lambda: archive.store_report(portal="p", url=url, record=record, fetched_at=at)

    # lookup, portal, body, report, year bit, version, cells, URL, current version
    assert count(archive, store(rec, T0)) == 8 + cells
    # lookup only: nothing moved
    assert count(archive, store(seed_record(STEM), T0)) == 1
    # lookup, version / URL / report seen later
    assert count(archive, store(seed_record(STEM), T0 + timedelta(days=1))) == 4
    # lookup, the URL added, version and report seen later
    assert count(archive, store(seed_record(STEM), T0 + timedelta(days=2), "http://p.test/b")) == 4
    # lookup, the URL added (within the seen window)
    assert count(archive, store(seed_record(STEM), T0 + timedelta(days=1), "http://p.test/c")) == 2
    revised = seed_record(STEM)
    revised["cells"]["applications.granted.total"] = 9
    # lookup, previous version, version, cells, URL, report
    assert count(archive, store(revised, T0 + timedelta(days=3))) == 5 + cells


def test_store_capture_issues_a_fixed_small_number_of_statements(archive: Archive) -> None:
    def capture(at: datetime, url: str = "http://p.test/a") -> Callable[[], object]:
        return lambda: archive.store_capture(url=url, body=b"bytes", headers={"A": "1"}, fetched_at=at)

    assert count(archive, capture(T0)) == 3  # lookup, capture, sighting
    assert count(archive, capture(T0 + timedelta(days=1))) == 3  # lookup, capture and sighting seen
    assert count(archive, capture(T0 + timedelta(days=1), "http://p.test/b")) == 2  # lookup, new sighting
