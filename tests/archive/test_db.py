"""Opening the archive: migrations, pragmas, and clear errors for unreachable or locked databases."""

from __future__ import annotations

import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from archive import migrate
from archive.api import Archive
from archive.models import Base, Report
from govreports.errors import ArchiveError


def test_open_migrates_to_head_and_matches_the_models(archive: Archive) -> None:
    assert migrate.current_revisions(archive.engine) == migrate.head_revisions()
    assert "0001_archive" in {
        r.revision for r in migrate.ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()
    }
    with archive.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    archive_tables = set(Base.metadata.tables)
    # Only our tables: a later revision (0002_health) adds tables the archive models do not know.
    ours = [d for d in diff if _table_of(d) in archive_tables]
    assert ours == []
    tables = set(inspect(archive.engine).get_table_names())
    assert {"portals", "bodies", "reports", "versions", "cells", "version_urls", "captures", "crawl_runs",
            "crawl_errors"} <= tables  # fmt: skip


def _table_of(entry: object) -> str | None:
    if isinstance(entry, list):  # column modifications come as lists of tuples
        return entry[0][2]
    obj = entry[1]
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) or getattr(obj, "name", None) if table is not None else obj.name


def test_reopening_is_idempotent_and_downgrade_removes_the_tables(db_url: str, tmp_path: Path) -> None:
    Archive.open(db_url, captures_dir=tmp_path).close()
    arc = Archive.open(db_url, captures_dir=tmp_path)
    migrate.downgrade(arc.engine, "base")
    assert "reports" not in inspect(arc.engine).get_table_names()
    migrate.upgrade(arc.engine)
    assert "reports" in inspect(arc.engine).get_table_names()
    arc.close()


def test_sqlite_runs_in_wal_with_a_busy_timeout(tmp_path: Path) -> None:
    arc = Archive.open(f"sqlite:///{tmp_path / 'a.db'}", busy_timeout=3)
    with arc.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 3000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    arc.close()


def test_locked_sqlite_file_gives_a_clear_error_and_writes_nothing(tmp_path: Path, seed_record) -> None:
    path = tmp_path / "a.db"
    arc = Archive.open(f"sqlite:///{path}", busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ArchiveError, match=r"is locked by another process \(waited 0.2 s\)"):
            arc.store_report(portal="p", url="http://p.test/a", record=seed_record("001_dfce13c1242a961e"),
                             fetched_at=datetime(2024, 2, 1, tzinfo=UTC))  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with arc.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 0
    arc.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_postgres_gives_a_clear_error_without_the_password() -> None:
    url = f"postgresql+psycopg://u:secret@127.0.0.1:{_free_port()}/nowhere"
    with pytest.raises(
        ArchiveError, match=r"cannot reach archive database postgresql\+psycopg://u:\*\*\*@127.0.0.1"
    ) as err:
        Archive.open(url)
    assert "secret" not in str(err.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("sqlite:////no/such/folder/archive.db", "folder /no/such/folder does not exist"),
        ("nosuchdb://x/y", "unsupported archive database|not a database URL"),
    ],
)
def test_bad_urls_give_clear_errors(url: str, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        Archive.open(url)


def test_a_file_that_is_not_sqlite_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="is not an SQLite database"):
        Archive.open(f"sqlite:///{path}")


def test_default_url_is_the_data_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOVREPORTS_DB", raising=False)
    monkeypatch.setenv("GOVREPORTS_DATA", str(tmp_path))
    arc = Archive.open()
    assert arc.url == f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    assert arc.captures_dir == tmp_path / "archive.sqlite3.captures"
    arc.close()


def test_0003_backfills_years_mask_from_existing_reports(archive: Archive, seed_record) -> None:
    from datetime import date as d

    for year in (2021, 2022):
        rec = seed_record("004_cad4fa3e014eb2f3")
        rec["year"] = year
        archive.store_report(
            portal="p", url=f"http://p.test/{year}", record=rec, fetched_at=datetime(year + 1, 1, 5)
        )
    before = archive.missing(2023, as_of=d(2024, 6, 1))
    migrate.downgrade(archive.engine, "0002_health")
    assert "years_mask" not in {c["name"] for c in inspect(archive.engine).get_columns("bodies")}
    assert archive.engine.dialect.name != "sqlite" or _reports_survive(archive)
    migrate.upgrade(archive.engine)
    assert archive.missing(2023, as_of=d(2024, 6, 1)) == before
    assert before[0]["expected_because"] == "reported for 2021–2022"


def _reports_survive(arc: Archive) -> bool:
    # Dropping the column must not recreate (and so cascade-delete through) bodies on SQLite.
    with arc.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM reports").scalar() == 2


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg2"])
def test_plain_postgres_urls_use_the_shipped_driver(scheme: str) -> None:
    # Users write postgresql://…; SQLAlchemy would pick psycopg2 for it, which is not installed.
    # The connection fails (nothing listens) but as a reachability error, not a missing driver.
    with pytest.raises(ArchiveError, match="cannot reach archive database"):
        Archive.open(f"{scheme}://nobody@127.0.0.1:{_free_port()}/x")


def test_plain_postgresql_url_opens_the_test_database() -> None:
    url = os.environ.get("GOVREPORTS_TEST_PG_URL")
    if not url:
        pytest.skip("GOVREPORTS_TEST_PG_URL not set (run under scripts/with-postgres)")
    archive = Archive.open(url.replace("postgresql+psycopg://", "postgresql://", 1))
    assert migrate.current_revisions(archive.engine) == migrate.head_revisions()
    archive.engine.dispose()
