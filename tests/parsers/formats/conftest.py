from __future__ import annotations

from typing import Any

import pytest

from farm.render.layout import expected_grids
from farm.render.samples import sample_records
from parsers.document import Document


@pytest.fixture(scope="session")
def records() -> list[dict[str, Any]]:
    return sample_records()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # One test per record, named by the record id.
    if "record" in metafunc.fixturenames:
        recs = sample_records()
        metafunc.parametrize("record", recs, ids=[r.get("id", str(i)) for i, r in enumerate(recs)])


def norm_grid(grid: list[list[str | None]]) -> list[list[str]]:
    # Line wraps inside a cell are layout, not content: compare without whitespace.
    return [["".join((c or "").split()) for c in row] for row in grid]


def assert_grids(doc: Document, record: dict[str, Any]) -> None:
    expected = [norm_grid(g) for g in expected_grids(record)]
    got = [norm_grid(g) for g in doc.tables]
    assert len(got) == len(expected), f"{len(got)} tables read, {len(expected)} rendered"
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        diffs = [(r, a, b) for r, (a, b) in enumerate(zip(g, e, strict=False)) if a != b]
        assert len(g) == len(e) and not diffs, (
            f"table {i}: {len(g)} vs {len(e)} rows; first diffs {diffs[:3]}"
        )


def assert_cells(doc: Document, record: dict[str, Any]) -> None:
    """Through the shared table code to the record's cells (skipped until parsers.tables lands)."""
    try:
        from parsers.tables import extract_tables
    except ImportError:
        pytest.skip("parsers.tables.extract_tables not available yet")
    result = extract_tables(doc)
    assert result.template == record["template"]
    wrong = {k: (result.cells.get(k), v) for k, v in record["cells"].items() if result.cells.get(k) != v}
    assert not wrong, f"{len(wrong)} cells differ, e.g. {list(wrong.items())[:5]}"
    assert set(result.cells) == set(record["cells"])


@pytest.fixture(scope="session")
def check_grids():
    return assert_grids


@pytest.fixture(scope="session")
def check_cells():
    return assert_cells
