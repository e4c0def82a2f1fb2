"""The OCR reader's decisions on one cell, without Tesseract: when a reading is trusted."""

from __future__ import annotations

from parsers.formats import ocr


def _conf(marked: str) -> int:
    m = ocr._MARK.match(marked)
    assert m
    return int(m.group(1))


def _text(marked: str) -> str:
    return ocr._MARK.sub("", marked)


def test_agreeing_digit_readings_are_trusted() -> None:
    r = ocr._number("51", 90.0, ("51", 95.0), ("51", 93.0))
    assert _text(r) == "51" and _conf(r) == 93


def test_disagreeing_readings_are_uncertain() -> None:
    r = ocr._number("51", 90.0, ("51", 95.0), ("57", 93.0))
    assert _conf(r) == 0  # -> Document.uncertain -> null + finding


def test_a_third_reading_settles_a_dispute() -> None:
    r = ocr._number("", 0.0, ("", 0.0), ("8", 93.0), ("8", 91.0))
    assert _text(r) == "8" and _conf(r) == 91


def test_unsure_agreement_needs_both_other_readings() -> None:
    # A lone "1": the rescaled pass is unsure, chi_sim and the reading on its own are not.
    r = ocr._number("1", 81.0, ("1", 94.0), ("1", 52.0), ("1", 90.0))
    assert _text(r) == "1" and _conf(r) == 81
    # "77" seen by the scan: both digit passes and the single reading say "17", chi_sim saw a
    # glyph (了). Not enough: the digit model's readings are not independent of each other.
    r = ocr._number("了", 30.0, ("17", 71.0), ("17", 46.0), ("17", 65.0))
    assert _conf(r) < 60
    # chi_sim agrees but is itself unsure.
    r = ocr._number("1", 50.0, ("1", 94.0), ("1", 52.0), ("1", 90.0))
    assert _conf(r) < 60
    # Without the reading on its own the low confidence stands.
    r = ocr._number("1", 81.0, ("1", 94.0), ("1", 52.0))
    assert _conf(r) < 60


def test_chi_sim_veto() -> None:
    # chi_sim clearly saw other digits: the digit passes are not trusted.
    r = ocr._number("31", 95.0, ("51", 95.0), ("51", 93.0))
    assert _conf(r) == 0


def test_blank_markers_are_not_forced_into_digits() -> None:
    for marker in ("/", "—", "无"):
        r = ocr._number(marker, 92.0, ("1", 90.0), ("7", 90.0))
        assert _text(r) == marker


def test_label_snapping_needs_a_clear_margin() -> None:
    assert ocr._snap_label("第二十条第〈六)项") == "第二十条第（六）项"
    assert ocr._snap_label("1.属于国家秘宓") == "1.属于国家秘密"
    # Equally near two labels: left as read, never guessed.
    assert ocr._snap_label("3其他") == "3其他"
