"""What a scan carries besides its ink, taken away before OCR (pipelines/parse/ocr_cleanup.py), and
the engine's predictable misreadings put right after it (a year's 〇, a thin dash, a box over several
headers, a misread table-4 header) — on drawn images and strings whose every pixel and character is
known, so no engine runs here."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from pipelines.parse.columns import t4_result_header
from pipelines.parse.ocr import split_glued
from pipelines.parse.ocr_cleanup import PALE_LEVEL, circles_in_years, flat_bar, without_pale_marks


def _page(shading: int | None = None, watermark: int | None = None, seed: int = 1) -> np.ndarray:
    """A 200-dpi strip: a shaded band (grey ``shading``) with black digits and a dash on it, black
    text on white paper beside it, and a broad diagonal watermark stroke (grey ``watermark``) that
    crosses a digit "0" — blurred and speckled as tests/forge/scan.py does."""
    img = Image.new("L", (800, 300), 255)
    d = ImageDraw.Draw(img)
    if shading is not None:
        d.rectangle((0, 0, 400, 120), fill=shading)
    if watermark is not None:
        d.line((450, 290, 780, 10), fill=watermark, width=22)
    for x in (40, 140, 240):  # digits on the shaded band
        d.rectangle((x, 40, x + 16, 76), outline=0, width=3)
    d.rectangle((320, 57, 346, 59), fill=0)  # a dash "—" on the band
    d.rectangle((600, 130, 618, 166), outline=0, width=3)  # a "0" the watermark crosses
    for x in range(40, 380, 14):  # a line of small text on white paper
        d.rectangle((x, 200, x + 8, 212), outline=0, width=2)
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    arr = np.asarray(img, dtype=np.float32) + np.random.default_rng(seed).normal(0, 8, (300, 800))
    return np.clip(arr, 0, 255).astype(np.uint8)


def _pale(area: np.ndarray) -> float:
    """The share of an area's pixels that are neither ink nor paper (nor paper's speckle)."""
    return float(((area >= PALE_LEVEL) & (area < 235)).mean())


@pytest.mark.parametrize(("shading", "watermark"), [(217, 192), (217, 223)])
def test_shading_and_watermarks_are_painted_white_and_ink_stays(shading: int, watermark: int) -> None:
    """Measured levels of the forged scans: shading D9D9D9 (217), a text watermark 192, WordArt 223."""
    grey = _page(shading, watermark)
    out = without_pale_marks(grey)
    ink = grey < PALE_LEVEL
    assert (out[ink] == grey[ink]).all()  # no pixel of ink is touched
    for rows, cols in ((slice(10, 30), slice(10, 390)),  # the band, away from its glyphs: paper now
                       (slice(60, 115), slice(165, 230)),  # between glyphs on the band
                       (slice(140, 160), slice(604, 614)),  # the watermark inside the crossed "0": gone too
                       (slice(250, 290), slice(480, 500))):  # the watermark's stroke in the open
        assert _pale(grey[rows, cols]) > 0.25 and _pale(out[rows, cols]) < 0.1  # (paper's own speckle stays)
    assert (out[57:60, 320:347] < PALE_LEVEL).all() and (out[42:75, 40:43] < PALE_LEVEL).all()  # dash and digit kept


def test_a_page_without_shading_or_watermark_comes_back_as_it_was() -> None:
    grey = _page()
    assert np.array_equal(without_pale_marks(grey), grey)


@pytest.mark.parametrize(("read", "fixed"), [
    ("二0二三年度政府信息公开工作年度报告", "二〇二三年度政府信息公开工作年度报告"),
    ("二O二四年", "二〇二四年"), ("二o二一 年", "二〇二一 年"), ("一九九O年", "一九九〇年"),
    ("二〇二〇年", "二〇二〇年"),  # (printed right: as it is)
    ("2020年", "2020年"), ("二0二4年", "二0二4年"), ("第0号", "第0号"), ("O型", "O型"),
    ("共20件，其中二0件", "共20件，其中二0件"),  # no 年: not a year
])
def test_a_circle_in_a_year_in_chinese_numerals_is_read_as_ling(read: str, fixed: str) -> None:
    assert circles_in_years(read) == fixed


def _bar(w: int, h: int, gaps: int = 0) -> np.ndarray:
    ink = np.zeros((h + 4, w + 4), dtype=bool)
    ink[2: 2 + h, 2: 2 + w] = True
    ink[2: 2 + h, 2 + w // 2: 2 + w // 2 + gaps] = False
    return ink


@pytest.mark.parametrize(("ink", "is_bar"), [
    (_bar(26, 2), True), (_bar(25, 1), True), (_bar(12, 2), True),  # "—" at 9–12 pt, 1–2 px thick; "-"
    (_bar(6, 2), False),  # a speck
    (_bar(120, 2), False),  # a leftover of a ruling line
    (_bar(26, 12), False),  # a block, not a bar
    (_bar(26, 2, gaps=6), False),  # two specks in a row
])
def test_a_thin_dash_is_a_blank_mark(ink: np.ndarray, is_bar: bool) -> None:
    assert flat_bar(ink, 200) is is_bar


@pytest.mark.parametrize(("box", "cells"), [
    ("商业企法律服其他", ["商业企", "法律服", "其他"]),  # one box over three narrow columns' headers
    ("自然人总计", ["自然人", "总计"]),
    ("社会公益组", ["社会公益组"]),  # one header's first line: one cell
    ("其他法律行", ["其他法律行"]),  # a row label, not headers
])
def test_a_box_over_wrapped_headers_splits_into_their_first_lines(box: str, cells: list[str]) -> None:
    assert split_glued(box) == cells


@pytest.mark.parametrize(("header", "result"), [
    ("尚未蜜结", "pending"),  # 审 misread: one edit, no other result near
    ("尚未审结", "pending"), ("结果维持", "maintain"),
    ("结果维", None), ("总汁", None),  # too short for an edit
    ("结果纠持", None),  # as near to 结果维持 as to 结果纠正: never a guess
])
def test_a_misread_table4_result_header_is_the_result_it_clearly_means(header: str, result: str | None) -> None:
    assert t4_result_header(header) == result
