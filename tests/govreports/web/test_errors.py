"""Unknown things are 404, bad parameters are 400 with a message naming the parameter."""

from __future__ import annotations

import pytest
from webtools import Client

SUIYANG = "绥阳县小关乡"


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/body", {"agency": "无此机关"}, ["无此机关", "no body called"]),
        ("/body", {"agency": SUIYANG, "portal": "nowhere"}, ["nowhere"]),
        ("/report", {"agency": "城乡一体化示范区党政办公室", "year": 2019}, ["no 2019 report"]),
        (
            "/report",
            {"agency": "城乡一体化示范区党政办公室", "year": 2023, "version": 9},
            ["no version 9", "versions: 1"],
        ),
        (
            "/diff",
            {"agency": "城乡一体化示范区党政办公室", "from": 2020, "to": 2023},
            ["no 2020 report", "2022, 2023"],
        ),
        ("/no/such/page", {}, ["no such page"]),
    ],
)
def test_not_found(client: Client, path: str, params: dict, words: list[str]) -> None:
    r = client.get(path, params)
    assert r.status == 404
    for w in words:
        assert w in r.text


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/missing", {"year": "abc"}, ["year", "'abc'", "e.g. 2023"]),
        ("/late", {"year": "20233"}, ["year", "'20233'"]),
        ("/missing", {"year": 2023, "as_of": "2024-13-01"}, ["as_of", "YYYY-MM-DD"]),
        ("/missing", {"year": 2023, "as_of": "yesterday"}, ["as_of", "'yesterday'"]),
        (
            "/late",
            {"year": 2023, "body_kind": "army"},
            ["body_kind", "government, department, township, other"],
        ),
        ("/missing", {"year": 2023, "portal": "nowhere"}, ["portal", "'nowhere'", "known: p, q"]),
        ("/body", {}, ["agency"]),
        ("/body", {"agency": SUIYANG}, ["portal", "p, q"]),  # on two portals: which one?
        ("/report", {"agency": "城乡一体化示范区党政办公室"}, ["year"]),
        ("/report", {"agency": "城乡一体化示范区党政办公室", "year": 2023, "version": "0"}, ["version"]),
        (
            "/diff",
            {"agency": "城乡一体化示范区党政办公室", "from": 2023, "to": 2022},
            ["from", "2023", "2022"],
        ),
        ("/export.csv", {"all_versions": "maybe"}, ["all_versions"]),
    ],
)
def test_bad_parameters(client: Client, path: str, params: dict, words: list[str]) -> None:
    r = client.get(path, params)
    assert r.status == 400
    assert "请求参数错误" in r.text
    for w in words:
        assert w.replace("'", "&#39;") in r.text


def test_json_endpoints_answer_errors_in_json(client: Client) -> None:
    r = client.get("/missing.json", {})  # the command requires --year; so does its JSON
    assert r.status == 400 and r.headers["Content-Type"].startswith("application/json")
    assert "year" in r.json()["error"]
    r = client.get("/diff.json", {"agency": "无此机关", "from": 2022, "to": 2023})
    assert r.status == 404 and "无此机关" in r.json()["error"]


def test_archive_trouble_is_503_not_a_traceback(client: Client) -> None:
    from govreports.errors import ArchiveError

    def broken(*_a, **_k):
        raise ArchiveError("archive sqlite:///x is locked by another process")

    client.app.archive.portals_overview = broken  # type: ignore[method-assign]
    r = client.get("/")
    assert r.status == 503 and "locked by another process" in r.text and "Traceback" not in r.text
