"""What a scanned page carries besides its ink, taken away before OCR reads it, and what the engine's
text gets wrong in a predictable way, put right after it (pipelines/parse/ocr.py calls both).

Before the engine: a diagonal watermark (仅供参考, the agency's name) and shaded cells print pale —
measured on the forged scans, text watermarks at grey 192, WordArt ones at 223 and cell shading at
217 (D9D9D9), while ink is black (0) and a scan's blur and noise keep its strokes' cores below 128.
A pale patch breaks table reading three ways: the detector merges a row's words with the watermark's
strokes, the ruling-line finder takes a shaded band's edges for rules, and a blank mark (—) on a
shaded cell is not found as ink. ``without_pale_marks`` paints broad pale areas white and keeps
every pixel darker than ``PALE_LEVEL`` as it was, so no ink is ever removed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

PALE_LEVEL = 150  # darker than this is ink (a stroke's core on every scan measured), never painted over
PAPER_LEVEL = 240  # a smoothed pixel lighter than this is paper (its noise smoothed away)
MIN_PALE_SHARE = 0.002  # of the page: less pale area than this is no shading or watermark (measured below)


def _cv2() -> Any:
    import cv2  # (opencv ships with the OCR engine)

    return cv2


def pale_areas(grey: np.ndarray, dpi: int = 200) -> np.ndarray:
    """Where the page is pale (1) — shading, a watermark's strokes — and not ink or paper.

    Pixels that, median-smoothed (the scanner's speckle out), lie between ink and paper and have no
    ink (darker than ``PALE_LEVEL``) within ~1/60 in — text on white paper has none, as a stroke's
    grey halo hugs its ink — and that form a patch at least ~1/40 in wide every way (a
    morphological opening drops specks), less the long straight runs of a faint ruling line."""
    cv2 = _cv2()
    size = max(3, round(dpi / 40))
    smooth = cv2.medianBlur(grey, 3)  # (speckle out; a line's edge does not smear into a band, as a box blur's does)
    no_ink_near = cv2.erode(grey, cv2.getStructuringElement(cv2.MORPH_RECT, (size + 2, size + 2))) >= PALE_LEVEL
    pale = ((smooth >= PALE_LEVEL) & (smooth < PAPER_LEVEL) & no_ink_near).astype(np.uint8)
    pale = cv2.morphologyEx(pale, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    # A faint ruling line of a low-resolution scan is pale too, and as thick as a watermark's stroke:
    # long straight runs of anything darker than paper (1/4 in, along or across the page: a line,
    # dark and pale stretches alike) are kept out unless part of a broad area.
    long = max(size, dpi // 4)
    unpaper = (smooth < PAPER_LEVEL).astype(np.uint8)
    straight = (cv2.morphologyEx(unpaper, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long, 1)))
                | cv2.morphologyEx(unpaper, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long))))
    broad = cv2.dilate(cv2.morphologyEx(pale, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * size, 2 * size))),
                       cv2.getStructuringElement(cv2.MORPH_RECT, (2 * size + 1, 2 * size + 1)))
    return pale & ~(straight & ~broad)


def without_pale_marks(grey: np.ndarray, dpi: int = 200) -> np.ndarray:
    """The page with its broad pale areas (``pale_areas``: shading, watermark strokes) painted
    white, grown by their own width to take in the shading around a glyph printed on it and a
    band's edge: every pixel there lighter than ``PALE_LEVEL`` — never ink. A page whose pale
    areas are under ``MIN_PALE_SHARE`` of it (no shading, no watermark: a stretch of a faint
    ruling line at most) comes back as it was."""
    cv2 = _cv2()
    size = max(3, round(dpi / 40))
    near = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * size + 1, 2 * size + 1))
    pale = pale_areas(grey, dpi)
    if int(pale.sum()) < MIN_PALE_SHARE * pale.size:
        return grey
    paint = cv2.dilate(pale, near).astype(bool) & (grey >= PALE_LEVEL)
    # The counter of a glyph a watermark's stroke crosses ("0" with a bar through it reads as
    # nothing) is walled off from the area by ink: small enclosed pale holes near the area are
    # painted too. (Growing the area that far instead took the grey edges of every glyph on a
    # shaded cell, and digits thinned that way went unread: measured on wild-00.)
    reach = cv2.dilate(pale, cv2.getStructuringElement(cv2.MORPH_RECT, (6 * size + 1, 6 * size + 1))).astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((grey >= PALE_LEVEL).astype(np.uint8), connectivity=4)
    small = stats[:, cv2.CC_STAT_AREA] <= (dpi // 8) ** 2  # (a 14-pt digit's counter at most)
    small[0] = False  # (label 0: the ink around the holes)
    paint |= small[labels] & reach
    out = grey.copy()
    out[paint] = 255
    return out


# After the engine. A year printed in Chinese numerals (二〇二三年) comes back with its 〇 as the
# letter O, o or the digit 0 — the glyphs are alike. Only inside four numerals before 年 that begin
# as a year does (一九…, 二〇…) and hold at least two Chinese numerals is the circle read as 〇:
# 2020年, O型 or 第0号 stay as read.
_CIRCLE_IN_YEAR = re.compile(r"(?:一九|二[〇○零Oo0])[〇○零Oo0一二三四五六七八九]{2}(?=\s*年)")
_ZH_NUMERALS = set("一二三四五六七八九")


def circles_in_years(text: str) -> str:
    """``text`` with the O, o or 0 the engine read inside a year in Chinese numerals as 〇."""
    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        if sum(ch in _ZH_NUMERALS for ch in run) < 2:
            return run
        return run.translate(_AS_CIRCLE)
    return _CIRCLE_IN_YEAR.sub(one, text)


_AS_CIRCLE = str.maketrans({"O": "〇", "o": "〇", "0": "〇"})


def flat_bar(ink: np.ndarray, dpi: int = 200) -> bool:
    """Whether a patch of ink (True = ink) is one short flat bar — a blank mark "—" or "-", whose
    stroke (1–3 px on a scan) is too thin to pass as a text line of its own: 1/20 to 1/4 in long (a
    hyphen to a wide dash; a leftover of a ruling line is longer), unbroken (ink in nine columns
    of ten) and a third as thick as long at most."""
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return False
    w, h = int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)
    return dpi / 20 <= w <= dpi / 4 and h * 3 <= w and len(set(xs.tolist())) >= 0.9 * w


# A footnote mark or unit printed right after a number ("0①", "12件") comes back alone from the
# recogniser now and then: the number before it is dropped. A box read as nothing but such a mark
# is read again glyph by glyph (pipelines/parse/ocr.py ``OcrPage._number_before_mark``).
_LONE_MARK = re.compile(r"^(?:[①-⑳*＊※#＃†‡△▲注件个])$")


def lone_mark(text: str) -> bool:
    return bool(_LONE_MARK.match(text.strip()))


def ink_runs(inked: np.ndarray, min_gap: int = 2) -> list[tuple[int, int]]:
    """The runs of inked columns (start, end exclusive) that blank gaps of ``min_gap`` columns or
    more part."""
    runs: list[tuple[int, int]] = []
    start, blank = None, 0
    for x, on in enumerate(inked.tolist()):
        if on:
            if start is not None and blank >= min_gap:
                runs.append((start, x - blank))
                start = None
            if start is None:
                start = x
            blank = 0
        elif start is not None:
            blank += 1
    if start is not None:
        runs.append((start, len(inked) - blank))
    return runs
