"""The identities on OCR'd grids, without Tesseract: which low-confidence readings they confirm."""

from __future__ import annotations

from parsers.formats.ocr_sums import check_sums

LABELS = ["三、本年度办理结果", "", ""]


def _row(label: str, values: list[int]) -> list[str | None]:
    return [label, label, label, *[str(v) for v in values]]


def _table3() -> list[list[str | None]]:
    """A small table-3 grid: two outcome rows, their 总计, and the A1 rows around them."""
    return [
        ["", "", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
        _row("一、本年新收政府信息公开申请数量", [2, 0, 0, 0, 0, 0, 2]),
        _row("二、上年结转政府信息公开申请数量", [0, 0, 0, 0, 0, 0, 0]),
        _row("（一）予以公开", [1, 0, 0, 0, 0, 0, 1]),
        _row("（六）其他处理", [1, 0, 0, 0, 0, 0, 1]),
        _row("（七）总计", [2, 0, 0, 0, 0, 0, 2]),
        _row("四、结转下年度继续办理", [0, 0, 0, 0, 0, 0, 0]),
    ]


def _sure(grid: list[list[str | None]]) -> dict[tuple[int, int, int], float]:
    return {(0, r, c): 95.0 for r, row in enumerate(grid) for c in range(len(row))}


def test_a_lone_candidate_the_row_sum_gives_is_confirmed() -> None:
    grid = _table3()
    conf = _sure(grid)
    conf[(0, 3, 3)] = 52.0  # digit readings agreed on "1", below the confidence threshold
    uncertain = {(0, 3, 3)}
    assert check_sums([grid], uncertain, conf) == 1
    assert not uncertain


def test_a_candidate_the_identities_contradict_stays_uncertain() -> None:
    grid = _table3()
    grid[3][3] = "7"  # misread; the row says 1, so does the column
    conf = _sure(grid)
    conf[(0, 3, 3)] = 52.0
    uncertain = {(0, 3, 3)}
    assert check_sums([grid], uncertain, conf) == 0
    assert uncertain == {(0, 3, 3)}


def test_a_disputed_reading_is_never_confirmed() -> None:
    grid = _table3()
    conf = _sure(grid)
    conf[(0, 3, 3)] = 0.0  # the digit readings disagreed: no reading to confirm
    uncertain = {(0, 3, 3)}
    assert check_sums([grid], uncertain, conf) == 0
    assert uncertain == {(0, 3, 3)}


def test_two_unknowns_in_a_row_need_the_column_first() -> None:
    grid = _table3()
    conf = _sure(grid)
    both = {(0, 4, 3), (0, 4, 9)}  # 自然人 and 总计 of one outcome row
    for p in both:
        conf[p] = 50.0
    uncertain = set(both)
    # A3 alone cannot decide (1 + 0… = 1 holds for 7 and 7 too); A2 per column pins 自然人,
    # then A3 the row's 总计.
    assert check_sums([grid], uncertain, conf) == 2
    assert not uncertain


def test_two_unknowns_without_a_column_identity_stay_uncertain() -> None:
    grid = _table3()
    grid[5][3] = grid[5][9] = "?"  # （七）总计 unreadable in those columns: A1/A2 not evaluable
    conf = _sure(grid)
    both = {(0, 4, 3), (0, 4, 9)}
    for p in both:
        conf[p] = 50.0
    uncertain = set(both) | {(0, 5, 3), (0, 5, 9)}
    assert check_sums([grid], uncertain, conf) == 0
    assert both <= uncertain


def test_a_failing_row_sum_distrusts_its_less_than_certain_cells() -> None:
    grid = _table3()
    grid[3][9] = "3"  # 1 + 0 … != 3
    conf = _sure(grid)
    conf[(0, 3, 3)] = 80.0
    conf[(0, 3, 9)] = 70.0
    uncertain: set[tuple[int, int, int]] = set()
    check_sums([grid], uncertain, conf)
    assert (0, 3, 9) in uncertain
    # The 自然人 cell is vouched for by its column (A2: 1 + 1 = 2, A1: 2 + 0 = 2 + 0).
    assert (0, 3, 3) not in uncertain
    # Without the other rows, nothing vouches for either reading.
    grid = [grid[0], grid[3]]
    conf = {**_sure(grid), (0, 1, 3): 80.0, (0, 1, 9): 70.0}
    uncertain = set()
    check_sums([grid], uncertain, conf)
    assert {(0, 1, 3), (0, 1, 9)} <= uncertain


def test_table4_groups() -> None:
    row = ["1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0"]
    grid: list[list[str | None]] = [row]
    conf = {(0, 0, c): 95.0 for c in range(15)}
    conf[(0, 0, 5)] = 45.0
    uncertain = {(0, 0, 5)}
    assert check_sums([grid], uncertain, conf) == 1
    assert not uncertain
