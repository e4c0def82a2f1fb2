"""Record -> scanned PDF: the printed PDF rasterised and wrapped as page images (no text layer).

The PDF of farm.render.pdf is rendered by pdftoppm at ~200 dpi in greyscale, given mild scanner
noise (a little blur, sparse specks, a faint grey background, fixed seed so a record always
gives the same file) and saved as an image-only PDF. This is the "（图片版）" report the OCR
path has to read.

Real scans are never laid perfectly straight on the glass: `skew` gives each page a small
rotation (a fraction of a degree to a couple of degrees) and a rougher scan (a greyer, unevenly
lit page with sensor grain). The straight scan stays the default, with its cache key unchanged.
"""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from farm.render.cache import cached
from farm.render.layout import record_digest
from farm.render.pdf import render_pdf

DPI = 200


def render_scanned_pdf(record: Mapping[str, Any], *, skew: Sequence[float] = ()) -> bytes:
    """The record as an image-only PDF. `skew`: rotation of each page in degrees
    (counter-clockwise, cycled over the pages), e.g. (0.8, -1.5); empty: a straight scan."""
    if not skew:
        return cached(record, "scan.pdf", lambda: _build(record))
    angles = tuple(float(a) for a in skew)
    # Its own cache file per set of angles: the straight scan's file (and key) never changes.
    fmt = "scan-skew" + "_".join(f"{a:+.2f}" for a in angles) + ".pdf"
    return cached(record, fmt, lambda: _build(record, angles))


def _pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    with tempfile.TemporaryDirectory(prefix="govreports-scan-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(Path(tmp) / "p")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p-*.png"), key=_page_no)]


def _page_no(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def _noise(img: Image.Image, rng: random.Random) -> Image.Image:
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    img = img.point(lambda v: min(v, 238))  # paper is never pure white on a scan
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 4000):  # sparse dust specks, each one pixel
        px[rng.randrange(w), rng.randrange(h)] = rng.randrange(90, 200)
    return img


def _skewed(img: Image.Image, angle: float, rng: np.random.Generator) -> Image.Image:
    """A page as a real scanner sees it: laid on the glass at `angle` degrees, paper greyer
    than the straight scan's and lit unevenly, with sensor grain on top of the usual noise."""
    # The sheet is rotated before it is scanned: the blur and noise are the sensor's, not the
    # paper's. Outside the sheet the scanner lid is white.
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    arr = np.asarray(img, dtype=np.float32)
    h, w = arr.shape
    # Paper at ~228 with a gentle light fall-off across the page (±4 levels), ink kept dark.
    light = 228 + 4 * np.linspace(-1, 1, w, dtype=np.float32)[None, :] * rng.choice([-1.0, 1.0])
    light = light + 3 * np.linspace(-1, 1, h, dtype=np.float32)[:, None] * rng.choice([-1.0, 1.0])
    arr = arr * (light / 255.0)
    arr += rng.normal(0.0, 3.0, size=arr.shape).astype(np.float32)  # sensor grain
    # Dust specks as on the straight scan, a little more of them.
    n = w * h // 2500
    arr[rng.integers(0, h, n), rng.integers(0, w, n)] = rng.integers(90, 200, n)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _build(record: Mapping[str, Any], skew: tuple[float, ...] = ()) -> bytes:
    rng = random.Random(record_digest(record))
    pages = _pages(render_pdf(record), DPI)
    if skew:
        # Seeded by the record and the angles: the same request always gives the same file.
        seed = int.from_bytes(hashlib.sha256(f"{record_digest(record)}{skew}".encode()).digest()[:8], "big")
        nrng = np.random.default_rng(seed)
        pages = [_skewed(p, skew[i % len(skew)], nrng) for i, p in enumerate(pages)]
    else:
        pages = [_noise(p, rng) for p in pages]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=float(DPI), save_all=True, append_images=pages[1:])
    return out.getvalue()
