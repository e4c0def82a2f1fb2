"""Change detection, URLs, versions and transactional writes, on the seeds' expected records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

import archive.store as store_mod
from archive.api import Archive
from archive.models import Body, Cell, Report, Version, VersionUrl
from govreports.errors import ArchiveError

T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)


def _count(arc: Archive, model) -> int:
    with arc.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_each_seed_is_filed_as_a_new_report_with_every_cell(
    archive: Archive, seed_record, seed_stems
) -> None:
    for stem in seed_stems:
        rec = seed_record(stem)
        out = archive.store_report(
            portal="yueqing", url=f"http://p.test/{stem}.html", record=rec, fetched_at=T0
        )
        assert (out.kind, out.version) == ("new_report", 1)
        with archive.session() as s:
            cells = dict(
                s.execute(select(Cell.key, Cell.value_int).where(Cell.version_id == out.version_id)).all()
            )
            texts = dict(
                s.execute(select(Cell.key, Cell.value_text).where(Cell.version_id == out.version_id)).all()
            )
        assert len(cells) == len(rec["cells"])  # seed 000 has 185 (no table 4), the others 200
        for key, value in rec["cells"].items():
            assert (cells[key] if isinstance(value, int) else texts[key]) == value
    assert _count(archive, Report) == len(seed_stems)


def test_cells_are_queryable_in_sql(archive: Archive, seed_record) -> None:
    archive.store_report(
        portal="p", url="http://p.test/4", record=seed_record("004_cad4fa3e014eb2f3"), fetched_at=T0
    )
    with archive.session() as s:
        got = s.execute(
            text(
                "SELECT b.name, c.value_int FROM cells c JOIN versions v ON v.id = c.version_id "
                "JOIN reports r ON r.id = v.report_id JOIN bodies b ON b.id = r.body_id "
                "WHERE c.key = 'applications.new_received.total' AND c.value_int > 50"
            )
        ).all()
    assert got == [("城乡一体化示范区党政办公室", 51)]


def test_unchanged_recrawl_adds_no_version_only_last_seen(archive: Archive, seed_record) -> None:
    rec = seed_record("001_dfce13c1242a961e")
    first = archive.store_report(portal="suiyang", url="http://p.test/a", record=rec, fetched_at=T0)
    again = archive.store_report(
        portal="suiyang", url="http://p.test/a", record=seed_record("001_dfce13c1242a961e"),
        fetched_at=T0 + timedelta(days=7),
    )  # fmt: skip
    assert again.kind == "unchanged" and again.version == 1 and again.version_id == first.version_id
    assert _count(archive, Version) == 1
    with archive.session() as s:
        v = s.get(Version, first.version_id)
        assert v.first_seen == T0.replace(tzinfo=None)
        assert v.last_seen == (T0 + timedelta(days=7)).replace(tzinfo=None)


def test_whitespace_and_source_do_not_make_a_new_version(archive: Archive, seed_record) -> None:
    rec = seed_record("003_43ba7708f24f8057")
    archive.store_report(portal="p", url="http://p.test/a", record=rec, fetched_at=T0)
    rec2 = seed_record("003_43ba7708f24f8057")
    rec2["sections"]["problems"] = "  " + rec2["sections"]["problems"].replace("，", "， \n")
    rec2["source"] = {"path": None, "url": "http://p.test/a", "format": "html", "sha256": "f" * 64}
    rec2["findings"] = []
    assert (
        archive.store_report(portal="p", url="http://p.test/a", record=rec2, fetched_at=T0).kind
        == "unchanged"
    )


def test_same_document_at_a_new_url_is_the_same_version_with_the_url_added(
    archive: Archive, seed_record
) -> None:
    rec = seed_record("002_011c0692f2297363")
    archive.store_report(portal="yueqing", url="http://p.test/old.html", record=rec, fetched_at=T0)
    out = archive.store_report(
        portal="yueqing", url="http://p.test/new.html", record=rec, fetched_at=T0 + timedelta(1)
    )
    assert (out.kind, out.version) == ("moved", 1)
    with archive.session() as s:
        urls = s.scalars(select(VersionUrl.url).order_by(VersionUrl.first_seen)).all()
    assert urls == ["http://p.test/old.html", "http://p.test/new.html"]
    assert _count(archive, Version) == 1


def test_a_silent_revision_is_a_new_version_with_a_c23_finding_and_its_diff(
    archive: Archive, seed_record
) -> None:
    rec = seed_record("004_cad4fa3e014eb2f3")
    archive.store_report(portal="p", url="http://p.test/r", record=rec, fetched_at=T0)
    revised = seed_record("004_cad4fa3e014eb2f3")
    revised["cells"]["applications.new_received.natural_person"] = 53
    revised["cells"]["applications.new_received.total"] = 53
    revised["sections"]["problems"] += "新增整改措施。"
    out = archive.store_report(
        portal="p", url="http://p.test/r", record=revised, fetched_at=T0 + timedelta(30)
    )
    assert (out.kind, out.version) == ("new_version", 2)
    [c23] = out.findings
    assert c23["check"] == "C23" and c23["severity"] == "info"
    assert c23["keys"] == ["applications.new_received.natural_person", "applications.new_received.total"]
    assert {"key": "applications.new_received.total", "from": 51, "to": 53, "delta": 2} in out.changes[
        "cells"
    ]
    assert out.changes["sections"] == ["problems"]
    versions = archive.versions("城乡一体化示范区党政办公室", 2023)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["current"] and not versions[0]["current"]
    assert any(f["check"] == "C23" for f in versions[1]["record"]["findings"])
    # Seeing the first version again does not add a third one: it is the current one again.
    back = archive.store_report(portal="p", url="http://p.test/r", record=rec, fetched_at=T0 + timedelta(31))
    assert (back.kind, back.version) == ("unchanged", 1)
    assert _count(archive, Version) == 2
    assert archive.versions("城乡一体化示范区党政办公室", 2023)[0]["current"]


def test_agency_with_formal_suffix_is_the_same_body(archive: Archive, seed_record) -> None:
    rec = seed_record("000_ef311760e166d8f9")
    archive.store_report(portal="yueqing", url="http://p.test/a", record=rec, fetched_at=T0)
    rec2 = seed_record("000_ef311760e166d8f9")
    rec2["agency"] = "智仁乡人民政府"
    rec2["year"] = 2022
    archive.store_report(portal="yueqing", url="http://p.test/b", record=rec2, fetched_at=T0)
    assert _count(archive, Body) == 1 and _count(archive, Report) == 2


def test_a_report_gone_from_its_portal_is_marked_not_deleted(
    archive: Archive, seed_record, seed_stems
) -> None:
    for stem in seed_stems:
        archive.store_report(portal="p", url=f"http://p.test/{stem}", record=seed_record(stem), fetched_at=T0)
    seen = {f"http://p.test/{stem}" for stem in seed_stems[1:]}
    assert archive.mark_disappeared("p", seen, at=T0 + timedelta(1)) == 1
    assert archive.mark_disappeared("p", seen, at=T0 + timedelta(2)) == 0  # already marked
    assert _count(archive, Report) == len(seed_stems)
    agency = seed_record(seed_stems[0])["agency"]
    status = archive.report_status(agency, 2023)
    assert status["disappeared_at"] == (T0 + timedelta(1)).replace(tzinfo=None)
    # It comes back: seen again, no longer disappeared, still version 1.
    out = archive.store_report(portal="p", url=f"http://p.test/{seed_stems[0]}", record=seed_record(seed_stems[0]),
                               fetched_at=T0 + timedelta(3))  # fmt: skip
    assert out.kind == "unchanged"
    assert archive.report_status(agency, 2023)["disappeared_at"] is None


def test_a_crash_between_inserts_leaves_nothing(archive: Archive, seed_record, monkeypatch) -> None:
    def boom(*_a, **_k):
        raise RuntimeError("injected failure after the version row")

    monkeypatch.setattr(store_mod, "_insert_cells", boom)
    with pytest.raises(RuntimeError, match="injected"):
        archive.store_report(
            portal="p", url="http://p.test/x", record=seed_record("004_cad4fa3e014eb2f3"), fetched_at=T0
        )
    for model in (Body, Report, Version, VersionUrl, Cell):
        assert _count(archive, model) == 0, model.__tablename__
    monkeypatch.undo()
    # …and a crash in a revision leaves the first version and nothing else.
    archive.store_report(
        portal="p", url="http://p.test/x", record=seed_record("004_cad4fa3e014eb2f3"), fetched_at=T0
    )
    revised = seed_record("004_cad4fa3e014eb2f3")
    revised["cells"]["applications.granted.total"] = 9

    def boom_url(*_a, **_k):
        raise RuntimeError("injected failure before the URL row")

    monkeypatch.setattr(store_mod, "_see_url", boom_url)
    with pytest.raises(RuntimeError):
        archive.store_report(portal="p", url="http://p.test/x", record=revised, fetched_at=T0 + timedelta(1))
    assert _count(archive, Version) == 1 and _count(archive, Cell) == 200
    with archive.session() as s:
        assert s.scalar(select(Report.last_seen)) == T0.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["cells"].__setitem__("applications.bogus.total", 1),
            "unknown to template v2021: applications.bogus.total",
        ),
        (lambda r: r["cells"].__setitem__("applications.granted.total", "8"), "is not an integer"),
        (lambda r: r["cells"].__setitem__("active.admin_fees.amount_wan", 1.5), "is not a decimal string"),
        (lambda r: r.__setitem__("agency", None), "has no agency"),
        (lambda r: r.__setitem__("year", "2023"), "no usable report year"),
        (lambda r: r["dates"].__setitem__("published", "2024/01/30"), "not an ISO date"),
        (lambda r: r.__setitem__("error", "unreadable PDF"), "cannot store an error record"),
    ],
)
def test_bad_records_are_refused_with_a_clear_error_and_nothing_written(
    archive: Archive, seed_record, mutate, message
) -> None:
    rec = seed_record("004_cad4fa3e014eb2f3")
    mutate(rec)
    with pytest.raises(ArchiveError, match=message):
        archive.store_report(portal="p", url="http://p.test/x", record=rec, fetched_at=T0)
    assert _count(archive, Report) == 0 and _count(archive, Body) == 0


def test_raw_sha_must_name_a_stored_capture(archive: Archive, seed_record) -> None:
    with pytest.raises(ArchiveError, match="store_capture"):
        archive.store_report(
            portal="p", url="u", record=seed_record("001_dfce13c1242a961e"), raw_sha256="0" * 64
        )


def test_concurrent_writers_of_the_same_report_file_it_once(db_url: str, tmp_path, seed_record) -> None:
    """Two crawler processes meeting the same report: one new_report, the others see it unchanged."""
    import threading

    arcs = [Archive.open(db_url, captures_dir=tmp_path / "cap") for _ in range(4)]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(arcs))

    def work(arc: Archive) -> None:
        try:
            barrier.wait()
            sha = arc.store_capture(url="http://p.test/a", body=b"same bytes", headers={}, fetched_at=T0)
            out = arc.store_report(portal="p", url="http://p.test/a", record=seed_record("004_cad4fa3e014eb2f3"),
                                   raw_sha256=sha, fetched_at=T0)  # fmt: skip
            outcomes.append(out.kind)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(a,)) for a in arcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a in arcs:
        a.close()
    assert errors == []
    assert sorted(outcomes) == ["new_report", "unchanged", "unchanged", "unchanged"]
    arc = Archive.open(db_url, captures_dir=tmp_path / "cap")
    assert _count(arc, Version) == 1 and _count(arc, Body) == 1
    arc.close()
