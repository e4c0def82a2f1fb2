r"""`drop_spaces` (normalize, clean, metadata) stands for re.sub(r"[\s…]+", "", text): it must
agree with the pattern on every character the pattern's \s matches and on mixed text."""

from __future__ import annotations

import random
import re
import sys

from parsers.metadata import collapse
from parsers.tables.normalize import drop_spaces

_ZW = ("\u200b", "\u200c", "\u200d", "\ufeff")


def _every_space() -> list[str]:
    return [chr(cp) for cp in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(cp))]


def test_every_character_the_pattern_counts_as_space_is_dropped_and_no_other() -> None:
    spaces = _every_space()
    assert {ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace()} == set(spaces)
    text = "规章" + "".join(spaces) + "0\u200b1" + "".join(spaces) + "文件"
    assert drop_spaces(text) == re.sub(r"\s+", "", text) == "规章0\u200b1文件"
    assert drop_spaces(text, _ZW) == re.sub(r"[\s\u200b\u200c\u200d\ufeff]+", "", text) == "规章01文件"


def test_random_mixes_agree_with_the_patterns() -> None:
    rng = random.Random(11)
    pool = [*"规章行政，。（）0１ Ａ\t\n\r\x0b\x0c\x1c\x85\u3000\xa0\u2002\u2028", *_ZW, "\u0301"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert drop_spaces(text, _ZW) == re.sub(r"[\s\u200b\u200c\u200d\ufeff]+", "", text), repr(text)
        assert drop_spaces(text, ("\u200b", "\ufeff")) == re.sub(r"[\s\u200b\ufeff]+", "", text), repr(text)
        assert collapse(text) == re.sub(r"\s+", " ", text).strip(), repr(text)
