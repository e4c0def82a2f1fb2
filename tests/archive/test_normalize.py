"""norm_text is NFKC without whitespace (govreports.text's fast paths, tested in
tests/govreports/test_text.py) on the seeds' real sections: the version hashes depend on it."""

from __future__ import annotations

import unicodedata

from archive.normalize import norm_text
from govreports.text import nfkc


def test_nfkc_matches_unicodedata_on_the_seed_sections(seed_record, seed_stems) -> None:
    texts = [v for stem in seed_stems for v in seed_record(stem)["sections"].values() if v]
    assert texts
    for text in texts:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
        assert norm_text(text) == "".join(unicodedata.normalize("NFKC", text).split())
