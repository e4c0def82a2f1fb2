"""Township sub-columns of the flatly numbered CMSes — Hanweb (B) and JPaaS (C) number every column
`/col/col{N}/`, so a 乡镇（街道） sub-column sits beside its parent, not below it. Following only
links below the column's directory lost all township reports of such portals: 650 of 10 000 on
the 40-portal bench farm, while every portal still said "ok". A tiny farm shows it in seconds."""

from __future__ import annotations

from typing import Any

import pytest
from farmcrawl import crawl_profile
from farmscore import score

pytest.importorskip("farm.core")

PROFILE: dict[str, Any] = {
    "seed": 23,
    "portals": [
        {
            "name": name,
            "style": style,
            "subcolumns": "townships",
            "years": [2023, 2024],
            "bodies": {"government": 1, "departments": 1, "townships": 2},
            "modes": {"html": 1.0},
            "pairs": 0,
        }
        for name, style in (("sub_b", "B"), ("sub_c", "C"))
    ],
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return crawl_profile(PROFILE, tmp_path_factory.mktemp("subcolumns"))


@pytest.mark.parametrize("portal", [p["name"] for p in PROFILE["portals"]])
def test_township_subcolumn_reports_found(result: Any, portal: str) -> None:
    s = result.summary["portals"][portal]
    assert s["status"] == "ok", s
    townships = [r for r in result.truth["reports"] if r["portal"] == portal and r["body_kind"] == "township"]
    assert townships  # the farm puts them in the sub-column
    scored = score(result.truth, result.db, {portal})
    assert scored.missed == set(), f"recall {scored.recall:.0%}: {sorted(scored.missed)[:3]}"
    assert scored.stored_decoys == set() and scored.unknown == set()
    assert len(s["columns"]) >= 2, s["columns"]  # the report column and its township sub-column
