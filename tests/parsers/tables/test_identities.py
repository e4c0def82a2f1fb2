"""A1–A4 as C08–C11 findings (annual-report-format.md §7)."""

from __future__ import annotations

from farm.corpus import load_base_records
from parsers.tables.identities import identity_findings

RECORDS = load_base_records()


def test_pingtan_2020_like_a2_fails_in_total_and_natural_person_a1_holds() -> None:
    record = RECORDS["pingtan-2020"]
    findings = identity_findings(record["cells"], "v2019")
    assert [f.check for f in findings] == ["C09", "C09"]
    columns = {f.keys[0].rsplit(".", 1)[1] for f in findings}
    assert columns == {"natural_person", "total"}
    by_column = {f.keys[0].rsplit(".", 1)[1]: f.message for f in findings}
    assert "is 20" in by_column["natural_person"] and "sum to 26" in by_column["natural_person"]
    assert "is 21" in by_column["total"] and "sum to 27" in by_column["total"]  # 7+6+4+3+3+4
    for f in findings:
        assert f.severity == "error"
        assert f.keys[0].startswith("applications.total_processed.")
        assert "applications.other_handling." + f.keys[0].rsplit(".", 1)[1] in f.keys  # v2019 outcome rows
    assert record["cells"]["applications.new_received.total"] == 21


def test_clean_records_and_seeds_pass() -> None:
    for rid, record in RECORDS.items():
        if record["template"] in ("v2021", "v2019") and rid != "pingtan-2020":
            assert identity_findings(record["cells"], record["template"]) == [], rid


def test_each_identity_fires_with_its_keys() -> None:
    cells = dict(RECORDS["004_cad4fa3e014eb2f3"]["cells"])
    cells["applications.carried_forward.natural_person"] = 1  # A1 natural_person; A3 carried_forward
    cells["appeals.review.total"] = 2  # A4 review
    checks = sorted((f.check, f.keys[0]) for f in identity_findings(cells, "v2021"))
    assert checks == [
        ("C08", "applications.new_received.natural_person"),
        ("C10", "applications.carried_forward.natural_person"),
        ("C11", "appeals.review.upheld"),
    ]


def test_identities_with_a_null_cell_are_not_evaluated() -> None:
    cells = dict(RECORDS["pingtan-2020"]["cells"])
    cells["applications.granted.natural_person"] = None
    cells["applications.granted.total"] = None
    cells["applications.partially_granted.natural_person"] = None
    assert identity_findings(cells, "v2019") == []  # A2 skipped in both failing columns; A3 of those rows too


def test_unknown_template_gives_nothing() -> None:
    assert identity_findings({}, "legacy") == []
