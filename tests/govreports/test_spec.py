"""The spec module is the project's single copy of the shared spec data."""

from datetime import date
from pathlib import Path

import pytest

from govreports import spec

SHARED_KEYS = Path(__file__).resolve().parents[3] / "shared" / "spec" / "keys.yaml"


def test_keys_yaml_is_a_verbatim_copy_of_the_shared_spec() -> None:
    if not SHARED_KEYS.exists():
        pytest.skip("../shared/spec not beside this checkout")
    bundled = Path(spec.__file__).with_name("keys.yaml")
    assert bundled.read_bytes() == SHARED_KEYS.read_bytes()


def test_key_counts_match_the_templates() -> None:
    # annual-report-format.md §2.2: v2021 = 10 + 175 + 15, v2019 = 22 + 161 + 15.
    assert len(spec.key_names("v2021")) == 200
    assert len(spec.key_names("v2019")) == 198
    assert len(set(spec.key_names("v2021"))) == 200


def test_checks_cover_c01_to_c24_with_spec_severities() -> None:
    checks = spec.checks()
    assert sorted(checks) == [f"C{i:02d}" for i in range(1, 25)]
    assert checks["C09"].severity == "error"
    assert checks["C24"].severity == "info"
    assert checks["C07"].severity == "warn"


@pytest.mark.parametrize(
    ("kind", "year", "override", "expected"),
    [
        ("department", 2023, None, date(2024, 1, 31)),
        ("government", 2023, None, date(2024, 3, 31)),
        ("township", 2023, None, date(2024, 1, 31)),
        ("other", 2023, None, date(2024, 1, 31)),
        (None, 2023, None, date(2024, 1, 31)),
        ("department", 2018, None, date(2019, 3, 31)),  # 2007 条例: everybody Mar 31
        ("government", 2011, None, date(2012, 3, 31)),
        ("township", 2021, "02-20", date(2022, 2, 20)),  # 怀化's local deadline
    ],
)
def test_legal_deadline(kind: str | None, year: int, override: str | None, expected: date) -> None:
    assert spec.legal_deadline(kind, year, override) == expected


def test_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown template"):
        spec.keys("v2030")  # type: ignore[arg-type]


@pytest.mark.parametrize("template", ["v2021", "v2019"])
def test_table3_row_heads_fill_the_three_column_head_exactly(template: str) -> None:
    heads = spec.table3_row_heads(template)
    row_ids = [rk for rk, _ in heads]
    assert row_ids == list(
        dict.fromkeys(k.key.split(".")[1] for k in spec.keys(template) if k.key.startswith("applications."))
    )
    # Every printed row's head covers exactly three columns once the row spans above it are counted.
    carried = [0] * len(heads)
    for i, (_, head) in enumerate(heads):
        assert carried[i] + sum(h.colspan for h in head) == 3, row_ids[i]
        for h in head:
            for j in range(i + 1, i + h.rowspan):
                carried[j] += h.colspan
    spans = {h.text: h.rowspan for _, head in heads for h in head}
    assert spans["（三）不予公开"] == 8  # 1.属于国家秘密 … 8.属于行政查询事项
