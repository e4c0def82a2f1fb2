"""missing (C01), late (C02), diff (C20–C23) and export on real records, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from archive.api import Archive
from govreports.errors import ArchiveError
from govreports.portals import PortalConfig

YUEQING = ("000_ef311760e166d8f9", "002_011c0692f2297363")  # the two 乐清 seeds


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 9, 0, tzinfo=UTC)


def _as_year(rec: dict, year: int, published: str | None = None) -> dict:
    rec["year"] = year
    rec["title"] = rec["title"].replace("2023", str(year))
    rec["dates"]["published"] = published
    return rec


# ---------------------------------------------------------------------------- missing


def test_missing_infers_expected_bodies_from_earlier_years(archive: Archive, seed_record, seed_stems) -> None:
    # Every seed body reported for 2022; for 2023 only seeds 001 and 004 are in.
    for stem in seed_stems:
        archive.store_report(portal="p", url=f"http://p.test/22/{stem}", record=_as_year(seed_record(stem), 2022),
                             fetched_at=at(2023, 1, 20))  # fmt: skip
    for stem in ("001_dfce13c1242a961e", "004_cad4fa3e014eb2f3"):
        archive.store_report(portal="p", url=f"http://p.test/23/{stem}", record=seed_record(stem),
                             fetched_at=at(2024, 1, 20))  # fmt: skip
    rows = archive.missing(2023, as_of=date(2024, 6, 1))
    assert [r["agency"] for r in rows] == ["乐清市新居民服务中心", "智仁乡", "苏家作乡"]
    assert rows[0] == {
        "agency": "乐清市新居民服务中心",
        "portal": "p",
        "year": 2023,
        "expected_because": "reported for 2022",
    }
    # As of before the 2023 crawl, all five were missing; for 2022 (nothing earlier) none is expected.
    assert len(archive.missing(2023, as_of=date(2024, 1, 1))) == 5
    assert archive.missing(2022, as_of=date(2024, 6, 1)) == []


def test_missing_uses_the_portals_file_list_when_there_is_one(archive: Archive, seed_record) -> None:
    archive.sync_portals(
        [
            PortalConfig(
                name="yueqing",
                start_urls=("http://y.test/",),
                expected_bodies=("智仁乡人民政府", "乐清市新居民服务中心", "乐清市城市管理局"),
            )
        ]
    )
    archive.store_report(
        portal="yueqing", url="http://y.test/a", record=seed_record(YUEQING[0]), fetched_at=at(2024, 1, 10)
    )
    # A body on the portal that is not listed is not expected even though it reported before.
    archive.store_report(portal="yueqing", url="http://y.test/x", record=_as_year(seed_record("003_43ba7708f24f8057"), 2022),
                         fetched_at=at(2023, 1, 10))  # fmt: skip
    rows = archive.missing(2023, as_of=date(2024, 6, 1))
    assert [(r["agency"], r["expected_because"]) for r in rows] == [
        ("乐清市城市管理局", "listed in the portals file (expected_bodies)"),
        ("乐清市新居民服务中心", "listed in the portals file (expected_bodies)"),
    ]


def test_missing_and_late_narrowed_to_a_portal_or_a_body(archive: Archive, seed_record, seed_stems) -> None:
    # The five seed bodies reported for 2022 on two portals; none for 2023 yet.
    for n, stem in enumerate(seed_stems):
        portal = "p" if n % 2 else "q"
        archive.store_report(portal=portal, url=f"http://{portal}.test/22/{stem}", record=_as_year(seed_record(stem), 2022),
                             fetched_at=at(2023, 1, 20))  # fmt: skip
    when = (2023, date(2024, 6, 1))
    for query in (archive.missing, archive.late):
        rows = query(*when)
        assert {r["portal"] for r in rows} == {"p", "q"}
        for portal in ("p", "q"):
            assert query(*when, portal=portal) == [r for r in rows if r["portal"] == portal]
        one = rows[-1]
        assert query(*when, portal=one["portal"], agency=one["agency"]) == [one]
        assert query(*when, portal="nosuch") == []
        assert query(*when, agency="没有这个机关") == []


# ---------------------------------------------------------------------------- late


def test_late_uses_published_then_first_seen_and_body_kind_deadlines(archive: Archive, seed_record) -> None:
    # 001 (township, Jan 31): states 2024-01-30 -> on time though first seen in March.
    archive.store_report(
        portal="p",
        url="http://p.test/1",
        record=seed_record("001_dfce13c1242a961e"),
        fetched_at=at(2024, 3, 5),
    )
    # 002 (department, Jan 31): no stated date, first seen Feb 3 -> 3 days late by first_seen.
    archive.store_report(
        portal="p",
        url="http://p.test/2",
        record=seed_record("002_011c0692f2297363"),
        fetched_at=at(2024, 2, 3),
    )
    # 004 (department) states 2024-01-31: on the deadline day is on time.
    rec4 = seed_record("004_cad4fa3e014eb2f3")
    rec4["dates"]["published"] = "2024-01-31"
    archive.store_report(portal="p", url="http://p.test/4", record=rec4, fetched_at=at(2024, 2, 20))
    # A government report (Mar 31 track) published Mar 10: on time.
    gov = seed_record("003_43ba7708f24f8057")
    gov.update(agency="平潭综合实验区", body_kind="government")
    gov["dates"]["published"] = "2024-03-10"
    archive.store_report(portal="pingtan", url="http://pt.test/1", record=gov, fetched_at=at(2024, 3, 10))
    rows = archive.late(2023, as_of=date(2024, 6, 1))
    assert rows == [
        {"agency": "乐清市新居民服务中心", "portal": "p", "year": 2023, "deadline": "2024-01-31", "published": None,
         "first_seen": "2024-02-03T09:00:00Z", "days_late": 3},
    ]  # fmt: skip


def test_late_counts_missing_past_deadline_and_honours_portal_override(archive: Archive, seed_record) -> None:
    # 怀化-style local date: the portal sets Feb 20 for its townships and departments.
    archive.sync_portals([PortalConfig(name="huaihua", start_urls=("http://h.test/",), deadline="02-20",
                                       expected_bodies=("绥阳县小关乡", "智仁乡"))])  # fmt: skip
    rec = seed_record("001_dfce13c1242a961e")
    rec["dates"]["published"] = "2024-02-15"  # after Jan 31, before the portal's Feb 20
    archive.store_report(portal="huaihua", url="http://h.test/1", record=rec, fetched_at=at(2024, 2, 15))
    assert archive.late(2023, as_of=date(2024, 2, 20)) == []  # 智仁乡 missing, but not yet past Feb 20
    rows = archive.late(2023, as_of=date(2024, 3, 1))
    assert rows == [
        {"agency": "智仁乡", "portal": "huaihua", "year": 2023, "deadline": "2024-02-20", "published": None,
         "first_seen": None, "days_late": 10},
    ]  # fmt: skip


def test_late_pingtan_2011_uses_the_legacy_deadline(archive: Archive, seed_record) -> None:
    # annual-report-format.md §1.3: Pingtan's 2011 report, released 2012-04-18 vs Mar 31 -> 18 days.
    rec = _as_year(seed_record("003_43ba7708f24f8057"), 2011, published="2012-04-18")
    rec.update(agency="平潭综合实验区", body_kind="government", template="legacy", cells={})
    rec["legacy"] = {}
    rec["dates"]["signed"] = "2012-02-20"
    archive.store_report(portal="pingtan", url="http://pt.test/2011", record=rec, fetched_at=at(2020, 1, 1))
    [row] = archive.late(2011, as_of=date(2024, 1, 1))
    assert (row["deadline"], row["published"], row["days_late"]) == ("2012-03-31", "2012-04-18", 18)


def test_a_silent_revision_does_not_launder_a_late_release(archive: Archive, seed_record) -> None:
    rec = seed_record("004_cad4fa3e014eb2f3")
    rec["dates"]["published"] = "2024-02-10"
    archive.store_report(portal="p", url="http://p.test/4", record=rec, fetched_at=at(2024, 2, 10))
    rev = seed_record("004_cad4fa3e014eb2f3")
    rev["dates"]["published"] = "2024-01-15"  # backdated in a revision
    assert (
        archive.store_report(portal="p", url="http://p.test/4", record=rev, fetched_at=at(2024, 3, 1)).kind
        == "new_version"
    )
    [row] = archive.late(2023, as_of=date(2024, 6, 1))
    assert (row["published"], row["days_late"]) == ("2024-02-10", 10)


# ---------------------------------------------------------------------------- diff


def _pingtan(seed_record, year: int, **cells) -> dict:
    rec = _as_year(seed_record("004_cad4fa3e014eb2f3"), year)
    rec.update(agency="平潭综合实验区", body_kind="government")
    rec["cells"].update(cells)
    return rec


def test_diff_year_over_year_with_c20_and_c21(archive: Archive, seed_record) -> None:
    # Pingtan (annual-report-format.md §7): 规范性文件 2021→2022 holds (665 + 88 − 55 = 698);
    # 2022→2023 fails (643 expected, 470 printed). Carry-over 2021→2022 holds (1 → 1).
    r21 = _pingtan(seed_record, 2021, **{"active.normative_docs.in_force": 665,
                                         "applications.carried_forward.total": 1,
                                         "applications.carried_forward.natural_person": 1})  # fmt: skip
    r22 = _pingtan(seed_record, 2022, **{"active.normative_docs.issued": 88, "active.normative_docs.repealed": 55,
                                         "active.normative_docs.in_force": 698,
                                         "applications.carried_over.total": 1,
                                         "applications.carried_over.natural_person": 1,
                                         "applications.carried_forward.total": 0})  # fmt: skip
    r23 = _pingtan(seed_record, 2023, **{"active.normative_docs.issued": 20, "active.normative_docs.repealed": 75,
                                         "active.normative_docs.in_force": 470,
                                         "applications.carried_over.total": 2})  # fmt: skip
    for rec in (r21, r22, r23):
        archive.store_report(
            portal="pingtan",
            url=f"http://pt.test/{rec['year']}",
            record=rec,
            fetched_at=at(rec["year"] + 1, 2, 1),
        )
    out = archive.diff("平潭综合实验区", 2022, 2023)
    assert (out["agency"], out["from"], out["to"]) == ("平潭综合实验区", 2022, 2023)
    changes = {c["key"]: c for c in out["changes"]}
    assert changes["active.normative_docs.in_force"] == {
        "key": "active.normative_docs.in_force",
        "from": 698,
        "to": 470,
        "delta": -228,
    }
    assert changes["applications.carried_over.total"]["delta"] == 1
    checks = [(f["check"], f["severity"]) for f in out["findings"]]
    assert ("C20", "warn") in checks and ("C21", "info") in checks
    c21 = next(f for f in out["findings"] if f["check"] == "C21")
    assert "470 ≠ 698 (2022) + 20 issued − 75 repealed = 643" in c21["message"]
    c20 = next(f for f in out["findings"] if f["check"] == "C20")
    assert "total 0 → 2" in c20["message"]
    # 2021→2022: both continuities hold.
    assert [
        f for f in archive.diff("平潭综合实验区", 2021, 2022)["findings"] if f["check"] in ("C20", "C21")
    ] == []


def test_c21_v2019_item_continuity_and_no_check_across_templates(archive: Archive) -> None:
    base = {"schema": "govreports/annual-report@1", "agency": "平潭综合实验区", "body_kind": "government",
            "template": "v2019", "title": "t", "dates": {}, "sections": {}, "findings": []}  # fmt: skip
    # Pingtan 行政事业性收费: 2019 "35 / 0" -> 2020 "35 / −15" holds.
    r19 = {
        **base,
        "year": 2019,
        "cells": {"active.admin_fees.prev_year_items": 35, "active.admin_fees.change": 0},
    }
    r20 = {
        **base,
        "year": 2020,
        "cells": {"active.admin_fees.prev_year_items": 35, "active.admin_fees.change": -15},
    }
    r21 = {
        **base,
        "year": 2021,
        "cells": {"active.admin_fees.prev_year_items": 35, "active.admin_fees.change": 0},
    }
    for rec in (r19, r20, r21):
        archive.store_report(
            portal="pingtan", url=f"http://pt.test/{rec['year']}", record=rec, fetched_at=at(2022, 1, 1)
        )
    assert archive.diff("平潭综合实验区", 2019, 2020)["findings"] == []
    [c21] = archive.diff("平潭综合实验区", 2020, 2021)["findings"]
    assert c21["check"] == "C21" and "35 ≠ 35 + -15 (2020) = 20" in c21["message"]


def test_diff_c22_copy_from_previous_year_but_not_shared_preface(
    archive: Archive, seed_record, seed_preface
) -> None:
    # 乐清: seeds 000 and 002 share one preface template (typo included). Put the preface into 一 as
    # a parser may: it must be discounted. Then 智仁乡 copies its 2022 section 五 into 2023.
    recs = {}
    for stem in YUEQING:
        rec = seed_record(stem)
        rec["sections"]["overview"] = seed_preface(stem) + "\n" + (rec["sections"]["overview"] or "")
        recs[stem] = rec
    zhiren_22 = _as_year(seed_record(YUEQING[0]), 2022)
    zhiren_22["sections"]["overview"] = (
        "2022年，我乡围绕年度重点工作，推进村务公开和财务公开，更新公开栏目十余个。"
    )
    for rec in (recs[YUEQING[0]], recs[YUEQING[1]], zhiren_22):
        archive.store_report(
            portal="yueqing",
            url=f"http://y.test/{rec['agency']}/{rec['year']}",
            record=rec,
            fetched_at=at(2024, 1, 10),
        )
    out = archive.diff("智仁乡", 2022, 2023)
    c22 = [f for f in out["findings"] if f["check"] == "C22"]
    # 五 is the 2022 text (same seed); 六 is too but says too little to judge ("未收取…费用。无其他…");
    # 一 differs.
    [c22] = c22
    assert (
        "section 五" in c22["message"] and "the 2022 report" in c22["message"] and c22["severity"] == "warn"
    )
    # Sibling comparison: 002 shares only the preface with 000, which is discounted.
    xin_22 = _as_year(seed_record(YUEQING[1]), 2022)
    xin_22["sections"] = dict.fromkeys(
        xin_22["sections"], "2022年本中心完成了流动人口服务信息的公开工作，及时更新办事指南。"
    )
    archive.store_report(
        portal="yueqing", url="http://y.test/xin/2022", record=xin_22, fetched_at=at(2023, 1, 10)
    )
    assert [
        f for f in archive.diff("乐清市新居民服务中心", 2022, 2023)["findings"] if f["check"] == "C22"
    ] == []


def test_c22_sibling_copy_on_the_same_portal(archive: Archive, seed_record) -> None:
    # Seed 003's 五 is boilerplate almost identical to another body's report (§12.1); a sibling with
    # the same 五 on the portal is found.
    rec = seed_record("003_43ba7708f24f8057")
    sib = seed_record("004_cad4fa3e014eb2f3")
    sib["sections"]["problems"] = rec["sections"]["problems"].replace("苏家作乡", "城乡一体化示范区")
    archive.store_report(portal="p", url="http://p.test/3", record=rec, fetched_at=at(2024, 1, 10))
    archive.store_report(portal="p", url="http://p.test/4", record=sib, fetched_at=at(2024, 1, 10))
    prev = _as_year(seed_record("003_43ba7708f24f8057"), 2022)
    prev["sections"] = {
        k: "2022年我乡政务公开工作按计划推进，完成了年度任务，群众满意度有所提升，未发生泄密事件。"
        for k in prev["sections"]
    }
    archive.store_report(portal="p", url="http://p.test/3/22", record=prev, fetched_at=at(2023, 1, 10))
    out = archive.diff("苏家作乡", 2022, 2023)
    [c22] = [f for f in out["findings"] if f["check"] == "C22" and "五" in f["message"]]
    assert "城乡一体化示范区党政办公室's 2023 report" in c22["message"]


def test_diff_within_a_year_lists_versions_and_c23(archive: Archive, seed_record) -> None:
    archive.store_report(
        portal="p",
        url="http://p.test/4",
        record=seed_record("004_cad4fa3e014eb2f3"),
        fetched_at=at(2024, 1, 5),
    )
    rev = seed_record("004_cad4fa3e014eb2f3")
    rev["cells"]["active.admin_fees.amount_wan"] = "5949.088667"
    archive.store_report(portal="p", url="http://p.test/4", record=rev, fetched_at=at(2024, 2, 5))
    out = archive.diff("城乡一体化示范区党政办公室", 2023, 2023)
    assert out["versions"] == {"from": 1, "to": 2, "count": 2}
    assert out["changes"] == [
        {"key": "active.admin_fees.amount_wan", "from": "0", "to": "5949.088667", "delta": "5949.088667"}
    ]
    assert [f["check"] for f in out["findings"]] == ["C23"]


def test_diff_errors_are_clear(archive: Archive, seed_record) -> None:
    archive.store_report(
        portal="p",
        url="http://p.test/4",
        record=seed_record("004_cad4fa3e014eb2f3"),
        fetched_at=at(2024, 1, 5),
    )
    with pytest.raises(
        ArchiveError,
        match="no 2021 report of 城乡一体化示范区党政办公室 in the archive \\(archived years: 2023\\)",
    ):
        archive.diff("城乡一体化示范区党政办公室", 2021, 2023)
    with pytest.raises(ArchiveError, match="no body called '不存在'"):
        archive.diff("不存在", 2022, 2023)
    archive.store_report(
        portal="q",
        url="http://q.test/4",
        record=seed_record("004_cad4fa3e014eb2f3"),
        fetched_at=at(2024, 1, 5),
    )
    with pytest.raises(ArchiveError, match=r"on several portals \(p, q\)"):
        archive.diff("城乡一体化示范区党政办公室", 2022, 2023)


# ---------------------------------------------------------------------------- export


def test_export_latest_and_all_versions_with_archive_block(archive: Archive, seed_record, seed_stems) -> None:
    for stem in seed_stems:
        archive.store_report(
            portal="p", url=f"http://p.test/{stem}", record=seed_record(stem), fetched_at=at(2024, 2, 1)
        )
    rev = seed_record("004_cad4fa3e014eb2f3")
    rev["cells"]["applications.granted.natural_person"] = 9
    archive.store_report(portal="p", url="http://p.test/v2", record=rev, fetched_at=at(2024, 3, 1))
    latest = list(archive.export(year=2023))
    assert len(latest) == len(seed_stems)
    by_agency = {r["agency"]: r for r in latest}
    r4 = by_agency["城乡一体化示范区党政办公室"]
    assert r4["archive"] == {"version": 2, "first_seen": "2024-03-01T09:00:00Z", "last_seen": "2024-03-01T09:00:00Z",
                             "url": "http://p.test/v2", "portal": "p"}  # fmt: skip
    assert r4["cells"]["applications.granted.natural_person"] == 9
    # Numbers are exactly the truth's for the others.
    for stem in seed_stems:
        truth = seed_record(stem)
        if truth["agency"] != "城乡一体化示范区党政办公室":
            assert by_agency[truth["agency"]]["cells"] == truth["cells"]
    assert len(list(archive.export(all_versions=True))) == len(seed_stems) + 1
    assert [
        r["archive"]["version"]
        for r in archive.export(agency="城乡一体化示范区党政办公室", all_versions=True)
    ] == [1, 2]
    assert list(archive.export(year=2022)) == []


def test_corpus_records_round_trip_exactly(archive: Archive, corpus) -> None:
    """Every farm base record (v2021, v2019, legacy) comes back from export with the same figures."""
    for i, rec in enumerate(corpus):
        out = archive.store_report(
            portal="corpus", url=f"http://corpus.test/{i}", record=rec, fetched_at=at(2025, 1, 1)
        )
        assert out.kind == "new_report", rec["id"]
    exported = {(r["agency"], r["year"]): r for r in archive.export(portal="corpus")}
    assert len(exported) == len(corpus)
    for rec in corpus:
        got = exported[(rec["agency"], rec["year"])]
        for field in ("cells", "sections", "dates", "template", "legacy", "title"):
            assert got.get(field) == rec.get(field), (rec["id"], field)
        assert type(got["cells"].get("active.admin_fees.amount_wan")) is type(
            rec["cells"].get("active.admin_fees.amount_wan")
        )


def test_corpus_pingtan_series_late_and_diff(archive: Archive, corpus) -> None:
    pingtan = {r["year"]: r for r in corpus if r["agency"] == "平潭综合实验区"}
    if not {2020, 2023} <= set(pingtan):
        pytest.skip("farm/corpus lacks the Pingtan 2020 and 2023 records")
    for year, rec in pingtan.items():
        archive.store_report(
            portal="pingtan", url=f"http://pt.test/{year}", record=rec, fetched_at=at(year + 1, 3, 1)
        )
    # Pingtan's regional report is on the Mar-31 track: none of the series is late.
    for year, rec in pingtan.items():
        rows = archive.late(year, as_of=date(2026, 1, 1))
        assert [r for r in rows if r["agency"] == "平潭综合实验区"] == [], (year, rec["dates"])
    out = archive.diff("平潭综合实验区", 2020, 2023)
    assert out["templates"] == {"from": "v2019", "to": "v2021"}
    assert not [f for f in out["findings"] if f["check"] in ("C20", "C21")]  # no consecutive years
    fees = {c["key"]: c for c in out["changes"]}.get("active.admin_fees.amount_wan")
    assert fees is None or fees["to"] == "5949.088667"
