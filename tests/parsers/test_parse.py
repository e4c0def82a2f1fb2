"""parse_bytes: sha256, format from the bytes, context from the linking page, never an exception."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from parsers import parse as parse_module
from parsers.document import PageMeta
from parsers.parse import parse_bytes

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_003 = (SEEDS / "003_43ba7708f24f8057.txt").read_bytes()


def test_source_block() -> None:
    record = parse_bytes(SEED_003, path="a/b.txt", url="http://127.0.0.1/b.txt")
    assert record["source"] == {
        "path": "a/b.txt",
        "url": "http://127.0.0.1/b.txt",
        "format": "txt",
        "sha256": hashlib.sha256(SEED_003).hexdigest(),
    }
    assert record["schema"] == "govreports/annual-report@1"
    assert list(record)[:8] == [
        "schema",
        "title",
        "agency",
        "year",
        "template",
        "body_kind",
        "dates",
        "source",
    ]


def test_context_fills_what_the_attachment_lacks() -> None:
    body = SEED_003.decode().replace("苏家作乡 2023 年政府信息公开工作年度报告", "").encode()  # no title line
    context = PageMeta(title="苏家作乡2023年政府信息公开工作年度报告", published="2024-01-25 09:30")
    record = parse_bytes(body, context=context)
    assert record["title"] == "苏家作乡2023年政府信息公开工作年度报告"
    assert record["agency"] == "苏家作乡" and record["year"] == 2023
    assert record["dates"]["published"] == "2024-01-25"
    # a plain dict from the crawler works the same way
    assert parse_bytes(body, context={"title": context.title})["title"] == context.title


def test_document_title_wins_over_context() -> None:
    record = parse_bytes(SEED_003, context=PageMeta(title="某某县2023年政府信息公开工作年度报告"))
    assert record["title"] == "苏家作乡 2023 年政府信息公开工作年度报告"


def test_body_kind_default_only_when_the_name_does_not_tell() -> None:
    assert parse_bytes(SEED_003, body_kind_default="government")["body_kind"] == "township"
    text = "政府信息公开工作年度报告\n一、总体情况\n正文。".encode()
    assert parse_bytes(text, body_kind_default="government")["body_kind"] == "government"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty document"),
        (b"   \n\t", "empty document"),
        (b"\x1f\x8b\x08\x00junk", "gzip"),
        (bytes(range(256)) * 8, "binary"),
        (b"PK\x03\x04broken", "zip"),
    ],
)
def test_unreadable_inputs_give_error_records(data: bytes, reason: str) -> None:
    record = parse_bytes(data, path="x")
    assert reason in record["error"]
    assert record["source"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_reader_crash_becomes_an_error_record(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("reader bug")

    monkeypatch.setattr(parse_module, "read_document", boom)
    record = parse_bytes(SEED_003)
    assert record["error"] == "cannot read this txt document: RuntimeError: reader bug"


def test_oversized_bytes_refused(monkeypatch) -> None:
    monkeypatch.setattr(parse_module, "MAX_DOCUMENT_BYTES", 100)
    assert parse_bytes(SEED_003)["error"].startswith("document too large")


LEGACY_2017 = (
    "福州市某某局2017年政府信息公开工作年度报告\n一、概述\n2017年，我局认真贯彻落实《条例》。\n"
    "二、主动公开政府信息情况\n全年主动公开政府信息120条。\n三、依申请公开政府信息情况\n全年未收到申请。\n"
    "五、存在的主要问题及改进情况\n宣传不够。下一步加强培训。\n"
)


def test_no_c06_for_a_legacy_year_without_tables() -> None:
    """Tables are absent: C06 for a 2019+ year, no defect for a legacy year (decided in build)."""
    record = parse_bytes(LEGACY_2017.encode())
    assert (record["year"], record["template"]) == (2017, "legacy")
    assert "C06" not in {f["check"] for f in record["findings"]}
    # the same report for a national-format year: no tables is a defect
    national = parse_bytes(LEGACY_2017.replace("2017", "2023").encode())
    assert national["year"] == 2023
    assert any(f["check"] == "C06" and "no statistical tables" in f["message"] for f in national["findings"])
