"""The scanned-PDF renderer's crooked scans: turned by the angles asked for, seeded, and cached
under their own key beside the straight scan (whose file and key stay as they were)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from farm.render import cache
from farm.render.layout import record_digest
from farm.render.samples import seed_records

pytestmark = [pytest.mark.office, pytest.mark.slow]


def _pages(data: bytes) -> list[Any]:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "s.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", f"{tmp}/s.pdf", f"{tmp}/p"],
            check=True,
            capture_output=True,
        )
        return [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p-*.pgm"))]


def test_skewed_scan_is_turned_seeded_and_cached_apart() -> None:
    from farm.render import scan
    from parsers.formats.ocr_deskew import MIN_SKEW, estimate_skew

    record = seed_records()[0]
    straight = scan.render_scanned_pdf(record)
    skewed = scan.render_scanned_pdf(record, skew=(0.8, -1.5))
    assert skewed != straight
    digest = record_digest(record)
    assert (cache.cache_dir() / f"{digest}-v{cache.RENDER_VERSION}.scan.pdf").read_bytes() == straight
    assert (cache.cache_dir() / f"{digest}-v{cache.RENDER_VERSION}.scan-skew+0.80_-1.50.pdf").exists()

    # Angles cycle over the pages; the straight scan is straight.
    angles = [estimate_skew(p) for p in _pages(skewed)]
    assert angles == [pytest.approx(0.8, abs=0.05), pytest.approx(-1.5, abs=0.05)]
    assert all(abs(estimate_skew(p)) < MIN_SKEW for p in _pages(straight))

    # Seeded: built again, the pages are the same pixels.
    again = scan._build(record, (0.8, -1.5))
    assert [p.tobytes() for p in _pages(again)] == [p.tobytes() for p in _pages(skewed)]

    # A greyer page than the straight scan, still far lighter than the ruling lines' threshold.
    import numpy as np

    paper = float(np.median(np.asarray(_pages(skewed)[0])))
    assert 215 <= paper <= 240
