"""Style E's `javascript:` pagers on the farm (portals.md §7, §12.2), crawled end to end:
the page URL built in an inline script (`javascript:goPage(N)`, `javascript:next()`), and a list
API asked by POST with the body the page's script sends — form-encoded or JSON, page 1 in the
HTML or only from the API (filled on load). Every report found, no decoy stored."""

from __future__ import annotations

from typing import Any

import pytest
from farmcrawl import crawl_profile
from farmscore import score

pytest.importorskip("farm.core")
pytestmark = pytest.mark.slow  # 25-50 s: four portals, every page behind a script

PROFILE: dict[str, Any] = {
    "seed": 29,
    "portals": [
        {
            "name": name,
            "style": "E",
            "legacy": legacy,
            "subcolumns": sub,
            "years": [2021, 2024],
            "bodies": {"government": 1, "departments": 1, "townships": 2},
            "modes": {"html": 1.0},
            "pager": {"per_page": 3},  # several pages per column
        }
        for name, legacy, sub in (
            ("js_goto", {"list": "js_goto"}, "townships"),
            ("js_form", {"list": "js_next"}, "none"),
            ("js_json", {"list": "js_next", "post": "json"}, "townships"),
            ("js_api", {"list": "js_next", "post": "json", "first": "api"}, "none"),
        )
    ],
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return crawl_profile(PROFILE, tmp_path_factory.mktemp("jspagers"))


@pytest.mark.parametrize("portal", [p["name"] for p in PROFILE["portals"]])
def test_every_report_found_and_no_decoy_stored(result: Any, portal: str) -> None:
    s = result.summary["portals"][portal]
    assert s["status"] == "ok", s
    scored = score(result.truth, result.db, {portal})
    assert len(scored.expected) > 3  # more reports than one page holds
    assert scored.missed == set(), f"recall {scored.recall:.0%}: {sorted(scored.missed)[:3]}"
    assert scored.stored_decoys == set() and scored.unknown == set(), f"precision {scored.precision:.0%}"
    assert s["decoys_skipped"] >= 1  # the column's decoys came through the same pager and were refused


def test_the_api_was_asked_with_the_scripts_body(result: Any) -> None:
    import re

    log = (result.work / "crawl.log").read_text(encoding="utf-8")
    # The end-of-crawl stats dump: the API pages went out as POSTs, and the farm, which answers a
    # body of the wrong kind with 400 and a GET with 405, refused none of them.
    posts = re.search(r"'downloader/request_method_count/POST': (\d+)", log)
    assert posts and int(posts.group(1)) >= 4
    assert "response_status_count/400" not in log and "response_status_count/405" not in log
