"""Tables without ruling lines, read from word positions.

Word/WPS tables with borders switched off leave pdfplumber's line-based table finder nothing to
find. Here a page's words are grouped into lines; runs of lines between headings and captions are
one table segment; the x-ranges of the segment's value words (numbers, '/', '—') overlap into
column bands. A line with values becomes a row: one cell per band, empty where the band has no
word (a printed blank). Label words (left of the first band) form label cells per x column — a
wrapped label is one cell — and each label cell joins the row whose values lie within its vertical
span, wherever in the label the values are printed. Label cells beside no values and lines of
header words stay rows of labels, so the shared cell step sees the same context as in a ruled table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipelines.parse import labels as lab
from pipelines.parse.base import Grid, GridCell
from pipelines.parse.normalize import clean_cell, normalise_label
from pipelines.parse.tokens import parse_token
from schemas import format as fmt
from schemas import labels as L

# A page number: one to three digits. A bare year ("2023", a signature date's digits drawn as a run of
# their own) or a four-digit value on a line is no page number.
PAGE_FOOTER = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$")
# Page furniture printed on every page, never a table row: "第 2 页 共 5 页", "共5页 第2页". (Not "2/5":
# with its spaces gone a row of values and blank marks — "0 / 0 0" — reads the same.)
RUNNING_FOOTER = re.compile(r"^(?:第\d+页(?:[,，/]?共\d+页)?|共\d+页[,，]?第\d+页)$")
# A signature's date under the last table ("2023 年 1 月 11 日"): the table has ended above it.
SIGNATURE_DATE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2})$")
LINE_TOLERANCE = 3.0  # pt: words whose tops differ by less are on one line
BAND_GAP = 2.0  # pt: value words closer than this horizontally share a column band
LEAF_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
# The headers of single value columns in tables 2 and 4: a column keeps its place from its header
# even where no row prints a value in it (blanks printed as nothing).
COLUMN_HEADERS = LEAF_HEADERS + ("结果维持", "结果纠正", "其他结果", "尚未审结") + tuple(
    dict.fromkeys(c.label for f in ("2021", "2019") for b in fmt.t2_blocks(f) for c in b.columns))
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
        ln.words = _join_letter_spaced(sorted(ln.words, key=lambda w: w["x0"]))
    return lines


# A label printed letter-spaced ("行 政 许 可", "1 . 属 于 国 家 秘 密") comes out one word per glyph:
# in a narrow column each glyph would start a label column of its own and the ordinal's digit would
# read as a value. Glyphs closer than this share of their height (a space of the font, about a third
# of an em; cells are set apart by their padding on both sides, wider) are one word again.
LETTER_SPACING = 0.4
ORDINAL_MARKS = ".．、"


def _join_letter_spaced(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join the words of one line that are one label spaced out. Never a value to its neighbour, except an
    ordinal's number to its mark ("1" + "." is "1."): numbers in neighbouring columns stay apart."""
    out: list[dict[str, Any]] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and _spaced_apart(prev, w):
            out[-1] = {**prev, "text": prev["text"] + w["text"], "x1": max(prev["x1"], w["x1"]),
                       "top": min(prev["top"], w["top"]), "bottom": max(prev["bottom"], w["bottom"])}
        else:
            out.append(w)
    return out


def _spaced_apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
    height = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
    if height <= 0 or not 0 <= b["x0"] - a["x1"] < LETTER_SPACING * height:
        return False
    if _value_mark(b["text"]):
        return False
    return not _value_mark(a["text"]) or b["text"][0] in ORDINAL_MARKS


def _value_mark(text: str) -> bool:
    """A number or a blank mark ('—', '/'); a glyph such as 无 reads as a value too, but spaced out it is a
    label's (（四）无法提供 as "） 无")."""
    return parse_token(text) is not None and not CJK.search(text)


CJK = re.compile(r"[\u4e00-\u9fff]")


def furniture_key(text: str) -> str:
    """A line as page furniture compares: no spaces, every number alike (page numbers differ)."""
    return re.sub(r"\d+", "#", re.sub(r"\s", "", text))


EDGE_LINES = 3  # running headers and footers are among a page's first or last lines of text


def _table_line(line: str) -> bool:
    """A row of a table (a row of the format with its numbers, or three numbers or more): reports of a
    collection print the same rows at the same page edges, and they are never page furniture."""
    words = line.split()
    label = re.split(r"\s*[-−]?\d", line.strip(), maxsplit=1)[0]
    return sum(bool(re.fullmatch(r"[-−]?[\d.,]+", w)) for w in words) >= 3 or bool(
        label and lab.names_format_row(label))


def running_lines(texts: list[str], numbered: bool = True) -> frozenset[str]:
    """Lines printed at the top or bottom of half the pages or more (two at least): with numbers in them a running
    header ("某局 2022 年政府信息公开工作年度报告") or footer ("第 N 页 共 M 页"), whose numbers (the
    year, the page) are no table's values and whose header is no second report's title. Lines
    without digits (``numbered=False`` adds them) are a watermark's text as often as a table header
    repeated on each page: they are kept out of the title, never out of a table."""
    seen: dict[str, int] = {}
    for text in texts:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        edges = [ln for ln in lines[:EDGE_LINES] + lines[-EDGE_LINES:] if not _table_line(ln)]
        for key in {furniture_key(ln) for ln in edges}:
            if ("#" in key or not numbered) and re.search(r"[\u4e00-\u9fff]", key):
                seen[key] = seen.get(key, 0) + 1
    # on at least half the pages: a report's title at the top of its first page and in a collection's
    # contents is printed twice, and is no running header
    return frozenset(k for k, n in seen.items() if n >= max(2, (len(texts) + 1) // 2))


def is_furniture(text: str, running: frozenset[str] = frozenset()) -> bool:
    return bool(RUNNING_FOOTER.match(re.sub(r"\s", "", text))) or furniture_key(text) in running


def _breaks_segment(line: _Line) -> bool:
    text = line.text
    return bool(lab.section_code(text) or lab.t2_caption_block(text))


_COLUMN_HEADER_SET = frozenset(normalise_label(h) for h in COLUMN_HEADERS)


def _leaf_header(text: str) -> bool:
    """A leaf column header, or its first line when it wraps in a narrow column ("社会公益组" / "织",
    "结果" / "维持")."""
    n = normalise_label(text)
    # (two characters only as table 4's four-character headers wrap: 本年 also starts a wrapped label)
    return n in _COLUMN_HEADER_SET or (len(n) >= 3 and any(h.startswith(n) for h in _COLUMN_HEADER_SET)) or n in _T4_HALVES


_T4_HALVES = frozenset(h[:2] for h in ("结果维持", "结果纠正", "其他结果", "尚未审结"))


def _bands(lines: list[_Line], carried: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Column bands: x-ranges of value words, plus leaf header words (a column that is blank in
    every row still has its header). When every band fits a band of the table continued from the
    previous page, that table's bands are kept, so a page of mostly blank cells keeps its columns."""
    spans = [(w["x0"], w["x1"]) for ln in lines for w in ln.values()]
    spans += [(w["x0"], w["x1"]) for ln in lines if not ln.values() for w in ln.words if _leaf_header(w["text"])
              and not _in_label_column(w, lines)]
    bands: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if bands and x0 <= bands[-1][1] + BAND_GAP:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    found = [(a, b) for a, b in bands]

    def overlaps(a: float, b: float, ca: float, cb: float) -> bool:
        return a < cb + BAND_GAP and b > ca - BAND_GAP

    # (one to one: two columns of this page inside one carried column would be read as one cell)
    if carried and found and all(any(overlaps(a, b, ca, cb) for ca, cb in carried) for a, b in found) \
            and all(sum(overlaps(a, b, ca, cb) for a, b in found) <= 1 for ca, cb in carried):
        return carried
    return found


def _in_label_column(word: dict[str, Any], lines: list[_Line]) -> bool:
    """A word under or over a row label of a line with values: in the column of row labels, where
    table 4 printed as a list (or turned) has its results (尚未审结 alone: its value printed blank)."""
    for ln in lines:
        if (values := ln.values()) and any(w["x0"] < word["x1"] and w["x1"] > word["x0"] and w["x1"] <= values[0]["x0"]
                                           for w in ln.words if parse_token(w["text"]) is None):
            return True
    return False


@dataclass
class _Block:
    """One label cell's text: consecutive lines of label words in one label column."""

    x0: float
    words: list[dict[str, Any]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.words[0]["top"]

    @property
    def bottom(self) -> float:
        return self.words[-1]["bottom"]

    @property
    def text(self) -> str:
        return clean_cell("".join(w["text"] for w in self.words))


# An ordinal with its mark (一、 （三） 2. 2、): "三类内部事务信息" wrapped onto a line starts with 三 too.
ORDINAL = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[.、．](?!\d))")


def _starts_label(text: str) -> bool:
    """A word that begins a label of its own: an ordinal (一、 （三） 2.), a heading or a caption."""
    return bool(ORDINAL.match(text) or lab.section_code(text) or lab.t2_caption_block(text)) or t4_list_label(text)


def t4_list_label(text: str) -> bool:
    """A whole label of table 4 printed as a list, one under another at the row pitch: a result
    (结果维持 …) or one proceeding (行政复议, 行政诉讼（复议后起诉） printed on every row). Never with an
    ordinal: "2.其他" is the first line of table 3's 2.其他法律行政法规禁止公开."""
    if ORDINAL.match(text):
        return False
    match = lab.t4_result(text)
    return (match is not None and match.nearest is None) or lab.t4_single_proceeding([text]) is not None


HEADER_VOCABULARY = L.T2_HEADERS_ANY + L.T2_HEADERS_2019 + L.T2_HEADERS_2021 + L.T3_HEADER_WORDS + L.T4_HEADER_WORDS
HEADER_SET = frozenset(normalise_label(w) for w in HEADER_VOCABULARY + LEAF_HEADERS)


def _complete(text: str) -> bool:
    """Label text that is a whole cell already: a header word or a (short, never wrapped) table-2
    row label. The next line in its column starts a new cell even at the same line pitch."""
    return normalise_label(text) in HEADER_SET or bool(lab.t2_row_code(text)) or t4_list_label(text)


def _label_blocks(words: list[dict[str, Any]]) -> list[_Block]:
    """Label words → label cells. Words starting at the same x (±6 pt) are one column; in a column a
    new cell starts at an ordinal or where the gap to the line above is clearly wider than the gap
    between the wrapped lines of one cell (cell padding, the space between rows)."""
    columns: dict[float, list[dict[str, Any]]] = {}
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        key = next((k for k in columns if abs(k - w["x0"]) <= 6), w["x0"])
        columns.setdefault(key, []).append(w)
    blocks: list[_Block] = []
    for x0, col in columns.items():
        gaps = [b["top"] - a["bottom"] for a, b in zip(col, col[1:], strict=False) if b["top"] - a["bottom"] > -1]
        line_gap = min(gaps) if gaps else 0.0
        current: _Block | None = None
        for w in col:
            if current is not None and abs(w["top"] - current.words[-1]["top"]) < LINE_TOLERANCE:
                current.words.append(w)  # the same line (a label split into two words)
                continue
            gap = w["top"] - current.bottom if current is not None else None
            if (current is None or _starts_label(w["text"]) or _complete(current.text) or gap is None
                    or gap > max(line_gap * 1.6, line_gap + 3)):
                current = _Block(x0)
                blocks.append(current)
            current.words.append(w)
    return blocks


def _segment_to_rows(lines: list[_Line], page_no: int, bands: list[tuple[float, float]]) -> list[list[GridCell]]:
    """Rows from value lines: each line with values is a row; each label cell is given to the row
    whose values fall inside its vertical span (values printed at the top, middle or bottom of a
    wrapped label), or else to the nearest row below it; label cells beside no values (headers,
    captions) stay rows of their own, in reading order."""
    value_left = bands[0][0] - BAND_GAP
    value_lines = [ln for ln in lines if any(parse_token(w["text"]) is not None for w in ln.words if w["x1"] > value_left)]
    label_words = [w for ln in lines for w in ln.words if w["x1"] <= value_left]
    value_lines, lifted = _lift_wrapped_numbers(value_lines, value_left, bands)
    value_lines, absorbed = _join_split_rows(value_lines, _label_blocks(label_words), value_left, bands)
    absorbed |= lifted
    anchors = [(min(w["top"] for w in ln.words if w["x1"] > value_left),
                max(w["bottom"] for w in ln.words if w["x1"] > value_left)) for ln in value_lines]
    own: dict[int, list[_Block]] = {i: [] for i in range(len(value_lines))}
    loose: list[tuple[float, list[GridCell]]] = []
    for block in _label_blocks(label_words):
        inside = [i for i, (a, b) in enumerate(anchors) if block.top - LINE_TOLERANCE <= (a + b) / 2 <= block.bottom + LINE_TOLERANCE]
        if inside:
            row_blocks = own[inside[0]]  # a merged label over several rows belongs to its first row
            same_column = next((b for b in row_blocks if abs(b.x0 - block.x0) <= 6), None)
            if same_column is not None:
                same_column.words += block.words  # one cell cut in two (a wrapped line that reads as a label)
            else:
                row_blocks.append(block)
        else:
            cell = GridCell(block.text, 0, 0, page=page_no, bbox=_block_bbox(block))
            same_line = next((row for top, row in loose if abs(top - block.top) < LINE_TOLERANCE), None)
            if same_line is not None:  # label cells side by side with no values: one row
                same_line.append(cell)
                same_line.sort(key=lambda c: c.bbox[0])
            else:
                loose.append((block.top, [cell]))
    for _top, row in loose:
        leaf = row[-1].text
        if lab.t2_row_code(leaf) or lab.nearest_t2_row(leaf) or (
                ORDINAL.match(leaf) and (lab.t3_row_code(leaf, None) or lab.nearest_t3_row(leaf))) or (
                not ORDINAL.match(leaf) and lab.t4_result(leaf)):  # (table 4 as a list or turned: 结果纠正 | )
            # a row of the format with nothing printed in any column: its cells are blanks, in place
            # (a table-3 label starts with its ordinal: the rest of a label cut by a page break does not)
            row += [GridCell("", 0, 0, page=page_no) for _ in bands]
    ordered: list[tuple[float, list[GridCell]]] = list(loose)
    in_band: list[tuple[int, GridCell, float]] = []  # (band, value cell, bottom) — for values wrapped in their cell
    for i, ln in enumerate(value_lines):
        row = [GridCell(b.text, 0, 0, page=page_no, bbox=_block_bbox(b)) for b in sorted(own[i], key=lambda b: b.x0)]
        value_words = [w for w in ln.words if w["x1"] > value_left]
        for k, (b0, b1) in enumerate(bands):
            inside = [w for w in value_words if w["x0"] < b1 + BAND_GAP and w["x1"] > b0 - BAND_GAP]
            # a unit set apart from its number ("7365447.92 元", justified) belongs to the band on its left
            inside += [w for w in value_words if _UNIT.match(w["text"]) and w not in inside and w["x0"] >= b1
                       and (k + 1 == len(bands) or w["x1"] <= bands[k + 1][0] - BAND_GAP)]
            with_unit = len(inside) == 2 and _UNIT.match(inside[-1]["text"]) is not None
            bbox = _bbox(inside[0]) if len(inside) == 1 else _union(inside) if with_unit else None
            text = ("" if with_unit else " ").join(w["text"] for w in inside)
            cell = GridCell(clean_cell(text), 0, 0, page=page_no, bbox=bbox)
            row.append(cell)
            if inside:
                in_band.append((k, cell, max(w["bottom"] for w in inside)))
        ordered.append((min([anchors[i][0], *(b.top for b in own[i])]), row))
    # header lines: words in the value area on lines without values (a unit wrapped under its
    # number — "73802895.90" / "元" in a narrow column — goes back to its cell)
    for ln in lines:
        if ln not in value_lines and id(ln) not in absorbed:
            words = [w for w in ln.words if w["x1"] > value_left and not _wrapped_unit(w, bands, in_band)]
            if words:
                ordered.append((ln.top, [GridCell(clean_cell(w["text"]), 0, 0, page=page_no, bbox=_bbox(w)) for w in words]))
    rows: list[list[GridCell]] = []
    for _top, row in sorted(ordered, key=lambda item: item[0]):
        for c, cell in enumerate(row):
            cell.row, cell.col = len(rows), c
        rows.append(row)
    # Judged after wrapped labels are joined: numbers in running text are not table rows. The last
    # row stays even unrecognised: its label may go on over the page break.
    return [row for k, row in enumerate(rows) if _plausible_row(row) or (k == len(rows) - 1 and _labelled_values(row))]


def _bands_of(line: _Line, value_left: float, bands: list[tuple[float, float]]) -> set[int]:
    return {k for w in line.words if w["x1"] > value_left
            for k, (b0, b1) in enumerate(bands) if w["x0"] < b1 + BAND_GAP and w["x1"] > b0 - BAND_GAP}


def _join_split_rows(value_lines: list[_Line], blocks: list[_Block], value_left: float,
                     bands: list[tuple[float, float]]) -> tuple[list[_Line], set[int]]:
    """One row's values printed at different heights beside its wrapped label (cells aligned
    top in some columns, centred in others): value lines whose only label cell is the same wrapped
    label, filling disjoint columns, are one row. Lines that fill a column twice stay rows of their
    own (a merged group label spans rows that each print every column); so do lines beside
    different leaf labels. Returns the lines and the ids of those joined into another."""
    if len(value_lines) < 2 or not blocks:
        return value_lines, set()

    def leaf(ln: _Line) -> _Block | None:
        mid = (ln.top + max(w["bottom"] for w in ln.words)) / 2
        holding = [b for b in blocks if b.top - LINE_TOLERANCE <= mid <= b.bottom + LINE_TOLERANCE]
        return max(holding, key=lambda b: b.x0) if holding else None

    out: list[_Line] = []
    absorbed: set[int] = set()
    held: tuple[_Block, _Line, set[int]] | None = None
    for ln in value_lines:
        block, cols = leaf(ln), _bands_of(ln, value_left, bands)
        if held is not None and block is not None and block is held[0] and len(block.words) > 1 \
                and cols and not (cols & held[2]):
            joined = _Line(held[1].top, sorted(held[1].words + ln.words, key=lambda w: w["x0"]))
            absorbed |= {id(held[1]), id(ln)}
            out[-1] = joined
            held = (block, joined, held[2] | cols)
            continue
        out.append(ln)
        held = (block, ln, cols) if block is not None else None
    return out, absorbed


_UNIT = re.compile(r"^(?:元|万元)$")


def _tail_only(text: str) -> bool:
    """A cell's tail printed apart from its number: a footnote mark (注, ※, ①) or a unit (个, 元) alone."""
    if parse_token(text) is not None:
        return False
    tok = parse_token("0" + text)
    return tok is not None and bool(tok.marks or tok.unit)


def _band_of(word: dict[str, Any], bands: list[tuple[float, float]]) -> int | None:
    return next((k for k, (b0, b1) in enumerate(bands) if word["x0"] < b1 + BAND_GAP and word["x1"] > b0 - BAND_GAP), None)


def _lift_wrapped_numbers(value_lines: list[_Line], value_left: float,
                          bands: list[tuple[float, float]]) -> tuple[list[_Line], set[int]]:
    """A narrow cell aligned to the bottom whose number and mark wrapped ("8" / "注"): the number sits a
    line above its row, the mark on the row's line with the other cells. A line of nothing but numbers,
    each right above a mark or unit alone in the same column of the next line, is that row's. Returns
    the lines and the ids of those joined."""
    out: list[_Line] = []
    joined: set[int] = set()
    for ln in value_lines:
        above = out[-1] if out else None
        if above is not None and all(w["x1"] > value_left and parse_token(w["text"]) is not None for w in above.words):
            tails = {_band_of(w, bands) for w in ln.words if w["x1"] > value_left and _tail_only(w["text"])}
            numbers = [_band_of(w, bands) for w in above.words]
            height = max(w["bottom"] - w["top"] for w in above.words)
            gap = ln.top - max(w["bottom"] for w in above.words)
            if None not in numbers and len(set(numbers)) == len(numbers) and set(numbers) <= tails and -1 < gap < height:
                # (in a column the number above first, then its line's own words left to right)
                lifted = {id(w) for w in above.words}
                words = sorted(above.words + ln.words, key=lambda w: (w["x1"] > value_left, _band_of(w, bands) or 0,
                                                                       id(w) not in lifted, w["x0"]))
                joined |= {id(above), id(ln)}
                out[-1] = _Line(ln.top, words)
                continue
        out.append(ln)
    return out, joined
MIN_MARKS_ROW = 3  # blank marks that make a row of blanks (as _plausible_row counts them)


def _wrapped_unit(word: dict[str, Any], bands: list[tuple[float, float]], in_band: list[tuple[int, GridCell, float]]) -> bool:
    """Append a unit or footnote mark printed on the line under its number (same column, right below)
    to that cell."""
    if not _tail_only(word["text"]):
        return False
    band = _band_of(word, bands)
    height = word["bottom"] - word["top"]
    above = [(bottom, cell) for k, cell, bottom in in_band if k == band and 0 <= word["top"] - bottom < height * 1.2]
    if not above:
        return False
    max(above, key=lambda item: item[0])[1].text += word["text"]
    return True


def _union(words: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    return (round(min(w["x0"] for w in words), 1), round(min(w["top"] for w in words), 1),
            round(max(w["x1"] for w in words), 1), round(max(w["bottom"] for w in words), 1))


def _labelled_values(row: list[GridCell]) -> bool:
    """A label with a value, or with blank marks in three columns or more (a row printed as nothing
    but — or /: its label cut by the page break reads as no row of the format yet)."""
    tokens = [parse_token(c.text) for c in row]
    return any(t is None for t in tokens) and (any(t is not None and not t.blank for t in tokens)
                                               or sum(1 for t in tokens if t is not None) >= MIN_MARKS_ROW)


def _block_bbox(block: _Block) -> tuple[float, float, float, float]:
    return (round(min(w["x0"] for w in block.words), 1), round(block.top, 1),
            round(max(w["x1"] for w in block.words), 1), round(block.bottom, 1))


def _plausible_row(row: list[GridCell]) -> bool:
    """A row of a report table: no values (context), a label of the format, or several values."""
    tokens = [parse_token(c.text) for c in row]
    if sum(1 for t in tokens if t is not None and not t.blank) >= 3 or all(t is None for t in tokens):
        return True
    if None not in tokens and sum(1 for c in row if c.text.strip()) >= 3:
        return True  # nothing but blank marks (— — / …): a row of blanks, as table 4's one row can be
    labels = [c.text for c, t in zip(row, tokens, strict=True) if t is None]
    leaf = labels[-1] if labels else ""
    # (as the last group's "3.其他", the one label that needs its group to be known; a misprinted label
    # clearly nearest one row of the format is a row too — the cell step warns of it)
    # (or a result of table 4 printed as a list: 结果维持 | 0)
    return bool(leaf and (lab.names_format_row(leaf, "3.3.6") or lab.t4_result(leaf)))


def _bbox(w: dict[str, Any]) -> tuple[float, float, float, float]:
    return (round(w["x0"], 1), round(w["top"], 1), round(w["x1"], 1), round(w["bottom"], 1))


MARGIN_SHARE = 0.06  # a bare page number sits in the top or bottom 6 % of the page (a table can start at 7 %)


def _is_page_number(line: _Line, page: Any) -> bool:
    """A page number ("— 3 —", "3"): at most three words, in the top or bottom margin or centred
    with dashes. A table row of blanks and one number ("— — — 0") is not one."""
    text = " ".join(w["text"] for w in line.words)
    if len(line.words) > 3 or not PAGE_FOOTER.match(text):
        return False
    height, width = getattr(page, "height", None), getattr(page, "width", None)
    if not height or not width:
        return True
    in_margin = line.top > height * (1 - MARGIN_SHARE) or line.words[-1]["bottom"] < height * MARGIN_SHARE
    middle = (line.words[0]["x0"] + line.words[-1]["x1"]) / 2
    return in_margin or (bool(re.search(r"[-—–]", text)) and abs(middle - width / 2) < width * 0.1)


MIN_HEADER_WORDS = 2  # words that are whole header words ("行政复议", "行政诉讼"): a header, not a sentence


def _header_only(segment: list[_Line]) -> bool:
    """Lines of column headers only (no values): at least two words that are header words."""
    if any(ln.values() for ln in segment):
        return False
    return sum(normalise_label(w["text"]) in HEADER_SET for ln in segment for w in ln.words) >= MIN_HEADER_WORDS


def _part_caption(line: _Line) -> bool:
    """A line naming one proceeding of table 4 and nothing else: 行政诉讼（复议后起诉）."""
    return len(line.words) == 1 and not line.values() and bool(lab.t4_parts([line.text]) - {"L"})


def _last_part_caption(segment: list[_Line]) -> int | None:
    """Where the segment's last proceeding caption stands, when nothing below it prints a value
    (the lines below are its sub-table's header): None when there is none."""
    for k in range(len(segment) - 1, -1, -1):
        if segment[k].values():
            return None
        if _part_caption(segment[k]):
            return k
    return None


def page_has_table_text(text: str) -> bool:
    return any(m in text for m in TABLE_MARKERS)


def word_grids(page: Any, page_no: int, first_index: int, carried: list[tuple[float, float]] | None = None,
               running: frozenset[str] = frozenset()) -> tuple[list[Grid], list[tuple[float, float]]]:
    """Grids for one page read from word positions (used where no ruled table was found), and the
    column bands of its last table (for a table that goes on over the next page). Page furniture
    (``running`` lines, page numbers) is skipped; a signature's date ends the table above it."""
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
        elif segment and carried and not grids:
            # the top of a page continuing a table, before a caption: the rest of a label cut by the
            # page break ("其他对外管理服务事" / "项") — kept for joining to the row above
            grids.append(Grid(first_index, [[GridCell(clean_cell(w["text"]), r, c, page=page_no, bbox=_bbox(w))
                                              for c, w in enumerate(ln.words)] for r, ln in enumerate(segment)]))
        elif _header_only(segment):
            # a table's header rows at the foot of a page, its numbers on the next: kept, since the
            # header says which column is which; its columns go on to the next page, where a column
            # blank in every row has no value to place it
            if found and len(found) > 1:
                bands = found
            grids.append(Grid(first_index + len(grids), [[GridCell(clean_cell(w["text"]), r, c, page=page_no, bbox=_bbox(w))
                                                          for c, w in enumerate(ln.words)] for r, ln in enumerate(segment)]))
        elif (k := _last_part_caption(segment)) is not None:
            # a table-4 proceeding's caption at the foot of a page (with its list's header line under
            # it, 办理结果 | 数量), its rows on the next: kept, since it says whose numbers follow
            grids.append(Grid(first_index + len(grids), [[GridCell(clean_cell(w["text"]), r, c, page=page_no, bbox=_bbox(w))
                                                          for c, w in enumerate(ln.words)]
                                                         for r, ln in enumerate(segment[k:])]))
        segment.clear()

    for ln in lines:
        if _is_page_number(ln, page) or is_furniture(ln.text, running):
            continue  # "— 3 —" in the margin, 第 2 页 共 5 页, a running header; a lone "0" in a row is a value
        if SIGNATURE_DATE.match(ln.text):
            flush()  # the table's extent ends above the signature: its date is no row of values
            bands = []
            continue
        if _breaks_segment(ln):
            flush()
            bands = []  # a new table starts after a heading or caption
            grids.append(Grid(first_index + len(grids), [[GridCell(clean_cell(ln.text), 0, 0, page=page_no)]]))
            continue
        segment.append(ln)
    flush()
    return grids, bands
