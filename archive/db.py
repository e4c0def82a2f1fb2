"""Engine and session for the archive, and the translation of driver errors into ArchiveError.

SQLite (the default) runs in WAL mode so a dashboard or a `missing` query can read while a crawl
writes, with a busy timeout so two writers queue instead of failing at once. When the lock is held
longer than the timeout the user gets "locked", not a driver traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from govreports.errors import ArchiveError

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer's lock


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (exc.ArgumentError, ValueError) as err:
        raise ArchiveError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///path/archive.sqlite3)"
        ) from err


def redact(url: str | URL) -> str:
    """The URL without its password, fit for an error message."""
    try:
        u = url if isinstance(url, URL) else make_url(url)
    except (exc.ArgumentError, ValueError):
        return str(url)
    return u.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file of an SQLite URL; None for in-memory databases."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    u = parse_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(u)
        if path is not None and not path.parent.is_dir():
            raise ArchiveError(f"cannot open archive {redact(u)}: folder {path.parent} does not exist")
        engine = create_engine(u, connect_args={"timeout": busy_timeout})
        _install_sqlite_pragmas(engine, busy_timeout)
        return engine
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        # psycopg 3 is the driver govreports ships; a plain postgresql:// URL would make
        # SQLAlchemy reach for psycopg2, which is not installed.
        u = u.set(drivername="postgresql+psycopg")
        backend = "postgresql"
    if backend == "postgresql":
        try:
            return create_engine(u, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except (exc.NoSuchModuleError, ImportError) as err:
            raise ArchiveError(f"no driver for archive database {redact(u)}: {err}") from err
    try:
        return create_engine(u)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        raise ArchiveError(f"unsupported archive database {redact(u)}: {err}") from err


def _install_sqlite_pragmas(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # pysqlite's own implicit BEGIN cannot say IMMEDIATE; we emit BEGIN ourselves (below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if engine.url.database not in (None, "", ":memory:"):
                cur.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL is durable across application crashes, which is what we test for.
                cur.execute("PRAGMA synchronous = NORMAL")
                # Reads through a memory map and a larger page cache: the queries over a large
                # archive are index walks whose cost is otherwise mostly read() calls.
                cur.execute("PRAGMA mmap_size = 268435456")
                cur.execute("PRAGMA cache_size = -32768")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Writers pass execution_options(sqlite_begin="IMMEDIATE"); readers stay DEFERRED so a
        # query never waits for a crawl's write lock.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def translate(err: BaseException, url: str | URL, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> ArchiveError:
    """A driver error as a message a user can act on."""
    where = redact(url)
    text = str(getattr(err, "orig", None) or err).strip().splitlines()[0] if str(err).strip() else repr(err)
    lowered = text.lower()
    if "database is locked" in lowered or "database table is locked" in lowered:
        return ArchiveError(
            f"archive {where} is locked by another process (waited {busy_timeout:g} s); "
            "is another crawl or import still writing?"
        )
    if "unable to open database file" in lowered:
        return ArchiveError(f"cannot open archive {where}: {text}")
    if "file is not a database" in lowered:
        return ArchiveError(f"archive {where} is not an SQLite database")
    if "readonly database" in lowered or "read-only" in lowered:
        return ArchiveError(f"archive {where} is read-only: {text}")
    if isinstance(err, exc.OperationalError | exc.InterfaceError) and not str(where).startswith("sqlite"):
        return ArchiveError(f"cannot reach archive database {where}: {text}")
    if isinstance(err, exc.IntegrityError):
        return ArchiveError(f"archive {where} refused the write (constraint): {text}")
    return ArchiveError(f"archive {where}: {text}")


@contextmanager
def errors_as_archive_error(url: str | URL, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[None]:
    try:
        yield
    except ArchiveError:
        raise
    except (exc.SQLAlchemyError, sqlite3.Error, OSError) as err:
        raise translate(err, url, busy_timeout) from err
