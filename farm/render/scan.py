"""Record -> scanned PDF: the printed PDF rasterised and wrapped as page images (no text layer).

The PDF of farm.render.pdf is rendered by pdftoppm at ~200 dpi in greyscale, given mild scanner
noise (a little blur, sparse specks, a faint grey background, fixed seed so a record always
gives the same file) and saved as an image-only PDF. This is the "（图片版）" report the OCR
path has to read.
"""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter

from farm.render.cache import cached
from farm.render.layout import record_digest
from farm.render.pdf import render_pdf

DPI = 200


def render_scanned_pdf(record: Mapping[str, Any]) -> bytes:
    return cached(record, "scan.pdf", lambda: _build(record))


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


def _build(record: Mapping[str, Any]) -> bytes:
    rng = random.Random(record_digest(record))
    pages = [_noise(p, rng) for p in _pages(render_pdf(record), DPI)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=float(DPI), save_all=True, append_images=pages[1:])
    return out.getvalue()
