from pathlib import Path

import pytest

from govreports.errors import ConfigError
from govreports.portals import load_portals, select


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_the_contract_example(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
portals:
  - name: pingtan
    start_urls: ["http://www.pingtan.gov.cn/"]
    body_kind: government
    deadline: "01-31"
    expected_bodies: ["平潭综合实验区", "平潭综合实验区党政办公室"]
    cron: "0 6 * * *"
  - name: yueqing
    start_urls: "http://www.yueqing.gov.cn/"
""",
    )
    pingtan, yueqing = load_portals(path)
    assert pingtan.start_urls == ("http://www.pingtan.gov.cn/",)
    assert pingtan.deadline == "01-31"
    assert pingtan.expected_bodies == ("平潭综合实验区", "平潭综合实验区党政办公室")
    assert pingtan.extra == {"cron": "0 6 * * *"}
    assert yueqing.start_urls == ("http://www.yueqing.gov.cn/",)
    assert yueqing.body_kind is None
    assert [p.name for p in select([pingtan, yueqing], ["yueqing"])] == ["yueqing"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("portals: {}", "'portals' list"),
        ("portals:\n  - {name: 'a b', start_urls: ['http://x/']}", "ASCII identifier"),
        ("portals:\n  - {name: a, start_urls: ['ftp://x/']}", "http"),
        ("portals:\n  - {name: a, start_urls: ['http://x/'], body_kind: county}", "body_kind"),
        ("portals:\n  - {name: a, start_urls: ['http://x/'], deadline: '2-30'}", "MM-DD"),
        (
            "portals:\n  - {name: a, start_urls: ['http://x/']}\n  - {name: a, start_urls: ['http://y/']}",
            "duplicate",
        ),
        ("portals: [", "cannot read"),
    ],
)
def test_bad_portals_files_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_portals(write(tmp_path, text))


def test_missing_file_and_unknown_portal(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_portals(tmp_path / "nope.yaml")
    portals = load_portals(write(tmp_path, "portals:\n  - {name: a, start_urls: ['http://x/']}"))
    with pytest.raises(ConfigError, match="unknown portal"):
        select(portals, ["b"])
