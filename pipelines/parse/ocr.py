"""Scanned pages read by OCR, handed to the same table finder and word grids as text PDFs.

A page without a usable text layer is rendered (PDFium), deskewed (the angle whose row profile is
sharpest, within ±3°), and read by RapidOCR (ONNX models shipped inside the
``rapidocr-onnxruntime`` wheel: nothing is downloaded at run time; its recogniser's model run by
OpenVINO, ``on_openvino``). The page's ruling lines come
from the image (morphological opening with long thin kernels). ``OcrPage`` then offers exactly what
``PdfiumPage`` offers pdfplumber — characters with boxes, ruling lines — in PDF points, so tables
are found and cells placed by the same code as for every other PDF, and the grid → cells step is
the shared one. Each character keeps the engine's confidence for its text box; a cell's confidence
is its lowest.

The engine is loaded once per process (the parse worker), on first use. Without it (not installed,
or ``NIANBAO_OCR=off``) scanned documents fail ``needs_ocr`` as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import shutil
import subprocess
import time
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from pipelines.parse.ocr_cleanup import circles_in_years, flat_bar, ink_runs, lone_mark, without_pale_marks
from pipelines.parse.pdf_pages import PdfiumPage
from pipelines.parse.pdf_words import COLUMN_HEADERS, HEADER_SET
from pipelines.parse.tokens import UNREADABLE

RENDER_DPI = 200
MAX_PAGES = int(os.environ.get("NIANBAO_OCR_MAX_PAGES", "15"))  # ~5 s a page: a scan fits the parse deadline
MAX_SKEW_DEGREES = 3.0


@functools.cache
def _engine() -> Any | None:
    if os.environ.get("NIANBAO_OCR", "on").lower() in ("off", "0", "false", "no"):
        return None
    if os.environ.get("NIANBAO_OCR_ENGINE", "rapidocr") == "tesseract":
        return Tesseract() if shutil.which("tesseract") else None  # (measured against RapidOCR: docs/ocr.md)
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    engine = RapidOCR(**engine_options())
    if os.environ.get("NIANBAO_OCR_RUNTIME", "openvino") == "openvino":
        on_openvino(engine)
    return engine


def engine_options() -> dict[str, Any]:
    """RapidOCR's settings for this machine's way of working (measured: docs/decisions.md, "OCR speed").

    - One inference thread (``NIANBAO_OCR_THREADS``): documents are parsed by one worker per core
      (and tests by one xdist worker per core), so each engine has a core to itself at best; two
      spinning ONNX threads per engine fought the other workers for the cores (≈ 1.5× slower).
    - Text lines recognised one at a time: in batches of 6 every line is padded to the widest of
      its batch, and a batch of long lines (a page of prose) needs buffers that ONNX Runtime, with
      its arena off, maps and unmaps on every call — 2–3× slower there, the same readings.
    """
    threads = int(os.environ.get("NIANBAO_OCR_THREADS", "1"))
    return {"intra_op_num_threads": threads, "rec_batch_num": 1}


class OpenVinoSession:
    """One of RapidOCR's models compiled by OpenVINO, called as RapidOCR calls its ONNX Runtime
    session (``session(batch)[0]``). Full 32-bit floats (OpenVINO would pick bfloat16 on a CPU
    that has it, and other readings with it); one thread (as ``engine_options``), run in the
    caller's; no cache of kernels per input shape (every line width is a shape: the cache grew a
    worker's address space by ~0.13 GB over a 4-page scan, to save ~3 % of the time)."""

    def __init__(self, model: str, threads: int) -> None:
        import openvino

        core = openvino.Core()
        config = {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
                  "ENABLE_CPU_PINNING": False, "CPU_RUNTIME_CACHE_CAPACITY": 0}
        self.request = core.compile_model(core.read_model(model), "CPU", config).create_infer_request()

    def __call__(self, batch: np.ndarray) -> list[np.ndarray]:
        out = self.request.infer({0: batch})[0]
        if out.size == 0 or out.shape[0] != batch.shape[0]:
            # OpenVINO answers an allocation it could not make (the parse worker's address-space cap)
            # with an empty output, not an error: RapidOCR would read every line of it as nothing
            raise MemoryError(f"OpenVINO inference gave no output for an input of shape {batch.shape}")
        return [out]


M_ARENA_MAX = -8  # glibc malloc.h


def _one_malloc_arena() -> None:
    """Threads created from now on allocate from the main malloc arena. OpenVINO starts a few
    threads (it compiles the models in parallel), and glibc gives each its own arena, 64 MB of
    address space reserved apiece: ~0.6 GB more, which a parse worker's address-space cap
    (``NIANBAO_PARSE_MEMORY_MB``) counts. Inference itself runs in the caller's thread."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 1)


def on_openvino(engine: Any) -> None:
    """The detector and the recogniser of ``engine`` run by OpenVINO instead of ONNX Runtime: the
    same model files (shipped in the RapidOCR wheel). The recogniser takes 0.75× its time — OpenVINO
    folds the model's scalar scale/shift and hard-swish chains (8 element-wise passes after each
    convolution, a third of ONNX Runtime's time) into the convolutions — and the detector about half.
    The same readings on every scan and picture; confidences move in the 4th decimal. The detector
    keeps a whole page's activations (~0.35 GB of address space more), which the parse worker's cap
    allows since session 14 (``NIANBAO_PARSE_MEMORY_MB`` 3072; docs/decisions.md, "OCR speed, session
    14"). ``NIANBAO_OCR_DETECTOR=onnxruntime`` keeps the detector on ONNX Runtime (a tighter memory
    cap). Without OpenVINO installed the engine stays as it was."""
    try:
        import openvino  # noqa: F401
    except ImportError:
        return
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml

    _one_malloc_arena()
    config, threads = read_yaml(DEFAULT_CFG_PATH), engine_options()["intra_op_num_threads"]
    try:  # (OpenVINO that cannot compile here — a CPU it does not support — leaves ONNX Runtime in place)
        rec = OpenVinoSession(str(DEFAULT_CFG_PATH.parent / config["Rec"]["model_path"]), threads)
        det = (OpenVinoSession(str(DEFAULT_CFG_PATH.parent / config["Det"]["model_path"]), threads)
               if os.environ.get("NIANBAO_OCR_DETECTOR", "openvino") == "openvino" else None)
    except Exception as err:  # noqa: BLE001 - any failure of the optional runtime; the engine stays as it was
        warnings.warn(f"OCR: OpenVINO unavailable ({type(err).__name__}: {err}); ONNX Runtime runs the models",
                      RuntimeWarning, stacklevel=2)
        return
    engine.text_rec.session = rec
    if det is not None:
        engine.text_det.infer = det


class Tesseract:
    """Debian's tesseract-ocr + chi_sim behind RapidOCR's call shape, for the comparison in
    docs/ocr.md (not the default engine)."""

    def __call__(self, image: np.ndarray, use_det: bool = True, use_cls: bool = False,
                 use_rec: bool = True) -> tuple[list, None]:
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(image[..., 0]).save(buf, "PNG")
        psm = "11" if use_det else "7"
        out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", psm, "tsv"], input=buf.getvalue(),
                             capture_output=True, check=False).stdout.decode("utf-8", "replace")
        words = []
        for line in out.splitlines()[1:]:
            f = line.split("\t")
            if len(f) < 12 or f[0] != "5" or not f[11].strip():
                continue
            x, y, w, h, conf = int(f[6]), int(f[7]), int(f[8]), int(f[9]), float(f[10])
            words.append(([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], f[11].strip(), max(conf, 0) / 100))
        if not use_det:
            text = "".join(w[1] for w in words)
            return [[text, min((w[2] for w in words), default=0.0)]], None
        return words, None


_INHERITED: list[Any] = []


def reset_after_fork() -> None:
    """In a forked worker: set aside an engine loaded by the parent (its thread pool did not fork)
    and load our own on first use. The inherited one is kept referenced: destroying it would wait
    for threads that do not exist in this process."""
    if _engine.cache_info().currsize:
        _INHERITED.append(_engine())
        _engine.cache_clear()


def available() -> bool:
    return _engine() is not None


@dataclass
class OcrStats:
    pages: int = 0
    seconds: float = 0.0


STATS = OcrStats()  # per process: what the nightly summary and the bench report
# Called with the page count before a scan is read: the parse worker tells its parent, which then
# applies the OCR deadline instead of the ordinary one (pipelines/isolation.py).
announce: Callable[[int], None] = lambda _pages: None  # noqa: E731


def _cv2() -> Any:
    import cv2  # (opencv ships with the OCR engine; imported only when a scan is read)

    return cv2


def skew_angle(grey: np.ndarray) -> float:
    """The rotation (degrees) that makes the page's text rows and ruling lines horizontal: the
    angle whose row profile of the ink is sharpest (largest sum of squared row sums), searched
    coarse then fine on a half-size copy."""
    cv2 = _cv2()
    ink = (cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA) < 200)
    ink = ink.astype(np.float32)
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rows = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0).sum(axis=1)
        return float((rows ** 2).sum())

    coarse = max((sharpness(a / 2), a / 2) for a in range(int(-MAX_SKEW_DEGREES * 2), int(MAX_SKEW_DEGREES * 2) + 1))[1]
    return max((sharpness(coarse + a / 10), coarse + a / 10) for a in range(-5, 6))[1]


def deskew(grey: np.ndarray) -> tuple[np.ndarray, float]:
    angle = skew_angle(grey)
    if abs(angle) < 0.05:
        return grey, 0.0
    cv2 = _cv2()
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255), angle


def ruling_lines(grey: np.ndarray, dpi: int = RENDER_DPI, shortest_in: float = 1 / 8) -> list[tuple[str, int, int, int, int]]:
    """Horizontal and vertical ruling lines of an upright page image: (orientation, x0, y0, x1, y1) px.
    A line is at least a fraction of the page and ``shortest_in`` long (1/8 in on a scan; 0.2 in on a
    picture scaled up, whose smeared glyph strokes run longer). One shorter than 0.2 in — as long
    as a large glyph's stroke — is kept only when it runs from a line across it to another
    (``walled``)."""
    cv2 = _cv2()
    h, w = grey.shape
    ink = cv2.adaptiveThreshold(255 - grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)
    # A thin line drawn grey (a screenshot's anti-aliased rule, scaled up) next to dark text falls
    # below the local threshold; anything clearly darker than the paper counts too (only long runs
    # of it become lines).
    paper = float(np.percentile(grey, 90))
    ink |= ((grey < paper - 45) * 255).astype(np.uint8)
    shortest, sure = max(round(dpi * shortest_in), 12), max(round(0.2 * dpi), 12)
    found: list[tuple[str, int, int, int, int]] = []
    for orientation, kernel in (("h", (max(shortest, w // 35), 1)), ("v", (1, max(shortest, min(w, h) // 45)))):
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))  # close 1-px gaps of a scan
        count, _labels, boxes, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, bw, bh, _area in boxes[1:count]:
            if orientation == "h" and bw >= kernel[0]:
                found.append(("h", int(x), int(y + bh // 2), int(x + bw), int(y + bh // 2)))
            elif orientation == "v" and bh >= kernel[1]:
                found.append(("v", int(x + bw // 2), int(y), int(x + bw // 2), int(y + bh)))
    return [ln for ln in found if max(ln[3] - ln[1], ln[4] - ln[2]) >= sure or walled(ln, found)]


def walled(line: tuple[str, int, int, int, int], lines: list[tuple[str, int, int, int, int]], slack: int = 4) -> bool:
    """A line whose both ends sit on lines across it: a wall of a cell runs from rule to rule,
    while a glyph's stroke touches a rule at most at one end (a tight row of a screenshot)."""
    o, x0, y0, x1, y1 = line
    ends = ((x0, y0), (x1, y1))
    crossing = [ln for ln in lines if ln[0] != o]
    if o == "h":
        return all(any(abs(v[1] - x) <= slack and v[2] - slack <= y <= v[4] + slack for v in crossing) for x, y in ends)
    return all(any(abs(h[2] - y) <= slack and h[1] - slack <= x <= h[3] + slack for h in crossing) for x, y in ends)


_DASH_ALONE = re.compile(r"^[一\-－–—_~～]{1,3}$")
# Where one OCR box holds what the page prints as two cells: an item number starting after text
# ("（三）不予公1.属于国家秘"), a number after a label ("行政许可 0"), two header words side by side.
# a vertical ruling line the recogniser read as a letter between two cells ("信息内容I本年处理决定数量")
_RULE_GLYPH = re.compile(r"(?<=[\u4e00-\u9fff\d）)])[|丨Il](?=[\u4e00-\u9fff\d（(])")
_LONE_GLYPH = re.compile(r"^[A-Za-z|丨!]$")
_ORDINAL_INSIDE = re.compile(r"(?<=[\u4e00-\u9fff）)])(?=\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十]{1,3}[）)])")
_NUMBER_AFTER_LABEL = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?=\d+(?:\.\d+)?$)")
GAP_PT = 4.0
INK_LEVEL = 128  # a pixel this dark is ink (scanner noise and JPEG ringing stay lighter)
MIN_INK_PIXELS = 25  # ... and a cell with fewer such pixels is blank
UNREAD = UNREADABLE  # ink the engine cannot read  # the space put between the pieces of a split box (more than word extraction's tolerance)


def _header_piece(text: str) -> bool:
    """A header word, or the first line (3 characters or more) of a column header wrapped in its
    narrow column (商业企 / 业, 法律服 / 务机构): what a line of a header row holds."""
    return text in HEADER_SET or (len(text) >= 3 and any(h.startswith(text) for h in COLUMN_HEADERS))


def _header_words(text: str) -> list[str] | None:
    """``text`` as two or more of the format's header words (or their first lines, one box over
    the wrapped headers of neighbouring columns: 商业企法律服其他), if it is exactly that."""
    if text in HEADER_SET:
        return None
    best: dict[int, list[str]] = {0: []}
    for i in range(len(text)):
        if i not in best:
            continue
        for j in range(i + 2, len(text) + 1):
            if _header_piece(text[i:j]) and j not in best:
                best[j] = [*best[i], text[i:j]]
    found = best.get(len(text))
    return found if found and len(found) >= 2 else None


def split_glued(text: str) -> list[str]:
    """The cells one OCR box holds (usually one)."""
    parts = [p for p in _RULE_GLYPH.split(text) if p]
    if len(parts) > 1:  # a ruling line read as a letter between two cells
        return [q for p in parts for q in split_glued(p)]
    words = _header_words(text)
    if words:
        return words
    pieces = [p for p in _ORDINAL_INSIDE.split(text) if p]
    return [q for p in pieces for q in _NUMBER_AFTER_LABEL.split(p) if q]


def blank_glyph(patch: np.ndarray) -> tuple[str, float] | None:
    """The table's blank marks, which the recogniser does not read alone: a single slanted
    stroke is "/", a flat bar is "—" (by the shape of the ink; confidence 0.9 — a shape, not a
    reading). Anything else: None."""
    ys, xs = np.nonzero(patch < INK_LEVEL)
    if len(xs) < MIN_INK_PIXELS:
        return None
    w, h = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    if h * 3 <= w:
        return "—", 0.9
    if w >= 4 and 1.0 <= h / w <= 5.0 and np.corrcoef(xs, ys)[0, 1] < -0.85:
        return "/", 0.9
    return None


# What the recogniser makes of a blank mark alone: "/" as 7 or 1, a blurred "—" as 二 or =
_BAR_LOOKALIKES = ("二", "=")
_BLANK_LOOKALIKES = ("7", "1", "/", *_BAR_LOOKALIKES)


def _read_glyph(patch: np.ndarray, text: str, conf: float) -> tuple[str, float]:
    """A reading of one small patch, checked against its shape: blank marks by shape; a "7"/"1"
    that is a slanted stroke is "/", a 二 that is one flat bar is "—"; a "/" or a lone 二 that is
    not is unread (no table prints either as a value); no reading is unread."""
    shape = blank_glyph(patch)
    if shape and (not text or _LONE_GLYPH.match(text) or text in _BLANK_LOOKALIKES):
        return shape
    if not text or _LONE_GLYPH.match(text) or text in ("/", *_BAR_LOOKALIKES):
        return UNREAD, 0.0
    return text, conf


def _as_detected(patches: list, detected: list) -> list:
    """Patches read alone have tight ink boxes; the detector's boxes are a line of text tall. A
    patch gets the page's usual box height around its own middle, so a digit found this way lines
    up with its row's other words as a detected one would."""
    heights = sorted(max(p[1] for p in q) - min(p[1] for p in q) for q, _t, _c in detected)
    if not heights:
        return patches
    half = heights[len(heights) // 2] / 2
    spans = [(min(p[1] for p in q), max(p[1] for p in q)) for q, _t, _c in detected]
    out = []
    for quad, text, conf in patches:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        middle = (min(ys) + max(ys)) / 2
        # on a detected line (its span holds the patch's middle): that line's top and bottom
        holding = [sp for sp in spans if sp[0] <= middle <= sp[1] and sp[1] - sp[0] <= 3 * half]
        if holding:
            top, bottom = min(holding, key=lambda sp: abs((sp[0] + sp[1]) / 2 - middle))
        else:
            top, bottom = min(min(ys), middle - half), max(max(ys), middle + half)
        out.append(([[min(xs), top], [max(xs), top], [max(xs), bottom], [min(xs), bottom]], text, conf))
    return out


def _align_lines(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Characters printed on one line share one top and bottom, as a text layer gives them (the
    detector's box for "0" is shorter than for 本机关, and word extraction groups by top). Only
    characters whose middles are within 30 % of a line's height are one line: a value printed
    midway between the two lines of a wrapped label stays where it is."""
    lines: list[tuple[float, float, list[dict[str, Any]]]] = []
    for ch in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        middle, height = (ch["top"] + ch["bottom"]) / 2, ch["bottom"] - ch["top"]
        if lines and abs(middle - lines[-1][0]) < max(height, lines[-1][1]) * 0.3:
            lines[-1][2].append(ch)
        else:
            lines.append((middle, height, [ch]))
    for _, _, line in lines:
        top, bottom = min(c["top"] for c in line), max(c["bottom"] for c in line)
        for c in line:
            c.update({"top": top, "bottom": bottom, "doctop": top, "height": bottom - top})
    chars.sort(key=lambda ch: (round(ch["top"]), ch["x0"]))
    return chars


def _recognise(patch: np.ndarray) -> tuple[str, float]:
    """The recogniser alone on one patch of the page (no detection)."""
    started = time.perf_counter()
    found, _ = _engine()(_rgb(np.pad(patch, 12, constant_values=255)), use_det=False, use_cls=False)  # type: ignore[misc]
    STATS.seconds += time.perf_counter() - started
    text, conf = (str(found[0][0]), float(found[0][1])) if found else ("", 0.0)
    return "".join(text.split()), conf


def _rgb(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))


def _weights(text: str) -> list[float]:
    # full-width (CJK, full-width punctuation) characters are about twice as wide as digits and Latin
    return [1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text]


class OcrPage(PdfiumPage):
    """A scanned page read by OCR, shaped like ``PdfiumPage`` (characters and ruling lines in PDF
    points, origin top-left) for pdfplumber's table finder and word extraction."""

    def __init__(self, grey: np.ndarray, page_number: int, width_pt: float, height_pt: float,
                 shortest_line_in: float = 1 / 8) -> None:
        self.page_number = page_number
        self.width, self.height = width_pt, height_pt
        self.bbox = (0.0, 0.0, width_pt, height_pt)
        self.supported, self.rotated, self._directions = True, 0, []
        upright, self.skew = deskew(without_pale_marks(grey))
        self.image = upright
        self.lines = ruling_lines(upright, RENDER_DPI, shortest_line_in)
        # vertical lines from rule to rule: walls between cells (not the stroke of a big glyph)
        self.cell_walls = [v for v in self.lines if v[0] == "v" and walled(v, self.lines)]
        self.clean = upright.copy()  # without its ruling lines: patches read alone must not carry a border
        for _o, x0, y0, x1, y1 in self.lines:
            _cv2().line(self.clean, (x0, y0), (x1, y1), 255, 5)
        self.scale = width_pt / upright.shape[1]
        started = time.perf_counter()
        result, _ = _engine()(_rgb(upright), use_cls=False)  # type: ignore[misc]  # (deskewed: upright)
        result = [self._number_before_mark(self._slash_or_digit(r)) for box in result or [] for r in self._split_at_gaps(box)]
        STATS.pages += 1
        STATS.seconds += time.perf_counter() - started
        self.chars = _align_lines(self._chars(result + _as_detected(self._read_uncovered_ink(result), result)))
        self.edges: list[dict[str, Any]] = []
        s = self.scale
        for _orientation, x0, y0, x1, y1 in self.lines:
            self._add_edge((x0 * s, y0 * s), (x1 * s, y1 * s), self.edges)

    def _split_at_gaps(self, box: list) -> list[list]:
        """A detector box that spans several cells — of an unruled row ("1.本机关不掌握相关政府信息 0 0 0",
        where the recogniser then drops the far digits), or across a ruling line between two cells
        ("三、本年度办 │ （一）予以公开") — is cut at its wide blank gaps and at the ruling lines it
        crosses, and each piece read on its own."""
        quad, text, conf = box
        xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
        x0, x1, y0, y1 = max(min(xs), 0), max(xs) + 1, max(min(ys), 0), max(ys) + 1
        height = y1 - y0
        strip = self.clean[y0:y1, x0:x1] < INK_LEVEL
        middle = (y0 + y1) / 2
        rules = {lx - x0 for _o, lx, ly0, _lx, ly1 in self.cell_walls if x0 < lx < x1 - 1 and ly0 <= middle <= ly1}
        if strip.size == 0 or (x1 - x0 < 3 * height and not rules):
            return [box]
        inked = strip.any(axis=0)
        pieces, start, blank, ruled = [], None, 0, False
        for x, on in enumerate(inked):
            ruled = ruled or x in rules
            if on:
                if start is None:
                    start = x
                elif blank >= height * 1.2 or (ruled and blank):
                    pieces.append((start, x - blank))
                    start = x
                blank, ruled = 0, False
            elif start is not None:
                blank += 1
        if start is not None:
            pieces.append((start, len(inked) - blank))
        if len(pieces) < 2:
            return [box]
        out = []
        for a, b in pieces:
            piece_text, piece_conf = _recognise(self.clean[y0:y1, x0 + max(a - 4, 0): x0 + b + 4])
            if piece_text:
                out.append([[[x0 + a, y0], [x0 + b, y0], [x0 + b, y1], [x0 + a, y1]], piece_text, piece_conf])
        return out if "".join(t for _q, t, _c in out).replace(" ", "") else [box]

    def _slash_or_digit(self, box: list) -> list:
        """A lone "7" or "1" that is one slanted stroke is the table's blank mark "/" (a lone 二 that
        is one bar, "—"); a "/" that is not one (a "0" read as "/") is read again on its own, else
        left unread."""
        quad, text, _conf = box
        if text.strip() not in _BLANK_LOOKALIKES:
            return box
        xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
        patch = self.clean[max(min(ys), 0): max(ys) + 1, max(min(xs), 0): max(xs) + 1]
        return [quad, *_read_glyph(patch, text.strip(), _conf)]

    def _number_before_mark(self, box: list) -> list:
        """A box read as a footnote mark or unit alone ("①" where "0①" is printed) whose ink is
        several glyphs apart: the glyphs before the last (the mark) read again one by one; when
        they are digits the box is the number and its mark, else it stays as it was (a mark alone
        is no number: the cell stays unread). Its confidence is the lowest of the readings."""
        quad, text, conf = box
        if not lone_mark(text):
            return box
        xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
        x0, y0 = max(min(xs), 0), max(min(ys), 0)
        patch = self.clean[y0: max(ys) + 1, x0: max(xs) + 1]
        runs = ink_runs((patch < INK_LEVEL).any(axis=0), min_gap=3)
        if len(runs) < 2:
            return box
        # the last piece is the mark the box was read as (a circled digit alone reads as nothing much)
        read = [_recognise(patch[:, max(a - 3, 0): b + 3]) for a, b in runs[:-1]]
        number = "".join(t for t, _c in read)
        if not re.fullmatch(r"\d+", number):
            return box
        return [quad, number + text.strip(), min([conf, *(c for _t, c in read)])]

    def _read_uncovered_ink(self, result: list) -> list:
        """Ink the text detector left out (it misses lone digits: a "0" alone in a cell), each
        patch read on its own by the recogniser; a patch it cannot read becomes ``UNREAD`` — a
        token no cell accepts — so a printed number is never taken for a blank cell."""
        cv2 = _cv2()
        ink = (self.clean < INK_LEVEL).astype(np.uint8)  # ruling lines are not text
        h, w = ink.shape
        for quad, _text, _conf in result:
            xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
            ink[max(min(ys) - 3, 0): max(ys) + 4, max(min(xs) - 3, 0): max(xs) + 4] = 0
        # a patch: nearby strokes joined (a two-digit number, a character of several strokes)
        joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 5)))
        count, _labels, boxes, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        extra = []
        for x, y, bw, bh, _area in boxes[1:count]:
            if bh < 8 and flat_bar(ink[y: y + bh, x: x + bw].astype(bool), RENDER_DPI):
                extra.append(([[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]], "—", 0.9))  # (a shape, as blank_glyph)
                continue
            if bh < 8 or bw < 4 or int(ink[y: y + bh, x: x + bw].sum()) < MIN_INK_PIXELS or bh > h // 8:
                continue  # specks, and no text line is that tall
            patch = self.clean[max(y - 6, 0): y + bh + 6, max(x - 6, 0): x + bw + 6]
            text, conf = _recognise(patch)
            if not text:  # small glyphs read better larger
                text, conf = _recognise(_cv2().resize(patch, None, fx=2, fy=2, interpolation=_cv2().INTER_CUBIC))
            text, conf = _read_glyph(patch, text, conf)
            extra.append(([[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]], text, conf))
        return extra

    def _chars(self, result: list) -> list[dict[str, Any]]:
        chars: list[dict[str, Any]] = []
        s = self.scale
        for quad, text, conf in result:
            text = circles_in_years("".join(text.split()))
            if not text:
                continue
            if _DASH_ALONE.match(text):
                text = "—"  # a box holding only a dash: OCR reads the table's "—" as 一 or -
            elif _LONE_GLYPH.match(text):
                text, conf = UNREAD, 0.0  # a lone Latin letter where a table prints digits ("1" read as T): unread
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            x0, x1, top, bottom = min(xs) * s, max(xs) * s, min(ys) * s, max(ys) * s
            pieces = split_glued(text)
            weights = _weights("".join(pieces))
            gaps = GAP_PT * (len(pieces) - 1)
            unit = max(x1 - x0 - gaps, 1.0) / sum(weights)
            x, k = x0, 0
            for piece in pieces:
                for ch in piece:
                    wgt = weights[k]
                    k += 1
                    chars.append({"text": ch, "x0": x, "x1": x + wgt * unit, "top": top, "bottom": bottom, "doctop": top,
                                  "width": wgt * unit, "height": bottom - top, "upright": True, "object_type": "char",
                                  "confidence": float(conf)})
                    x += wgt * unit
                x += GAP_PT
        chars.sort(key=lambda ch: (round(ch["top"]), ch["x0"]))
        return chars

    def text(self) -> str:
        """The page's text in reading order: characters grouped into lines by their vertical middle."""
        lines: list[tuple[float, list[dict[str, Any]]]] = []
        for ch in sorted(self.chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
            middle = (ch["top"] + ch["bottom"]) / 2
            if lines and abs(middle - lines[-1][0]) < (ch["bottom"] - ch["top"]) * 0.5:
                lines[-1][1].append(ch)
            else:
                lines.append((middle, [ch]))
        out = []
        for _, line in lines:
            line.sort(key=lambda c: c["x0"])
            parts, last = [], None
            for ch in line:
                if last is not None and ch["x0"] - last > (ch["bottom"] - ch["top"]) * 0.6:
                    parts.append(" ")
                parts.append(ch["text"])
                last = ch["x1"]
            out.append("".join(parts))
        return "\n".join(out)

    def confidence(self, bbox: tuple[float, float, float, float]) -> float | None:
        """The lowest confidence of the characters inside a box (a cell), None when it holds none."""
        x0, top, x1, bottom = bbox
        inside = [c["confidence"] for c in self.chars
                  if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        return min(inside) if inside else None


def render_grey(pdf: pdfium.PdfDocument, index: int, dpi: int = RENDER_DPI) -> tuple[np.ndarray, float, float]:
    page = pdf[index]
    width, height = page.get_size()
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    return np.asarray(image), width, height


def ocr_pages(data: bytes, indices: list[int]) -> dict[int, OcrPage]:
    """OCR of the given 0-based pages of a PDF."""
    pdf = pdfium.PdfDocument(data)
    try:
        out = {}
        for i in indices:
            grey, width, height = render_grey(pdf, i)
            out[i] = OcrPage(grey, i + 1, width, height)
        return out
    finally:
        pdf.close()


COARSE_DPI = 100


def coarse_text(pdf: pdfium.PdfDocument, index: int) -> str:
    """A quick reading of a page at low resolution (enough to find a table's header words)."""
    grey, _w, _h = render_grey(pdf, index, COARSE_DPI)
    result, _ = _engine()(_rgb(grey), use_cls=False)  # type: ignore[misc]
    return "\n".join(text for _quad, text, _conf in result or [])

