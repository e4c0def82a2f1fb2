"""Skew of a scanned page: the angle it lies at on the scanner glass, and the page turned back.

Real scans are rotated by a fraction of a degree to a couple of degrees, and the OCR reader
finds the tables' ruling lines as exactly horizontal and vertical runs of ink: at 1° a line
across a 1 400 px table climbs 24 px, so it falls apart into short pieces and the table is lost.

The angle comes from a projection profile: the page's ink projected onto the vertical axis
along lines of slope tan(a) piles up into sharp peaks (ruling lines, text lines) only at the
page's own angle. The profile's sum of squares is searched over ±MAX_SKEW, coarsely and then
finely around the best coarse angle. A page whose angle is below MIN_SKEW is left untouched, so
straight scans read exactly as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_SKEW = 3.0  # degrees searched either way; scanners rarely do worse, and more costs time
MIN_SKEW = 0.05  # degrees: below this a page is taken as straight (a 1 400 px line drifts 1 px)
_COARSE = 0.1  # degrees between coarse candidates
_FINE = 0.01  # degrees between fine candidates (around the best coarse one)
_INK = 160  # grey level below which a pixel counts as ink (ruling lines and text)
_MAX_POINTS = 400_000  # ink pixels used at most (evenly sampled): enough for 0.01°, and fast


def estimate_skew(img: Any) -> float:
    """The angle in degrees (counter-clockwise, as PIL's Image.rotate counts) the page's content
    is turned by; 0.0 for a page with too little ink to tell."""
    arr = np.asarray(img.convert("L") if getattr(img, "mode", "L") != "L" else img)
    ys, xs = np.nonzero(arr < _INK)
    if len(ys) < 500:
        return 0.0
    if len(ys) > _MAX_POINTS:
        step = -(-len(ys) // _MAX_POINTS)
        ys, xs = ys[::step], xs[::step]
    # Centred coordinates keep the projected rows in a small range around the page's centre.
    x = xs.astype(np.float64) - arr.shape[1] / 2
    y = ys.astype(np.float64)
    # Content turned counter-clockwise by a (image y pointing down) puts a horizontal line at
    # y = c - x·tan(a): y + x·tan(a) is the same for all its pixels.
    offset = arr.shape[1] / 2 * np.tan(np.radians(MAX_SKEW)) + 2

    def score(angle: float) -> float:
        rows = np.rint(y + x * np.tan(np.radians(angle)) + offset).astype(np.int64)
        counts = np.bincount(rows)
        return float(np.dot(counts, counts))

    coarse = np.round(np.arange(-MAX_SKEW, MAX_SKEW + _COARSE / 2, _COARSE), 6)
    best = max(coarse, key=score)
    fine = np.round(best + np.arange(-_COARSE, _COARSE + _FINE / 2, _FINE), 6)
    fine = fine[np.abs(fine) <= MAX_SKEW]
    return round(float(max(fine, key=score)), 3)


def deskew(img: Any) -> tuple[Any, float]:
    """The page turned straight and the angle it was turned back by (0.0: page left as it is)."""
    from PIL import Image

    angle = estimate_skew(img)
    if abs(angle) < MIN_SKEW:
        return img, 0.0
    # Corners turned in from outside the page are filled white: nothing dark appears.
    straight = img.rotate(-angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return straight, angle
