"""Plain-text reader: charsets (BOM, UTF-8, GB18030, UTF-16, wrong declarations) and newlines."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.errors import UnreadableDocument
from parsers.formats.text import decode_bytes, normalize_charset, read

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
SEED = (SEEDS / "003_43ba7708f24f8057.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "data",
    [
        SEED.encode("utf-8"),
        b"\xef\xbb\xbf" + SEED.encode("utf-8"),
        SEED.encode("gb18030"),
        SEED.encode("utf-16"),
        SEED.encode("utf-16-le"),
        SEED.encode("utf-16-be"),
    ],
)
def test_charsets(data: bytes) -> None:
    assert read(data).text == SEED


def test_wrong_declared_charset_is_not_trusted() -> None:
    gbk = SEED.encode("gbk")
    assert read(gbk, headers={"Content-Type": "text/plain; charset=utf-8"}).text == SEED
    assert read(SEED.encode("utf-8"), headers={"Content-Type": "text/plain; charset=gbk"}).text == SEED
    assert read(gbk, headers={"Content-Type": "text/plain; charset=iso-8859-1"}).text == SEED


def test_newlines_normalised() -> None:
    doc = read("标题\r\n一、总体情况\r正文\x0c二、主动公开政府信息情况\n".encode())
    assert doc.text.splitlines() == ["标题", "一、总体情况", "正文", "二、主动公开政府信息情况"]
    assert "\r" not in doc.text and doc.tables == []


def test_tables_stay_flattened_in_text() -> None:
    doc = read((SEEDS / "000_ef311760e166d8f9.txt").read_bytes())
    assert "规章\t0\t0\t0" in doc.text


def test_gb_labels_map_to_gb18030() -> None:
    assert {normalize_charset(x) for x in ("gb2312", "GBK", "x-gbk", "cp936", "GB18030")} == {"gb18030"}
    assert normalize_charset("utf8") == "utf-8"
    assert normalize_charset("no-such-charset") is None


def test_undecodable_bytes_are_refused_not_mojibake() -> None:
    junk = bytes(range(0x80, 0x100)) * 200
    with pytest.raises(UnreadableDocument):
        decode_bytes(junk)


def test_whitespace_only_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        read("\u3000 \n\n".encode())


def test_mojibake_count_is_the_latin1_letters_and_c1_controls() -> None:
    import random
    import re

    from parsers.formats.text import _mojibake_count

    latin = re.compile(r"[\u00c0-\u00ff\u0080-\u009f]")
    rng = random.Random(7)
    ranges = [(0, 0x200), (0x4E00, 0x9FFF), (0xD800, 0xDFFF), (0x10000, 0x10FFFF)]
    for _ in range(500):
        text = "".join(chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randrange(60)))
        assert _mojibake_count(text) == len(latin.findall(text))
    assert _mojibake_count("æ¿å¹³å\xa0") == 3  # æ å å; ¿ ¹ ³ and U+00A0 (A0–BF) are not counted
