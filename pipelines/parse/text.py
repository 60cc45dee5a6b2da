"""Plain-text reports: pastes with tab-separated cells (stray tabs included), crawler text with
'|' separators, and crawler text with one cell per line.

Lines with two or more cells are rows as they stand. Lines holding a single cell are crawler output
that lost its row structure; they are regrouped into rows: a label after a number starts a new row,
and so does a label the format knows as a row's own (a first data row printed straight after its
header cells). A '|' ending a line is a cell's terminator, not a separator before an empty cell.
"""

from __future__ import annotations

import re

from pipelines.parse import labels as lab
from pipelines.parse.base import ExtractedDocument, Grid, GridCell, ParseError
from pipelines.parse.decode import decode_bytes
from pipelines.parse.identify import title_lines
from pipelines.parse.normalize import clean_cell, normalise_label
from pipelines.parse.runs import read_run_together
from pipelines.parse.tokens import is_value_token

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_ORDINAL = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、]")


def split_cells(line: str) -> list[str]:
    if "\t" in line:
        return [clean_cell(c) for c in line.split("\t")]
    if "|" in line:
        body = line.strip()
        if _PIPE_ROW.match(line):  # markdown-like '| a | b |'
            body = body[1:-1]
        elif body.endswith("|"):  # crawler text with one cell a line, each ended by '|' ("4 |"): a terminator
            body = body[:-1]
        return [clean_cell(c) for c in body.split("|")]
    return [clean_cell(line)]


# Table 4's result headers: a bare 总计 after one is that proceeding's total column, not table 3's
# row （七）总计 — table 4's header, one cell a line, runs on into its row of numbers.
T4_RESULT_WORDS = ("结果维持", "结果纠正", "其他结果", "尚未审结")


def starts_row(label: str, previous: str = "") -> bool:
    """A label the format knows as a row's own (a table-2 or table-3 row, a table-3 group): in text
    that lost its row structure it begins a row, even straight after header cells."""
    if normalise_label(label) == "总计" and any(w in normalise_label(previous) for w in T4_RESULT_WORDS):
        return False
    if lab.t3_row_code(label, None) or lab.t2_row_code(label) or lab.t3_group_code(label):
        return True
    # a misprinted row label (本新收 for 本年新收) begins its row too — only one printed with the
    # ordinal a row label starts with, so no header word is taken for one
    return bool(_ORDINAL.match(label.strip()) and (lab.nearest_t3_row(label) or lab.nearest_t2_row(label)))


def lines_to_grid(lines: list[str], index: int = 0, first_line: int = 0) -> Grid:
    grid = Grid(index=index)
    pending: list[GridCell] = []
    pending_has_value = False

    def flush() -> None:
        nonlocal pending, pending_has_value
        if pending:
            if len(pending) > 1:
                grid.regrouped.add(len(grid.rows))
            grid.rows.append(pending)
        pending, pending_has_value = [], False

    for line_no, line in enumerate(lines):
        cells = split_cells(line)
        filled = [c for c in cells if c]
        if len(filled) >= 2 or (len(filled) == 1 and len(cells) > 1 and not is_value_token(filled[0])):
            flush()
            grid.rows.append([GridCell(t, first_line + line_no, i) for i, t in enumerate(cells)])
            continue
        if not filled:
            continue
        token = filled[0]
        value = is_value_token(token)
        heading = not value and lab.section_code(token) is not None
        if not value and (pending_has_value or heading or (pending and starts_row(token, pending[-1].text))):
            flush()
        pending.append(GridCell(token, first_line + line_no, len(pending)))
        pending_has_value = pending_has_value or value
        if heading:  # a section heading is a row of its own: the header cells after it are the table's
            flush()
    flush()
    return grid


class TextParser:
    media_type = "text"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        text, encoding = decode_bytes(data, name, declared_charset)
        if not text.strip():
            raise ParseError("empty_document", "the document is empty", name)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        titles = [clean_cell(x) for x in lines if x.strip()][:10]
        starts = report_starts(lines)
        joined = "\n".join(lines)
        run_together = read_run_together(joined)
        if run_together is not None:  # crawler text whose table cells ran together (no separators)
            return ExtractedDocument("text", titles, joined, run_together.grids, encoding,
                                     issues=run_together.issues, raw_tokens=run_together.raw)
        grids = [lines_to_grid(lines[a:b], k, a) for k, (a, b) in enumerate(zip(starts, [*starts[1:], len(lines)], strict=True))]
        return ExtractedDocument("text", titles, joined, grids, encoding, grid_lines=starts)


def report_starts(lines: list[str]) -> list[int]:
    """Where the rows of one report end and the next report's begin: at each title line of a new
    agency-year, when the text holds two or more (a collection pasted as text). A text has no table
    boundaries of its own, so without this cut one report's rows would run on into the next's."""
    titles = title_lines(lines)
    if len({(t[2], t[3]) for t in titles}) < 2:
        return [0]
    starts, last = [0], None
    for first, _span, agency, year, _title in titles:
        if (agency, year) != last and first > 0:
            starts.append(first)
        last = (agency, year)
    return starts
