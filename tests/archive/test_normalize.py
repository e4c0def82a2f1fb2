"""normalize.nfkc is unicodedata's NFKC and _no_space is re.sub(r"\\s+", ""), only faster: the
version hashes depend on them."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

from archive.normalize import _COMPAT, _no_space, nfkc, norm_text


def test_each_shortcut_is_the_characters_own_decomposition_to_an_ascii_starter() -> None:
    for wide, narrow in _COMPAT:
        assert narrow == unicodedata.normalize("NFKD", wide)
        assert narrow.isascii() and all(unicodedata.combining(c) == 0 for c in narrow)


def test_nfkc_matches_unicodedata_on_the_seed_sections(seed_record, seed_stems) -> None:
    texts = [v for stem in seed_stems for v in seed_record(stem)["sections"].values() if v]
    assert texts
    for text in texts:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
        assert norm_text(text) == "".join(unicodedata.normalize("NFKC", text).split())


def test_nfkc_matches_unicodedata_beside_combining_marks_and_compatibility_characters() -> None:
    # The shortcut characters mixed with what composes or decomposes around them: combining marks,
    # Hangul jamo, full-width letters and digits, ligatures, CJK compatibility ideographs.
    pool = (
        [w for w, _ in _COMPAT]
        + list("ae\u0301\u0308\u0327\u1100\u1161\u11a8\uac00Ａ１ﬁ㍿\uf900\u2460・、。中文")
        + ["\u0300", "\u20dd", "\u3099", "\u309a", "か", "ｶ", "ﾞ"]
    )
    rng = random.Random(20261206)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_no_space_drops_exactly_what_the_regex_whitespace_class_drops() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert _no_space(every) == re.sub(r"\s+", "", every)
    assert _no_space(" a\u3000b\u2002c\n\x1cd\x85e ") == "abcde"
