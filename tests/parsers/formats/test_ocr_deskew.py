"""Skew of a scanned page: the angle estimate on synthetic pages turned by a known angle."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw

from parsers.formats import ocr_deskew


def _page(seed: int = 7) -> Image.Image:
    """An A4 page at 200 dpi with a ruled table and lines of "text" (short dark blocks)."""
    rng = random.Random(seed)
    img = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(img)
    for row in range(12):  # a paragraph of text lines above the table
        x = 200
        while x < 1450:
            w = rng.randrange(14, 24)
            draw.rectangle((x, 180 + 40 * row, x + w, 180 + 40 * row + 20), fill=rng.randrange(0, 80))
            x += w + rng.randrange(4, 10)
    top, left, right = 760, 180, 1480
    for k in range(16):  # horizontal ruling lines, 2 px
        draw.line((left, top + 60 * k, right, top + 60 * k), fill=20, width=2)
    for x in (left, 420, 700, 980, 1230, right):  # vertical ruling lines
        draw.line((x, top, x, top + 60 * 15), fill=20, width=2)
    return img


@pytest.mark.parametrize("angle", [0.8, -1.5, 0.3, 2.6, -0.12])
def test_estimate_finds_a_known_angle(angle: float) -> None:
    turned = _page().rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert ocr_deskew.estimate_skew(turned) == pytest.approx(angle, abs=0.1)


def test_a_straight_page_is_left_as_it_is() -> None:
    page = _page()
    assert abs(ocr_deskew.estimate_skew(page)) < ocr_deskew.MIN_SKEW
    straight, angle = ocr_deskew.deskew(page)
    assert straight is page and angle == 0.0


def test_deskew_turns_the_page_back() -> None:
    page = _page()
    straight, angle = ocr_deskew.deskew(page.rotate(-1.5, resample=Image.Resampling.BICUBIC, fillcolor=255))
    assert angle == pytest.approx(-1.5, abs=0.1)
    assert abs(ocr_deskew.estimate_skew(straight)) < ocr_deskew.MIN_SKEW


def test_a_blank_page_has_no_skew() -> None:
    assert ocr_deskew.estimate_skew(Image.new("L", (800, 1100), 238)) == 0.0
