"""Raw captures (content-addressed, stored once), crawl runs and their errors, portal sync."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive import captures
from archive.api import Archive
from archive.models import Body, Capture, CaptureSighting
from govreports.errors import ArchiveError
from govreports.portals import PortalConfig

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)


def _seed_bytes() -> bytes:
    path = SEEDS / "004_cad4fa3e014eb2f3.txt"
    if not path.exists():
        pytest.skip("../shared/seeds not beside this checkout")
    return path.read_bytes()


def test_capture_is_stored_once_however_often_seen(archive: Archive) -> None:
    data = _seed_bytes()
    headers = {"Content-Type": "text/plain; charset=utf-8", "ETag": '"a1"'}
    run = archive.begin_run("p")
    sha = archive.store_capture(url="http://p.test/a", body=data, headers=headers, fetched_at=T0, run_id=run)
    assert sha == hashlib.sha256(data).hexdigest()
    for i in range(3):
        again = archive.store_capture(
            url="http://p.test/a" if i < 2 else "http://p.test/mirror",
            body=data,
            headers={**headers, "Date": f"day {i}"},
            fetched_at=T0 + timedelta(days=i + 1),
            run_id=run,
        )
        assert again == sha
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Capture)) == 1
        sightings = {x.url: x for x in s.scalars(select(CaptureSighting))}
    assert sightings["http://p.test/a"].times_seen == 3
    assert sightings["http://p.test/a"].headers["Date"] == "day 1"  # latest fetch's headers
    assert sightings["http://p.test/mirror"].times_seen == 1
    assert archive.read_capture(sha) == data
    info = archive.capture_info(sha)
    assert info["headers"]["ETag"] == '"a1"' and info["content_type"].startswith("text/plain")
    assert info["stored"] == "db"


def test_large_capture_is_streamed_to_a_file_and_hashed_in_chunks(archive: Archive, monkeypatch) -> None:
    monkeypatch.setattr(captures, "INLINE_LIMIT", 1000)
    data = _seed_bytes() * 3
    chunks = [data[i : i + 700] for i in range(0, len(data), 700)]
    sha = archive.store_capture(url="http://p.test/big.pdf", body=iter(chunks), headers={}, fetched_at=T0)
    assert sha == hashlib.sha256(data).hexdigest()
    path = archive.captures_dir / sha[:2] / sha
    assert path.read_bytes() == data
    assert archive.capture_info(sha)["stored"] == "file"
    # A file object and plain bytes of the same content land on the same file, stored once.
    assert archive.store_capture(url="http://p.test/b", body=io.BytesIO(data), fetched_at=T0) == sha
    assert archive.store_capture(url="http://p.test/c", body=data, fetched_at=T0) == sha
    assert archive.read_capture(sha) == data
    assert not [p for p in archive.captures_dir.rglob(".incoming-*")]
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Capture)) == 1


def test_report_points_at_its_raw_capture(archive: Archive, seed_record) -> None:
    data = _seed_bytes()
    sha = archive.store_capture(url="http://p.test/4", body=data, headers={}, fetched_at=T0)
    archive.store_report(portal="p", url="http://p.test/4", record=seed_record("004_cad4fa3e014eb2f3"),
                         raw_sha256=sha, fetched_at=T0)  # fmt: skip
    [v] = archive.versions("城乡一体化示范区党政办公室", 2023)
    assert v["raw_sha256"] == sha


def test_crawl_run_lifecycle_and_errors(archive: Archive) -> None:
    run = archive.begin_run("pingtan", at=T0)
    assert archive.run(run).status == "running"
    archive.record_error(run, url="http://p.test/x", kind="http_5xx", message="503 Service Unavailable")
    archive.record_error(run, url="http://p.test/y", kind="robots", message="disallowed by robots.txt")
    archive.end_run(run, status="partial", stats={"pages": 12, "reports": 3}, at=T0 + timedelta(minutes=5))
    info = archive.run(run)
    assert (info.status, info.stats, info.ended_at) == ("partial", {"pages": 12, "reports": 3},
                                                         (T0 + timedelta(minutes=5)).replace(tzinfo=None))  # fmt: skip
    assert [e["kind"] for e in archive.run_errors(run)] == ["http_5xx", "robots"]
    assert [r.id for r in archive.last_runs("pingtan")] == [run]
    with pytest.raises(ArchiveError, match="status must be one of"):
        archive.end_run(run, status="weird", stats={})
    with pytest.raises(ArchiveError, match="no crawl run 999"):
        archive.record_error(999, url=None, kind="timeout", message="x")


def test_sync_portals_creates_expected_bodies_and_updates(archive: Archive) -> None:
    p = PortalConfig(name="yueqing", start_urls=("http://y.test/",), body_kind="township", deadline="02-20",
                     expected_bodies=("智仁乡", "乐清市新居民服务中心"))  # fmt: skip
    archive.sync_portals([p])
    archive.sync_portals([p])  # idempotent
    with archive.session() as s:
        bodies = {b.name: b.expected for b in s.scalars(select(Body))}
    assert bodies == {"智仁乡": True, "乐清市新居民服务中心": True}
    archive.sync_portals(
        [PortalConfig(name="yueqing", start_urls=("http://y.test/",), expected_bodies=("智仁乡",))]
    )
    with archive.session() as s:
        bodies = {b.name: b.expected for b in s.scalars(select(Body))}
    assert bodies == {"智仁乡": True, "乐清市新居民服务中心": False}
