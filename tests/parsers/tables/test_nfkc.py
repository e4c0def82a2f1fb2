"""`nfkc` is a fast path of unicodedata.normalize("NFKC"): it must agree on every input."""

from __future__ import annotations

import random
import unicodedata

from parsers.tables.normalize import nfkc


def test_every_bmp_character_alone_and_after_a_fullwidth_one() -> None:
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        for text in (ch, f"（{ch}）", f"Ａ{ch}", f"{ch}\u0301", f"１{ch}\u3000"):
            assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


def test_random_mixes_of_chinese_fullwidth_and_combining_text() -> None:
    rng = random.Random(7)
    pool = [
        *"规章行政规范性文件，。、：；（）《》“”0１２ＡＺ ａ\u3000\xa0\t①㈠…ﬁ",
        "\u0301",
        "\u0308",
        "\u3099",
        "\uff9e",
        "\uf900",
        "e",
        "Ｅ",
    ]
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
