"""Archive query speed on a generated archive: `missing`, `late` and `diff` over 200 000 bodies ×
5 years on SQLite and PostgreSQL (target < 1 s each), plus insert rates.

    uv run python -m benchmarks archive                         # SQLite; PostgreSQL when a URL is set
    scripts/with-postgres uv run python -m benchmarks.archive_bench --bodies 20000
    uv run python -m benchmarks.archive_bench --bodies 5000 --backend sqlite

PostgreSQL is used when $GOVREPORTS_BENCH_PG_URL or $GOVREPORTS_TEST_PG_URL is set (a private
schema is created and dropped). $GOVREPORTS_BENCH_BODIES overrides the default size.

The archive is built with bulk core inserts (executemany / insertmanyvalues, no COPY) through the
real schema (Alembic head): 1 000 portals, bodies of the four kinds, reports for 2019–2023 with
gaps (≈3 % missing per year), release dates around the deadlines (some late, some undated), one
version per report with a small record (agency, year, a narrative section) and its URL. The body
that `diff` reads is filed through Archive.store_report with the seeds' real records, so C20–C22
run for real against 200 siblings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, text

from archive.api import Archive
from archive.models import YEAR_BASE
from archive.normalize import norm_name

YEARS = (2019, 2020, 2021, 2022, 2023)
QUERY_YEAR = 2023
AS_OF = date(2024, 6, 30)
PORTAL_SIZE = 200
TARGET_SECONDS = 1.0
KINDS = ("department",) * 12 + ("township",) * 5 + ("other",) * 2 + ("government",)
PROBLEMS = [
    "一是公开内容不够全面，二是解读形式单一。下一步将加强培训，丰富解读方式。",
    "存在信息更新不及时的问题。改进措施：建立定期检查机制，落实专人负责。",
    "依申请公开办理能力有待提升。将加强业务学习，规范答复文书。",
    "政务新媒体运营有待加强。将整合平台资源，提升发布质量。",
    "主动公开的深度和广度不够。将围绕群众关切，扩大公开范围。",
]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _truth_record(stem: str, year: int, agency: str) -> dict[str, Any]:
    path = SEEDS / "truth" / f"{stem}.json"
    if path.exists():
        truth = json.loads(path.read_text(encoding="utf-8"))
        cells = dict(truth["cells"])
        template = truth["template"]
    else:  # the bench still runs without ../shared beside the checkout
        cells, template = (
            {"applications.new_received.total": 51, "applications.carried_over.total": 0},
            "v2021",
        )
    return {
        "schema": "govreports/annual-report@1",
        "title": f"{agency}{year}年政府信息公开工作年度报告",
        "agency": agency,
        "year": year,
        "template": template,
        "body_kind": "department",
        "dates": {"published": f"{year + 1}-01-20", "signed": None, "period_start": None, "period_end": None},
        "source": {"path": None, "url": None, "format": "html", "sha256": None},
        "cells": cells,
        "sections": {
            "overview": f"{year}年，本单位认真贯彻落实《条例》。",
            "problems": PROBLEMS[0],
            "other": None,
        },
        "findings": [],
    }


# ---------------------------------------------------------------------------- building


def _ts(value: datetime | date | None, sqlite: bool) -> Any:
    """Values as the driver takes them: SQLAlchemy's SQLite storage format, native for psycopg."""
    if value is None or not sqlite:
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def build(engine: Engine, bodies: int, seed: int = 7) -> dict[str, float]:
    """Fill an empty, migrated archive; returns rows inserted per table and the seconds taken.

    Plain DBAPI executemany with tuples (psycopg pipelines it): the ORM's per-row parameter
    processing would dominate at a million rows on a small machine.
    """
    rng = random.Random(seed)
    sqlite = engine.dialect.name == "sqlite"
    ph = "?" if sqlite else "%s"
    now = datetime(2024, 6, 30)
    n_portals = max(1, bodies // PORTAL_SIZE)
    counts = {"portals": 0, "bodies": 0, "reports": 0, "versions": 0, "version_urls": 0}

    def sql(table: str, cols: str) -> str:
        return f"INSERT INTO {table} ({cols}) VALUES ({', '.join([ph] * len(cols.split(',')))})"

    portal_sql = sql(
        "portals", "id, name, start_urls, body_kind, deadline, has_expected_list, created_at, synced_at"
    )
    body_sql = sql("bodies", "id, portal_id, name, norm_name, body_kind, expected, years_mask")
    report_sql = sql(
        "reports", "id, body_id, year, first_seen, last_seen, published, released_on, current_version_id"
    )
    version_sql = sql(
        "versions", "id, report_id, number, content_hash, record, template, published, first_seen, last_seen"
    )
    url_sql = sql("version_urls", "id, version_id, url, first_seen, last_seen")

    def body_name(b: int) -> str:
        return f"第{(b - 1) // PORTAL_SIZE % n_portals + 1}区机关{b}"

    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN")  # the archive's connections run pysqlite in autocommit mode
        portals = [
            (p, f"portal{p:04d}", json.dumps([f"http://portal{p}.test/"]), None,
             "02-20" if p % 20 == 0 else None,  # a few local deadlines (怀化-style)
             p % 10 == 0,  # 10 % of portals list their expected bodies
             _ts(now, sqlite), _ts(now, sqlite))
            for p in range(1, n_portals + 1)
        ]  # fmt: skip
        cur.executemany(portal_sql, portals)
        counts["portals"] = len(portals)
        rid = 0
        reports: list[tuple] = []
        versions: list[tuple] = []
        urls: list[tuple] = []

        body_rows: list[tuple] = []

        def flush() -> None:
            # Bodies first (reports point at them), with the years_mask store_report maintains.
            cur.executemany(body_sql, body_rows)
            counts["bodies"] += len(body_rows)
            body_rows.clear()
            cur.executemany(report_sql, reports)
            cur.executemany(version_sql, versions)
            cur.executemany(url_sql, urls)
            counts["reports"] += len(reports)
            counts["versions"] += len(versions)
            counts["version_urls"] += len(urls)
            reports.clear()
            versions.clear()
            urls.clear()

        for b in range(1, bodies + 1):
            kind = KINDS[b % len(KINDS)]
            name = body_name(b)
            start = rng.choice(YEARS[:3]) if rng.random() < 0.1 else YEARS[0]  # some bodies are newer
            portal = (b - 1) // PORTAL_SIZE % n_portals + 1
            mask = 0
            for year in YEARS:
                if year < start or rng.random() < 0.03:
                    continue
                rid += 1
                mask |= 1 << (year - YEAR_BASE)
                due = date(year + 1, 3, 31) if kind == "government" else date(year + 1, 1, 31)
                released = due - timedelta(days=rng.randint(0, 40))
                if rng.random() < 0.05:
                    released = due + timedelta(days=rng.randint(1, 90))
                stated = released if rng.random() < 0.8 else None
                seen = datetime.combine(released, datetime.min.time()) + timedelta(hours=rng.randint(1, 72))
                template = "v2021" if year >= 2021 else "v2019"
                record = json.dumps(
                    {"agency": name, "year": year, "template": template, "body_kind": kind,
                     "dates": {"published": stated.isoformat() if stated else None}, "cells": {},
                     "sections": {"problems": PROBLEMS[rid % len(PROBLEMS)]}},
                    ensure_ascii=False,
                )  # fmt: skip
                digest = hashlib.sha256(record.encode()).hexdigest()
                reports.append((rid, b, year, _ts(seen, sqlite), _ts(now, sqlite), _ts(stated, sqlite),
                                _ts(stated or seen.date(), sqlite), rid))  # fmt: skip
                versions.append((rid, rid, 1, digest, record, template, _ts(stated, sqlite), _ts(seen, sqlite),
                                 _ts(now, sqlite)))  # fmt: skip
                urls.append((rid, rid, f"http://p.test/{b}/{year}.html", _ts(seen, sqlite), _ts(now, sqlite)))
            body_rows.append((b, portal, name, norm_name(name), kind, portal % 10 == 0, mask))
            if len(reports) >= 20_000:
                flush()
        if body_rows:
            flush()
        raw.commit()
    finally:
        raw.close()
    elapsed = time.perf_counter() - started
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Explicit ids were inserted: move the sequences past them for later ORM inserts.
            for table in ("portals", "bodies", "reports", "versions", "version_urls"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    rows = sum(counts.values())
    return {**{k: float(v) for k, v in counts.items()}, "seconds": elapsed, "rows_per_s": rows / elapsed}


# ---------------------------------------------------------------------------- measuring


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, float, Any]:
    """(first run, median of the runs, median CPU seconds of this process, result).

    CPU time is printed beside wall time because a shared machine's load inflates wall time; the
    database server's CPU (PostgreSQL) is not in it.
    """
    times: list[float] = []
    cpu: list[float] = []
    result = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times[0], statistics.median(times), statistics.median(cpu), result


def store_cpu(arc: Archive, n: int = 200) -> tuple[float, float]:
    """CPU ms per record a crawl spends filing: store_capture of the page + store_report of its
    record, for `n` new 200-cell reports and then the same pages crawled again (unchanged)."""
    seed = SEEDS / "001_dfce13c1242a961e.txt"
    page = seed.read_bytes() if seed.exists() else "一、总体情况\n".encode() * 300

    def one(i: int, at: datetime) -> None:
        url = f"http://p.test/cpu/{i}"
        sha = arc.store_capture(url=url, body=page + str(i).encode(), headers={"Content-Type": "text/plain"},
                                fetched_at=at)  # fmt: skip
        rec = _truth_record("001_dfce13c1242a961e", 2023, f"归档计时机关{i}")
        arc.store_report(portal="portal0003", url=url, record=rec, raw_sha256=sha, fetched_at=at)

    out: list[float] = []
    for at in (datetime(2024, 1, 20, tzinfo=UTC), datetime(2024, 2, 20, tzinfo=UTC)):
        started = time.process_time()
        for i in range(n):
            one(i, at)
        out.append((time.process_time() - started) * 1000 / n)
    return out[0], out[1]


def bench_backend(label: str, url: str, bodies: int, workdir: Path) -> list[tuple[str, float, float, str]]:
    arc = Archive.open(url, captures_dir=workdir / f"{label}-captures")
    print(f"  [{label}] building {bodies:,} bodies × {len(YEARS)} years …", flush=True)
    stats = build(arc.engine, bodies)
    print(
        f"  [{label}] bulk insert: {int(stats['reports']):,} reports + versions + URLs, {int(stats['bodies']):,} bodies "
        f"in {stats['seconds']:.1f} s = {stats['rows_per_s']:,.0f} rows/s",
        flush=True,
    )
    # The diff target: real records through the API, on portal0001 among its 200 siblings.
    agency = "城乡一体化示范区党政办公室"
    t = time.perf_counter()
    n_api = 0
    for year, stem in ((2022, "004_cad4fa3e014eb2f3"), (2023, "004_cad4fa3e014eb2f3")):
        rec = _truth_record(stem, year, agency)
        if year == 2023:
            rec["cells"]["applications.carried_over.total"] = 3
        arc.store_report(portal="portal0001", url=f"http://p.test/diff/{year}", record=rec,
                         fetched_at=datetime(year + 1, 1, 20, tzinfo=UTC))  # fmt: skip
        n_api += 1
    # store_report rate on real records (new reports, each its own transaction).
    for i in range(200):
        rec = _truth_record("001_dfce13c1242a961e", 2023, f"接口测试机关{i}")
        arc.store_report(portal="portal0002", url=f"http://p.test/api/{i}", record=rec,
                         fetched_at=datetime(2024, 1, 20, tzinfo=UTC))  # fmt: skip
        n_api += 1
    api_rate = n_api / (time.perf_counter() - t)
    print(
        f"  [{label}] Archive.store_report: {api_rate:,.0f} records/s (200-cell records, one transaction each)"
    )
    new_ms, again_ms = store_cpu(arc)
    print(
        f"  [{label}] store_capture + store_report: {new_ms:.2f} ms CPU per new record, "
        f"{again_ms:.2f} ms per unchanged re-crawl (this process only)",
        flush=True,
    )

    results: list[tuple[str, float, float, str]] = []
    for name, fn, what in (
        ("missing", lambda: arc.missing(QUERY_YEAR, AS_OF), lambda r: f"{len(r):,} rows"),
        ("late", lambda: arc.late(QUERY_YEAR, AS_OF), lambda r: f"{len(r):,} rows"),
        ("diff", lambda: arc.diff(agency, 2022, 2023),
         lambda r: f"{len(r['changes'])} changes, {len(r['findings'])} findings"),
    ):  # fmt: skip
        cold, warm, cpu, out = timed(fn)
        results.append((name, cold, warm, what(out)))
        verdict = "ok" if warm < TARGET_SECONDS else "SLOW"
        print(
            f"  [{label}] {name:8s} first {cold * 1000:6.0f} ms  median {warm * 1000:6.0f} ms  "
            f"(client CPU {cpu * 1000:5.0f} ms)  {what(out)}  {verdict}",
            flush=True,
        )
    arc.close()
    return results


def _pg_schema_url(base: str) -> tuple[str, Callable[[], None]]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}", drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.archive_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--bodies", type=int, default=int(os.environ.get("GOVREPORTS_BENCH_BODIES", 200_000)))
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv if argv is not None else [])
    pg = os.environ.get("GOVREPORTS_BENCH_PG_URL") or os.environ.get("GOVREPORTS_TEST_PG_URL")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"archive: machine load {load:.1f} on {os.cpu_count()} CPUs (wall times grow with it)")
    print(f"archive: {args.bodies:,} bodies × {len(YEARS)} years; missing/late for {QUERY_YEAR} as of {AS_OF}; "
          f"target < {TARGET_SECONDS:g} s per query")  # fmt: skip
    slow = False
    with tempfile.TemporaryDirectory(prefix="govreports-archive-bench-") as tmp:
        work = Path(tmp)
        if args.backend in ("sqlite", "both"):
            res = bench_backend("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", args.bodies, work)
            slow |= any(w >= TARGET_SECONDS for _, _, w, _ in res)
        if args.backend in ("postgresql", "both"):
            if not pg:
                print(
                    "  [postgresql] skipped: set GOVREPORTS_BENCH_PG_URL or run under scripts/with-postgres"
                )
            else:
                url, drop = _pg_schema_url(pg)
                try:
                    res = bench_backend("postgresql", url, args.bodies, work)
                    slow |= any(w >= TARGET_SECONDS for _, _, w, _ in res)
                finally:
                    drop()
    if slow:
        print("archive: some queries missed the 1 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
