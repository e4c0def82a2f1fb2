"""The dashboard's read-only queries (archive/queries/browse.py) on real records, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from archive.api import Archive
from govreports.portals import PortalConfig

SUIYANG = "001_dfce13c1242a961e"


def test_portals_bodies_and_one_body_history(archive: Archive, seed_record) -> None:
    archive.sync_portals(
        [PortalConfig("q", ("http://q.test/",), body_kind="department", expected_bodies=("某局",))]
    )
    for year, day in ((2022, datetime(2023, 1, 20, tzinfo=UTC)), (2023, datetime(2024, 1, 20, tzinfo=UTC))):
        rec = seed_record(SUIYANG)
        rec["year"] = year
        archive.store_report(portal="p", url=f"http://p.test/{year}", record=rec, fetched_at=day)
    revised = seed_record(SUIYANG)
    revised["cells"]["applications.new_received.natural_person"] = None
    archive.store_report(
        portal="p", url="http://p.test/2023b", record=revised, fetched_at=datetime(2024, 3, 1, tzinfo=UTC)
    )
    archive.store_report(
        portal="q",
        url="http://q.test/1",
        record=seed_record(SUIYANG),
        fetched_at=datetime(2024, 1, 2, tzinfo=UTC),
    )

    overview = {p["portal"]: p for p in archive.portals_overview()}
    assert overview["p"]["bodies"] == 1 and overview["p"]["expected_bodies"] == 0
    assert overview["p"]["reports_by_year"] == {2022: 1, 2023: 1}
    assert overview["q"]["bodies"] == 2 and overview["q"]["expected_bodies"] == 1
    assert overview["q"]["has_expected_list"] and overview["q"]["reports_by_year"] == {2023: 1}

    assert archive.portal_names() == ["p", "q"] and archive.report_years() == [2022, 2023]
    bodies = archive.bodies("q")
    assert [(b["agency"], b["body_kind"], b["expected"], b["years"]) for b in bodies] == [
        ("某局", "department", True, []),
        ("绥阳县小关乡", "township", False, [2023]),
    ]
    assert [b["portal"] for b in archive.find_bodies("绥阳县小关乡")] == ["p", "q"]
    assert archive.find_bodies("绥阳县小关乡", "q")[0]["portal"] == "q"
    assert archive.find_bodies("无此机关") == []
    assert archive.body_kinds("q") == {("q", "某局"): "department", ("q", "绥阳县小关乡"): "township"}

    assert archive.body_reports("无此机关", "p") is None
    reports = archive.body_reports("绥阳县小关乡", "p")
    assert [r["year"] for r in reports] == [2023, 2022]  # newest first
    y23 = reports[0]
    assert y23["current_version"] == 2 and [v["version"] for v in y23["versions"]] == [1, 2]
    assert y23["versions"][0]["urls"] == ["http://p.test/2023"] and y23["versions"][1]["urls"] == [
        "http://p.test/2023b"
    ]
    assert "C23" in [f["check"] for f in y23["versions"][1]["findings"]]
    assert [c["key"] for c in y23["versions"][1]["changes"]["cells"]] == [
        "applications.new_received.natural_person"
    ]
    assert y23["published"] == "2024-01-30" and y23["first_seen"] == "2024-01-20T00:00:00Z"


def test_run_error_summary_counts_all_and_lists_the_first(archive: Archive) -> None:
    run = archive.begin_run("q")
    for i in range(7):
        archive.record_error(run, url=f"http://q.test/{i}", kind="blocked", message=f"403 #{i}")
    archive.record_error(run, url=None, kind="timeout", message="slow")
    summary = archive.run_error_summary(run, limit=3)
    assert summary["total"] == 8 and summary["by_kind"] == {"blocked": 7, "timeout": 1}
    assert [e["message"] for e in summary["first"]] == ["403 #0", "403 #1", "403 #2"]
    assert archive.run_error_summary(archive.begin_run("q")) == {"total": 0, "by_kind": {}, "first": []}
