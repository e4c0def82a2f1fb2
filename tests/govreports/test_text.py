"""`nfkc` is a fast path of unicodedata.normalize("NFKC") and `drop_spaces` of re.sub(r"\\s+", "", …):
they must agree on every input (the parsers' label matching and the archive's version hashes rest
on them)."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

from govreports.text import COMMON_WIDE, drop_spaces, nfkc


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


def test_each_shortcut_is_the_characters_own_decomposition_to_an_ascii_starter() -> None:
    for wide, narrow in COMMON_WIDE:
        assert narrow == unicodedata.normalize("NFKD", wide) == unicodedata.normalize("NFKC", wide)
        assert narrow.isascii() and all(unicodedata.combining(c) == 0 for c in narrow)


def test_nfkc_matches_unicodedata_beside_combining_marks_and_compatibility_characters() -> None:
    # The shortcut characters mixed with what composes or decomposes around them: combining marks,
    # Hangul jamo, full-width letters and digits, ligatures, CJK compatibility ideographs.
    pool = (
        [w for w, _ in COMMON_WIDE]
        + list("ae\u0301\u0308\u0327\u1100\u1161\u11a8\uac00Ａ１ﬁ㍿\uf900\u2460・、。中文")
        + ["\u0300", "\u20dd", "\u3099", "\u309a", "か", "ｶ", "ﾞ"]
    )
    rng = random.Random(20261206)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_drop_spaces_drops_exactly_what_the_regex_whitespace_class_drops() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert drop_spaces(every) == re.sub(r"\s+", "", every)
    assert drop_spaces(" a\u3000b\u2002c\n\x1cd\x85e ") == "abcde"
    assert drop_spaces("a\u200bb c", ("\u200b",)) == "abc"
