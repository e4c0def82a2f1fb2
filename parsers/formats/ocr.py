"""Scanned reports (image-only PDFs, images) -> Document by OCR, table cell by table cell.

Per page: a crooked scan is first turned straight (parsers.formats.ocr_deskew; a straight page
is left as it is), then the ruling lines are found in the image (long dark runs, numpy; runs
that meet no other line are glyph strokes and dropped), turned into cell boxes by the same
lattice code the PDF reader uses, and every cell is read on its own, so the
digits of one cell can never run into the next. Cells are OCR'd in batches (crops stacked on
one canvas, words mapped back by position) to keep Tesseract calls few:

1. chi_sim over every non-empty cell (labels and numbers);
2. cells that read as numbers are read again with a digits-only pass; both readings must agree
   and both confidences must reach OCR_MIN_CELL_CONFIDENCE, else the cell is *uncertain* (an
   agreement with low confidence is trusted when chi_sim and a reading of the crop on its own
   saw the same digits with confidence); cells that are neither a sure number nor a known label
   are read again on their own as text (a short label lost on the crowded batch canvas);
3. a table-3 row whose 总计 is not the sum of its six columns (A3), or a table-4 group whose
   总计 is not the sum of its four results (A4), has its least confident cells marked uncertain;
   an uncertain reading is accepted only when an identity pins it down (parsers.formats.ocr_sums).

Uncertain cells go into `Document.uncertain` (table, row, column of the final grids): the
table code stores them as null with a finding. A number is never guessed. Labels are snapped
to the template vocabulary when the OCR text is a near miss (edit distance), since a label
only says which row a number belongs to.

Text outside the tables is OCR'd per page with the tables blanked out.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from govreports import spec
from parsers.document import Document, Grid, PageMeta
from parsers.errors import UnreadableDocument
from parsers.formats import ocr_deskew, ocr_sums
from parsers.formats import pdf as geometry
from parsers.tables.normalize import edit_distance
from settings import parse as limits

DARK = 160  # grey level below which a pixel is ink
# Ruling lines are thin (~1.5 px at 200 dpi) and blurred to grey on a scan; long runs filter
# out the text, so lines may use a lighter threshold.
DARK_LINE = 205
GAP = 24  # px of white around each crop on the OCR canvas
_MARK = re.compile(r"^\x01(\d{3})\x01")
_NUMERIC = re.compile(r"^[\s\d.,，\-+−元万Oo〇lI|]+$")
_DIGITS = re.compile(r"[^\d.\-]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _need_tesseract() -> Any:
    # Tesseract's OpenMP threading makes small jobs 2-3x slower on few cores; pytesseract passes
    # our environment to the tesseract process, so this is where it is turned off.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise UnreadableDocument("scanned document: OCR (pytesseract) is not installed") from exc
    if not shutil.which("tesseract"):
        raise UnreadableDocument("scanned document: OCR engine (tesseract) is not installed")
    if "chi_sim" not in pytesseract.get_languages(config=""):
        raise UnreadableDocument("scanned document: Tesseract has no chi_sim language data")
    return pytesseract


def read_image(data: bytes) -> Document:
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        frames = []
        for i in range(min(getattr(img, "n_frames", 1), limits.OCR_MAX_PAGES)):
            img.seek(i)
            frames.append(img.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(f"broken image: {exc}") from exc
    dpi = img.info.get("dpi", (limits.OCR_DPI, limits.OCR_DPI))[0] or limits.OCR_DPI
    return _read_pages(frames, float(dpi), "image", PageMeta())


def read_scanned_pdf(data: bytes, *, npages: int, meta: PageMeta) -> Document:
    if npages > limits.OCR_MAX_PAGES:
        raise UnreadableDocument(f"scanned PDF refused: {npages} pages to OCR (limit {limits.OCR_MAX_PAGES})")
    if not shutil.which("pdftoppm"):
        raise UnreadableDocument("scanned PDF: pdftoppm (poppler) is not installed")
    from PIL import Image

    dpi = limits.OCR_DPI
    with tempfile.TemporaryDirectory(prefix="govreports-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        try:
            # PGM, not PNG: the same pixels, but a real scan's grain makes pdftoppm's PNG
            # compression crawl (13 s for one noisy A4 page at 200 dpi, 0.25 s as PGM).
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-gray", str(src), str(Path(tmp) / "p")],
                check=True,
                capture_output=True,
                timeout=60 + 20 * npages,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise UnreadableDocument(f"scanned PDF: pages could not be rendered for OCR ({exc})") from exc
        paths = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        pages = [Image.open(p).convert("L") for p in paths]
    doc = _read_pages(pages, float(dpi), "pdf", meta)
    return doc


# --- page geometry -------------------------------------------------------------------------


def _runs(mask: Any, min_len: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of horizontal runs of True at least `min_len` long."""
    import numpy as np

    padded = np.pad(mask, ((0, 0), (1, 1))).astype(np.int8)
    d = np.diff(padded, axis=1)
    ys, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    keep = (ends - starts) >= min_len
    return list(zip(ys[keep].tolist(), starts[keep].tolist(), ends[keep].tolist(), strict=True))


def _segments(arr: Any, scale: float) -> list[tuple[float, float, float, float]]:
    """Ruling lines of a page image, in points, each lengthened by a few pixels so that lines
    meeting at a corner cross even when the scan thinned their ends."""
    import numpy as np

    dark = arr < DARK_LINE
    h, w = dark.shape
    ext = 4
    segs: list[tuple[float, float, float, float]] = []
    hruns = _runs(dark, max(40, w // 40))
    for y, x0, x1 in hruns:
        segs.append(((x0 - ext) * scale, y * scale, (x1 + ext) * scale, y * scale))
    vruns = _runs(dark.T, max(28, h // 90))
    if hruns and vruns:
        # A ruling line meets another one; a tall glyph stroke (a title's 十 or 1) meets none.
        # Left in, such strokes join a nearby line's cluster when the lattice snaps edges and
        # pull it off position (seen on a deskewed page: a column edge 12 px off, its cells'
        # crops cutting through the line).
        hy, hx0, hx1 = (np.array(v)[:, None] for v in zip(*hruns, strict=True))
        vx, vy0, vy1 = (np.array(v)[None, :] for v in zip(*vruns, strict=True))
        touches = ((hx0 - ext <= vx) & (vx <= hx1 + ext) & (vy0 - ext <= hy) & (hy <= vy1 + ext)).any(axis=0)
        vruns = [r for r, keep in zip(vruns, touches.tolist(), strict=True) if keep]
    for x, y0, y1 in vruns:
        segs.append((x * scale, (y0 - ext) * scale, x * scale, (y1 + ext) * scale))
    return segs


# --- OCR of cells ---------------------------------------------------------------------------


def _ink(arr: Any) -> int:
    """Dark pixels that touch another dark pixel: scanner specks are single pixels, strokes not."""
    d = arr < DARK
    return int((d[:, 1:] & d[:, :-1]).sum() + (d[1:, :] & d[:-1, :]).sum())


def _strip_lines(arr: Any) -> Any:
    """A crop without remnants of ruling lines (rows/columns that are mostly ink): cells never
    contain lines, and a border sliver read as "1" or "|" would corrupt a number."""
    import numpy as np

    out = np.array(arr, copy=True)
    d = out < DARK_LINE
    h, w = d.shape
    band = 6  # only next to the crop's edges: a glyph's own strokes are never touched
    cols = np.nonzero(d.sum(axis=0) > 0.85 * h)[0]
    rows = np.nonzero(d.sum(axis=1) > 0.85 * w)[0]
    out[:, [c for c in cols if c < band or c >= w - band]] = 255
    out[[r for r in rows if r < band or r >= h - band], :] = 255
    return out


def _stack_ocr(
    crops: list[Any], lang: str, config: str, *, vertical: bool = False
) -> list[tuple[str, float]]:
    """OCR many crops in one Tesseract call; (text, min word confidence) per crop.

    Numbers: crops packed side by side with gaps of two line heights (a row of table cells,
    which Tesseract segments reliably). Labels (`vertical`): one crop per canvas line, since
    Chinese text packed side by side runs together. Words are mapped back to the crop that
    contains their centre.
    """
    from PIL import Image

    pytesseract = _need_tesseract()
    if not crops:
        return []
    max_w = max(2400, max(c.width for c in crops) + 2 * GAP)
    if vertical:
        max_w = max(c.width for c in crops) + 2 * GAP
    slots: list[tuple[int, int, int, int]] = []  # x0, y0, x1, y1 of each crop on the canvas
    lines: list[list[int]] = [[]]
    x = GAP
    for k, crop in enumerate(crops):
        if lines[-1] and x + crop.width + GAP > max_w:
            lines.append([])
            x = GAP
        lines[-1].append(k)
        slots.append((x, 0, x + crop.width, crop.height))
        x += crop.width + max(2 * GAP, 2 * crop.height)
    y = GAP
    placed: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)] * len(crops)
    for line in lines:
        height = max(crops[k].height for k in line)
        for k in line:
            x0, _, x1, h = slots[k]
            top = y + (height - h) // 2
            placed[k] = (x0, top, x1, top + h)
        y += height + 2 * GAP
    canvas = Image.new("L", (max_w, y), 255)
    for k, crop in enumerate(crops):
        canvas.paste(crop, placed[k][:2])
    data = pytesseract.image_to_data(canvas, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    words: list[list[tuple[int, int, str, float]]] = [[] for _ in crops]
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        cx = data["left"][i] + data["width"][i] / 2
        cy = data["top"][i] + data["height"][i] / 2
        line = data["block_num"][i] * 1_000_000 + data["par_num"][i] * 1000 + data["line_num"][i]
        for k, (x0, y0, x1, y1) in enumerate(placed):
            if x0 - GAP / 2 <= cx <= x1 + GAP / 2 and y0 - GAP / 2 <= cy <= y1 + GAP / 2:
                words[k].append((line, data["left"][i], text, conf))
                break
    out: list[tuple[str, float]] = []
    for ws in words:
        if not ws:
            out.append(("", 0.0))
            continue
        rows: dict[int, list[tuple[int, int, str, float]]] = {}
        for w in sorted(ws):  # Tesseract's own line numbers keep wrapped labels in order
            rows.setdefault(w[0], []).append(w)
        text = "\n".join(_join_words([w[2] for w in r]) for r in rows.values())
        out.append((text, min(w[3] for w in ws)))
    return out


def _join_words(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


# Punctuation Tesseract's chi_sim confuses with the brackets and colons the templates print.
_OCR_PUNCT = str.maketrans({"〈": "(", "《": "(", "〔": "(", "〉": ")", "》": ")", "〕": ")", ";": ":"})


@cache
def _vocabulary() -> dict[str, str]:
    """Every label a template table prints: NFKC form without whitespace -> the label."""

    words: set[str] = set()
    for template in spec.TEMPLATES:
        for k in spec.keys(template):
            words.add(k.table)
            words.add(k.column)
            words.update(part for part in k.row.split(" / ") if "›" not in part)
    words.update(
        [
            "信息内容",
            "申请人情况",
            "自然人",
            "法人或其他组织",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
            "行政复议",
            "行政诉讼",
            "未经复议直接起诉",
            "复议后起诉",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            spec.table3_note(),
            "指标名称",
            "计量单位",
            "历年累计",
        ]
    )
    return {unicodedata.normalize("NFKC", "".join(w.split())): w for w in sorted(words)}


def _snap_label(text: str) -> str:
    """The template label `text` is a near miss of (OCR confuses similar glyphs), else `text`.

    Compared after NFKC (OCR prints ASCII brackets) with an edit-distance budget of half the
    label; the nearest label must win by a clear margin.
    """
    flat = unicodedata.normalize("NFKC", "".join(text.split())).translate(_OCR_PUNCT)
    if not flat or not _CJK.search(flat):
        return text
    vocab = _vocabulary()
    if flat in vocab:
        return vocab[flat]
    best: list[tuple[int, str]] = []
    for norm, label in vocab.items():
        if abs(len(norm) - len(flat)) > max(2, len(norm) // 2):
            continue
        best.append((edit_distance(flat, norm), label))
    if not best:
        return text
    best.sort()
    d, label = best[0]
    # Within half the label's length, and clearly nearer than any other label (a wrong snap
    # would move a row's numbers; the margin keeps that from happening on a coin toss).
    margin = best[1][0] - d if len(best) > 1 else 99
    if d <= max(1, len(label) // 2) and margin >= 2 + d // 3:
        return label
    return text


def _read_cells(img: Any, boxes_px: list[tuple[int, int, int, int]]) -> list[str]:
    """Marked text of each cell box: "\\x01CCC\\x01text" with the confidence CCC (100 = blank)."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(img)
    crops: list[Any] = []
    index: list[int] = []
    results: list[str] = ["\x01100\x01"] * len(boxes_px)
    for i, (x0, y0, x1, y1) in enumerate(boxes_px):
        inset = 5  # stay clear of the ruling lines
        if x1 - x0 <= 2 * inset + 2 or y1 - y0 <= 2 * inset + 2:
            continue
        sub = _strip_lines(arr[y0 + inset : y1 - inset, x0 + inset : x1 - inset])
        if _ink(sub) < 12:  # nothing printed: a blank cell (null downstream), not a zero
            continue
        crops.append(Image.fromarray(sub))
        index.append(i)
    # Trimmed to the ink (whitespace and tall merged cells confuse Tesseract's segmentation);
    # labels read best at twice the scan's 8 pt glyph size.
    crops = [_clean(c) for c in crops]
    first = _stack_ocr([_zoom(c, 2.0) for c in crops], "chi_sim", f"--psm 6 {_FAST}", vertical=True)
    # A label has at least two Chinese characters; anything else may be a number. chi_sim reads
    # a lone "1" as 和 or 册, so numbers get two digits-only readings (at 1x and 2x scale).
    # Anything that is not a known template label may be a number: chi_sim reads a lone "1"
    # as 和 and a "0" as 重四, so those cells get two digits-only readings (1x and rescaled).
    candidates = [k for k, (text, _c) in enumerate(first) if _snap_label(text) not in _labels()]
    digits_cfg = f"--psm 6 {_FAST} -c tessedit_char_whitelist=0123456789.-+"
    with ThreadPoolExecutor(max_workers=2) as pool:  # two independent Tesseract processes
        digit_crops = [_without_unit(crops[k], first[k][0]) for k in candidates]
        f2 = pool.submit(_stack_ocr, digit_crops, "eng", digits_cfg)
        f3 = pool.submit(_stack_ocr, [_scaled(c, 28) for c in digit_crops], "eng", digits_cfg)
        pass2, pass3 = f2.result(), f3.result()
    # Where the two batch readings differ, each crop is read once more on its own.
    disputed = [
        j
        for j, (a, b) in enumerate(zip(pass2, pass3, strict=True))
        if _DIGITS.sub("", a[0]) != _DIGITS.sub("", b[0])
        or not _DIGITS.sub("", a[0])
        or (min(a[1], b[1]) < limits.OCR_MIN_CELL_CONFIDENCE and _plain_digits(*first[candidates[j]]) == a[0])
    ]
    singles = {j: _single_digits(digit_crops[j]) for j in disputed}
    numbers = {
        k: (a, b, singles.get(j)) for j, (k, a, b) in enumerate(zip(candidates, pass2, pass3, strict=True))
    }
    for k, (text, conf) in enumerate(first):
        i = index[k]
        if k not in numbers:
            results[i] = f"\x01{min(int(conf), 99):03d}\x01{_snap_label(text)}"
            continue
        number = _number(text, conf, *numbers[k])
        sure = _MARK.match(number).group(1) != "000"  # type: ignore[union-attr]
        if sure and _explains(crops[k], _MARK.sub("", number)):
            results[i] = number
            continue
        # Neither a known label nor a sure number: read the crop on its own as text. The batch
        # reading of a short label can come back as a stray glyph or two ("Le" for （七）总计 —
        # words of a crowded canvas land in the wrong slot), which would leave the row unlabelled.
        alone, alone_conf = _single_label(crops[k])
        label = _snap_label(alone)
        if label in _labels():
            results[i] = f"\x01{min(int(alone_conf), 99):03d}\x01{label}"
        elif not sure and text.strip() and len(_CJK.findall(text)) < 2:
            results[i] = number  # looks like a number, but not a sure one: uncertain
        else:
            text = _snap_label(text)
            # Text that is neither a label nor a sure number must not pass for a figure.
            trusted = conf if len(_CJK.findall(text)) >= 2 else 0
            results[i] = f"\x01{min(int(trusted), 99):03d}\x01{text}"
    return results


def _clean(img: Any) -> Any:
    """Trimmed to the ink with a white margin (grey levels kept: binarising a blurred scan
    breaks thin strokes such as the 1)."""
    from PIL import ImageFilter, ImageOps

    # Paper to pure white: a grey patch on the white OCR canvas looks like a picture region to
    # Tesseract, which then skips the text inside it. Strokes keep their grey levels.
    img = img.point(lambda v: 255 if v > 200 else v)
    # The ink's extent without scanner specks (a median filter drops isolated pixels).
    box = img.filter(ImageFilter.MedianFilter(3)).point(lambda v: 255 if v < DARK else 0).getbbox()
    if box is None:
        return img
    return ImageOps.expand(img.crop(box), border=10, fill=255)


def _without_unit(crop: Any, text: str) -> Any:
    """The crop without a trailing 元 when chi_sim read one: the digits-only passes must print
    every glyph as a digit and read 元 as a 7 (75394432.52元 -> 75394432.527), which leaves
    the amount disputed.

    The unit is the last run of ink columns, about as wide as the text is tall (digits are half
    that); anything else leaves the crop as it is."""
    import numpy as np

    if not "".join(text.split()).endswith("元"):
        return crop
    ink = (np.asarray(crop) < DARK).any(axis=0)
    cols = np.nonzero(ink)[0]
    if len(cols) < 2:
        return crop
    gaps = np.nonzero(np.diff(cols) > 1)[0]
    if not len(gaps):
        return crop
    start = int(cols[gaps[-1] + 1])  # first column of the last run of ink
    rows = np.nonzero((np.asarray(crop) < DARK).any(axis=1))[0]
    height = int(rows[-1] - rows[0] + 1)
    if not 0.7 * height <= int(cols[-1]) - start + 1 <= 1.4 * height:
        return crop
    return crop.crop((0, 0, max(1, start - 2), crop.height))


def _zoom(img: Any, factor: float) -> Any:
    from PIL import Image

    return img.resize((round(img.width * factor), round(img.height * factor)), Image.Resampling.LANCZOS)


def _scaled(img: Any, text_height: int) -> Any:
    """The crop scaled so that one text line is about `text_height` px (two different sizes make
    the two digit readings independent)."""
    from PIL import Image

    lines = max(1, round((img.height - 20) / 26))  # 8 pt text at 200 dpi: ~22 px glyphs
    factor = text_height / max((img.height - 20) / lines, 1)
    size = (max(1, round(img.width * factor)), max(1, round(img.height * factor)))
    return img.resize(size, Image.Resampling.LANCZOS)


def _explains(crop: Any, value: str) -> bool:
    """Whether `value` accounts for the crop's ink: a label misread as a digit or two leaves
    far more ink than those digits would print (digits are about half as wide as tall)."""
    glyph_h = max(crop.height - 20, 1)  # _clean adds a 10 px margin on each side
    lines = max(1, round(glyph_h / 26))
    if lines > 1 and len(value) < 8:
        return False  # a short number never wraps: several lines of ink are a label
    expected = (len(value) + 1) * 0.65 * glyph_h
    return crop.width - 20 <= expected + glyph_h / 2


@cache
def _labels() -> frozenset[str]:
    return frozenset(_vocabulary().values())


def _single_label(crop: Any) -> tuple[str, float]:
    return _stack_ocr([_zoom(crop, 2.0)], "chi_sim", f"--psm 6 {_FAST}", vertical=True)[0]


def _single_digits(crop: Any) -> tuple[str, float]:
    pytesseract = _need_tesseract()
    img = _scaled(crop, 32)
    data = pytesseract.image_to_data(
        img,
        lang="eng",
        config=f"--psm 7 {_FAST} -c tessedit_char_whitelist=0123456789.-+",
        output_type=pytesseract.Output.DICT,
    )
    words = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=True) if t.strip()]
    if not words:
        return "", 0.0
    return "".join(w for w, _ in words), min(c for _, c in words)


def _number(
    text: str,
    conf: float,
    second: tuple[str, float],
    third: tuple[str, float],
    single: tuple[str, float] | None = None,
) -> str:
    """Marked reading of a cell that may hold a number; confidence 0 unless readings agree.

    Two digits-only batch readings (1x and rescaled) must agree, or one of them must agree with
    a third reading of the crop on its own. When they agree with low confidence, the chi_sim
    reading and the reading on its own must both agree with confidence. The chi_sim reading
    vetoes when it saw real digits with high confidence and they differ.
    """
    flat = "".join(text.split())
    if (
        flat
        and not re.search(r"\d", flat)
        and flat in _NOT_A_NUMBER
        and conf >= limits.OCR_MIN_CELL_CONFIDENCE
    ):
        # "/", "—", "无": printed markers for "nothing" (null downstream). The digits-only passes
        # would force them into digits.
        return f"\x01{min(int(conf), 99):03d}\x01{flat}"
    d2, c2 = _DIGITS.sub("", second[0]), second[1]
    d3, c3 = _DIGITS.sub("", third[0]), third[1]
    unit = "元" if "元" in flat else ""
    value, confidence = "", 0.0
    if d2 and d2 == d3:
        value, confidence = d2, min(c2, c3)
        if confidence < limits.OCR_MIN_CELL_CONFIDENCE and single is not None:
            # Agreeing but unsure (one pass often reads a lone "1" at ~50): trusted only when
            # both other readings, from both models, saw the same digits with confidence.
            d4, c4 = _DIGITS.sub("", single[0]), single[1]
            if (
                d4 == value
                and _plain_digits(text, conf) == value
                and min(c4, conf) >= limits.OCR_MIN_CELL_CONFIDENCE
            ):
                confidence = min(c4, conf, max(c2, c3))
    elif single is not None:
        d4, c4 = _DIGITS.sub("", single[0]), single[1]
        if d4 and d4 in (d2, d3):
            value = d4
            confidence = min(c4, c2 if d4 == d2 else c3)
    d1 = _DIGITS.sub("", flat)
    if value and d1 and re.fullmatch(r"[\d.\-+元万]+", flat) and conf >= 85 and d1 != value:
        confidence = 0.0  # chi_sim clearly read other digits
    if not value:
        value = d2 or d3 or d1
    return f"\x01{min(int(confidence), 99):03d}\x01{value + unit}"


def _plain_digits(text: str, conf: float) -> str | None:
    """The digits of a chi_sim reading that is nothing but a number read with confidence."""
    flat = "".join(text.split())
    if conf < limits.OCR_MIN_CELL_CONFIDENCE or not re.fullmatch(r"[\d.\-+]+", flat):
        return None
    return _DIGITS.sub("", flat)


_FAST = "-c tessedit_do_invert=0"  # scans are dark-on-light; skip the inverted retry
_NOT_A_NUMBER = frozenset(["/", "／", "-", "－", "—", "——", "–", "\\", "无"])
_LOOKALIKE = str.maketrans(
    {"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1", "，": ",", "。": "."}
)


# --- pages ---------------------------------------------------------------------------------


def _text_lines(img: Any, scale: float) -> list[dict]:
    pytesseract = _need_tesseract()
    data = pytesseract.image_to_data(
        img, lang="chi_sim", config=f"--psm 3 {_FAST}", output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if (text or "").strip() and float(data["conf"][i]) >= 0:
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    out: list[dict] = []
    for idx in lines.values():
        idx.sort(key=lambda i: data["left"][i])
        confs = [float(data["conf"][i]) for i in idx]
        text = _join_words([data["text"][i].strip() for i in idx])
        # Specks and left-over border fragments come out as short, low-confidence "lines".
        if sum(confs) / len(confs) < 50 or (len(text) <= 2 and min(confs) < 80):
            continue
        out.append(
            {
                "text": _join_words([data["text"][i].strip() for i in idx]),
                "x0": min(data["left"][i] for i in idx) * scale,
                "x1": max(data["left"][i] + data["width"][i] for i in idx) * scale,
                "top": min(data["top"][i] for i in idx) * scale,
                "bottom": max(data["top"][i] + data["height"][i] for i in idx) * scale,
            }
        )
    out.sort(key=lambda ln: ln["top"])
    return out


def _read_pages(images: list[Any], dpi: float, fmt: str, meta: PageMeta) -> Document:
    import numpy as np
    from PIL import ImageDraw

    _need_tesseract()
    scale = 72.0 / dpi
    turned: dict[int, float] = {}  # page number -> degrees the page was turned back by

    def page(number: int, img: Any) -> geometry.PageLayout:
        # The ruling lines are found as exact rows and columns of ink: a skewed scan is turned
        # straight first (a straight page is left untouched, see ocr_deskew.MIN_SKEW).
        img, angle = ocr_deskew.deskew(img)
        if angle:
            turned[number] = angle
        arr = np.asarray(img)
        pieces = []
        masked = img.copy()
        draw = ImageDraw.Draw(masked)
        # A tight snap: glyph strokes near a ruling line must not pull it off position (the
        # lattice snaps edges to their cluster's mean), and scanned lines are straight enough.
        for boxes in geometry.tables_from_segments(_segments(arr, scale), tol=1.5):
            if len(boxes) < 4:
                continue
            px = [tuple(round(v / scale) for v in b) for b in boxes]
            texts = _read_cells(img, px)  # type: ignore[arg-type]
            # Glyph-free piece: one pseudo character per cell carrying the cell's marked text.
            chars = [
                {"text": t, "x0": b[0] + 1, "x1": b[2] - 1, "top": b[1] + 1, "bottom": b[3] - 1, "size": 1.0}
                for b, t in zip(boxes, texts, strict=True)
            ]
            piece = geometry.piece_from_boxes(number, boxes, chars)
            if piece is not None:
                pieces.append(piece)
                x0, y0 = min(b[0] for b in px), min(b[1] for b in px)
                x1, y1 = max(b[2] for b in px), max(b[3] for b in px)
                draw.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), fill=255)
        return geometry.PageLayout(number, pieces, _text_lines(masked, scale))

    # Pages are independent: two at a time (Tesseract runs single-threaded, see _need_tesseract).
    with ThreadPoolExecutor(max_workers=2) as pool:
        pages = list(pool.map(page, range(1, len(images) + 1), images))
    text, grids = geometry.assemble(pages)
    uncertain, conf = _unmark(grids)
    confirmed = ocr_sums.check_sums(grids, uncertain, conf)
    doc = Document(format=fmt, text=text, tables=grids, meta=meta, uncertain=uncertain)
    doc.meta.extra["ocr"] = f"tesseract chi_sim, {len(images)} page(s) at {dpi:.0f} dpi"
    if turned:
        # Where a scan was crooked, and by how much: a reader checking a null cell against the
        # scan knows the page was rotated before it was read.
        doc.meta.extra["ocr"] += ", skew corrected on " + ", ".join(
            f"p{n} ({a:+.2f}°)" for n, a in sorted(turned.items())
        )
    if confirmed:
        doc.meta.extra["ocr"] += f", {confirmed} low-confidence reading(s) confirmed by A1-A4"
    if uncertain:
        doc.findings.append(
            {
                "check": "C07",
                "severity": "warn",
                "message": f"OCR: {len(uncertain)} table cell(s) read with low confidence; left null",
                "keys": [],
            }
        )
    if not text.strip() and not grids:
        raise UnreadableDocument("scanned document: OCR found no text")
    return doc


def _unmark(grids: list[Grid]) -> tuple[set[tuple[int, int, int]], dict[tuple[int, int, int], float]]:
    """Strip the confidence marks; positions under the threshold become uncertain."""
    uncertain: set[tuple[int, int, int]] = set()
    confidence: dict[tuple[int, int, int], float] = {}
    for t, grid in enumerate(grids):
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                m = _MARK.match(cell)
                conf = float(m.group(1)) if m else 100.0
                text = _MARK.sub("", cell)
                row[c] = text
                if conf < limits.OCR_MIN_CELL_CONFIDENCE:
                    uncertain.add((t, r, c))
                confidence[(t, r, c)] = conf
    return uncertain, confidence
