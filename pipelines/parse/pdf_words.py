"""Tables without ruling lines, read from word positions.

Word/WPS tables with borders switched off leave pdfplumber's line-based table finder nothing to
find. Here a page's words are grouped into lines; runs of lines between headings and captions are
one table segment; the x-ranges of the segment's value words (numbers, '/', '—') overlap into
column bands. A line with values becomes a row: its label words (left of the first band) and one
cell per band, empty where the band has no word (a printed blank). Label text wrapped onto the
following lines is appended to the label above it in the same label column. Lines of header words
become rows of labels, so the shared cell step sees the same context as in a ruled table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipelines.parse import labels as lab
from pipelines.parse.base import Grid, GridCell
from pipelines.parse.normalize import clean_cell, normalise_label
from pipelines.parse.tokens import parse_token

PAGE_FOOTER = re.compile(r"^[-—–\s]*\d+[-—–\s]*$")
LINE_TOLERANCE = 3.0  # pt: words whose tops differ by less are on one line
BAND_GAP = 2.0  # pt: value words closer than this horizontally share a column band
LEAF_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
TABLE_MARKERS = ("信息内容", "申请人情况", "自然人", "结果维持", "予以公开")


@dataclass
class _Line:
    top: float
    words: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(w["text"] for w in self.words)

    def values(self) -> list[dict[str, Any]]:
        return [w for w in self.words if parse_token(w["text"]) is not None]


def _lines(words: list[dict[str, Any]]) -> list[_Line]:
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1].top - w["top"]) < LINE_TOLERANCE:
            lines[-1].words.append(w)
        else:
            lines.append(_Line(w["top"], [w]))
    for ln in lines:
        ln.words.sort(key=lambda w: w["x0"])
    return lines


def _breaks_segment(line: _Line) -> bool:
    text = line.text
    return bool(lab.section_code(text) or lab.t2_caption_block(text))


def _bands(lines: list[_Line], carried: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Column bands: x-ranges of value words, plus leaf header words (a column that is blank in
    every row still has its header). When every band fits a band of the table continued from the
    previous page, that table's bands are kept, so a page of mostly blank cells keeps its columns."""
    spans = [(w["x0"], w["x1"]) for ln in lines for w in ln.values()]
    spans += [(w["x0"], w["x1"]) for ln in lines if not ln.values() for w in ln.words
              if normalise_label(w["text"]) in LEAF_HEADERS]
    bands: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if bands and x0 <= bands[-1][1] + BAND_GAP:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    found = [(a, b) for a, b in bands]
    if carried and found and all(any(a < cb + BAND_GAP and b > ca - BAND_GAP for ca, cb in carried) for a, b in found):
        return carried
    return found


def _segment_to_rows(lines: list[_Line], page_no: int, bands: list[tuple[float, float]]) -> list[list[GridCell]]:
    value_left = bands[0][0] - BAND_GAP
    rows: list[list[GridCell]] = []
    label_columns: dict[int, GridCell] = {}  # rounded x0 → latest label cell in that column
    for ln in lines:
        label_words = [w for w in ln.words if w["x1"] <= value_left]
        value_words = [w for w in ln.words if w["x1"] > value_left]
        has_values = any(parse_token(w["text"]) is not None for w in value_words)
        if not has_values and label_words and not value_words and rows:
            # wrapped label text: continue the label cell above in the same column
            for w in label_words:
                col = _nearest(label_columns, w["x0"])
                if col is not None:
                    col.text = clean_cell(col.text + w["text"])
            continue
        r = len(rows)
        row: list[GridCell] = []
        for w in label_words:
            cell = GridCell(clean_cell(w["text"]), r, len(row), page=page_no, bbox=_bbox(w))
            label_columns[round(w["x0"])] = cell
            row.append(cell)
        if has_values:
            for i, (b0, b1) in enumerate(bands):
                inside = [w for w in value_words if w["x0"] < b1 + BAND_GAP and w["x1"] > b0 - BAND_GAP]
                bbox = _bbox(inside[0]) if len(inside) == 1 else None
                row.append(GridCell(clean_cell(" ".join(w["text"] for w in inside)), r, len(label_words) + i,
                                    page=page_no, bbox=bbox))
        else:
            row += [GridCell(clean_cell(w["text"]), r, len(row) + i, page=page_no) for i, w in enumerate(value_words)]
        rows.append(row)
    # Judged after wrapped labels are joined: numbers in running text are not table rows.
    return [row for row in rows if _plausible_row(row)]


def _plausible_row(row: list[GridCell]) -> bool:
    """A row of a report table: no values (context), a label of the format, or several values."""
    tokens = [parse_token(c.text) for c in row]
    if sum(1 for t in tokens if t is not None and not t.blank) >= 3 or all(t is None for t in tokens):
        return True
    labels = [c.text for c, t in zip(row, tokens, strict=True) if t is None]
    leaf = labels[-1] if labels else ""
    return bool(leaf and (lab.t2_row_code(leaf) or lab.t3_row_code(leaf, None) or lab.t3_group_code(leaf)))


def _nearest(columns: dict[int, GridCell], x0: float) -> GridCell | None:
    near = [k for k in columns if abs(k - x0) <= 6]
    return columns[min(near, key=lambda k: abs(k - x0))] if near else None


def _bbox(w: dict[str, Any]) -> tuple[float, float, float, float]:
    return (round(w["x0"], 1), round(w["top"], 1), round(w["x1"], 1), round(w["bottom"], 1))


def page_has_table_text(text: str) -> bool:
    return any(m in text for m in TABLE_MARKERS)


def word_grids(page: Any, page_no: int, first_index: int,
               carried: list[tuple[float, float]] | None = None) -> tuple[list[Grid], list[tuple[float, float]]]:
    """Grids for one page read from word positions (used where no ruled table was found), and the
    column bands of its last table (for a table that goes on over the next page)."""
    lines = _lines(page.extract_words(x_tolerance=3, y_tolerance=2))
    grids: list[Grid] = []
    segment: list[_Line] = []
    bands = list(carried or [])

    def flush() -> None:
        nonlocal bands
        found = _bands(segment, bands)
        rows = _segment_to_rows(segment, page_no, found) if found else []
        if any(any(parse_token(c.text) is not None for c in row) for row in rows):
            grids.append(Grid(first_index + len(grids), rows))
            bands = found
        segment.clear()

    for ln in lines:
        if PAGE_FOOTER.match(" ".join(w["text"] for w in ln.words)):  # "— 3 —", not a row of digits
            continue
        if _breaks_segment(ln):
            flush()
            bands = []  # a new table starts after a heading or caption
            grids.append(Grid(first_index + len(grids), [[GridCell(clean_cell(ln.text), 0, 0, page=page_no)]]))
            continue
        segment.append(ln)
    flush()
    return grids, bands
