"""HTML reports: Word-exported pages (mso markup, &nbsp;, spans around digits), CMS pages, any
charset. Tables become grids with rowspan/colspan laid out; the page text keeps block breaks."""

from __future__ import annotations

import re
from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.parse.base import ExtractedDocument, Grid, GridCell, ParseError
from pipelines.parse.decode import decode_bytes
from pipelines.parse.html_divs import div_rows, may_declare_rows, rows_to_grid
from pipelines.parse.normalize import clean_cell
from pipelines.parse.pictures import (
    MAX_PICTURES,
    Picture,
    PictureSource,
    holds_report_tables,
    may_be_table,
    read_pictures,
)
from pipelines.parse.stated import page_meta

_BLOCK_END = re.compile(r"(?i)(<br\s*/?>|</p>|</div>|</tr>|</h[1-6]>|</li>|</table>|</title>)")
_CELL_END = re.compile(r"(?i)(</td>|</th>)")
_TITLE_SPLIT = re.compile(r"[_｜|]|\s-\s")
_TABLE_TAG = re.compile(r"<\s*(/?)\s*table\b", re.I)
_PAGE_END = re.compile(r"<\s*/\s*(?:body|html)\s*>", re.I)


def _span(node: LexborNode, attr: str) -> int:
    raw = (node.attributes.get(attr) or "1").strip()
    m = re.match(r"\d+", raw)
    return max(1, min(int(m.group(0)), 200)) if m else 1


def table_to_grid(table: LexborNode, index: int) -> Grid:
    """Lay out a <table>'s cells on a grid: each cell gets its first column after the cells that
    span down into its row from above (the HTML table model)."""
    grid = Grid(index=index)
    occupied: dict[tuple[int, int], bool] = {}
    for r, tr in enumerate(table.css("tr")):
        row: list[GridCell] = []
        col = 0
        for td in tr.iter():
            if td.tag not in ("td", "th"):
                continue
            while occupied.get((r, col)):
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(rs):
                for dc in range(cs):
                    occupied[(r + dr, col + dc)] = True
            row.append(GridCell(clean_cell(td.text(deep=True, separator="")), r, col, rs, cs))
            col += cs
        grid.rows.append(row)
    return grid


def caption_before(table: LexborNode, max_up: int = 3) -> str:
    """The last line of text printed just above a table (its caption, e.g. 行政复议 over a sub-table
    of table 4): the nearest preceding sibling with text, climbing out of wrappers; '' when the
    nearest thing above is another table."""
    node: LexborNode | None = table
    for _ in range(max_up):
        if node is None:
            return ""
        sib = node.prev
        while sib is not None and not (sib.text(deep=True) or "").strip():
            sib = sib.prev
        if sib is not None:
            if sib.tag == "table" or sib.css_first("table") is not None:
                return ""
            lines = [clean_cell(x) for x in (sib.text(deep=True, separator="\n") or "").splitlines() if x.strip()]
            return lines[-1] if lines else ""
        node = node.parent
    return ""


def ends_inside_a_table(html: str) -> bool:
    """Whether the page stops inside a table: its last table tag opens one (the last table in
    the page, then a leaf table, is never closed) and no end of body or page follows (a page that
    merely forgets its ``</table>`` is not cut off)."""
    last = None
    for last in _TABLE_TAG.finditer(html):  # noqa: B007 - the last match is the answer
        pass
    return last is not None and not last.group(1) and not _PAGE_END.search(html, last.end())


def _leaf_tables(tree: LexborHTMLParser) -> list[LexborNode]:
    # Portals wrap content in layout tables; only innermost tables hold report data.
    # (lexbor's css() on a node includes the node itself, hence "== 1")
    return [t for t in tree.css("table") if len(t.css("table")) == 1]


def _picture_nodes(tree: LexborHTMLParser) -> list[tuple[LexborNode, str]]:
    """Every ``<img>`` that may show a table, with its source (lazy-loaded ones by ``data-src``)."""
    out = []
    for img in tree.css("img"):
        src = img.attributes.get("src") or img.attributes.get("data-src") or ""
        if may_be_table(src, img.attributes):
            out.append((img, src))
    return out


def _pictures(tree: LexborHTMLParser, grids: list[Grid], source: PictureSource) -> list[tuple[LexborNode, Picture]]:
    """The page's pictures that may be its tables, when its own tables do not hold the report
    (checked only on a page with pictures: the cells step costs more than the page's parse)."""
    nodes = _picture_nodes(tree)
    if not nodes or holds_report_tables(grids):
        return []
    found = [(img, picture) for img, src in nodes if (picture := source.get(src)) is not None]
    return found[:MAX_PICTURES]


def picture_sources(html: str) -> list[str]:
    """For the crawler: the ``src`` of every picture that may hold the report's tables, when the
    page's own tables do not (the same choice the parser makes)."""
    tree = LexborHTMLParser(html)
    nodes = _picture_nodes(tree)
    if not nodes or holds_report_tables([table_to_grid(t, i) for i, t in enumerate(_leaf_tables(tree))]):
        return []
    return [src for _img, src in nodes]


# A cheap test that a declared table holds table 3: a cell whose text is one of its labels (a portal's
# layout table has the whole page in one cell).
T3_MARKERS = ("本年新收", "申请人情况")
MAX_LABEL_CHARS = 60


def page_grids(tree: LexborHTMLParser, html: str) -> list[Grid]:
    """The page's tables in document order: its innermost ``<table>``s and the tables it draws with
    ``<div>``s (html_divs); rows found by shape alone only when nothing declared holds table 3."""
    tables = _leaf_tables(tree)
    grids = [table_to_grid(t, i) for i, t in enumerate(tables)]
    by_parent = div_rows(tree, structural=False) if may_declare_rows(html) else {}
    declared = grids + [rows_to_grid(rows, 0) for rows in by_parent.values()]
    if not any(len(c.text) <= MAX_LABEL_CHARS and any(m in c.text for m in T3_MARKERS)
               for g in declared for row in g.rows for c in row):
        by_parent = div_rows(tree, structural=True) or by_parent
    if not by_parent:
        for t, grid in zip(tables, grids, strict=True):
            grid.caption = caption_before(t)
        return grids
    sources: dict[int, LexborNode] = {t.mem_id: t for t in tables}
    sources.update({r.parent.mem_id: r.parent for rows in by_parent.values() for r in rows if r.parent is not None})
    ordered: list[Grid] = []
    for node in tree.root.traverse() if tree.root is not None else []:
        if node.mem_id in sources:
            grid = rows_to_grid(by_parent[node.mem_id], len(ordered)) if node.mem_id in by_parent \
                else table_to_grid(node, len(ordered))
            grid.caption = caption_before(node)
            ordered.append(grid)
    return ordered


class HtmlParser:
    media_type = "html"

    def extract(self, data: bytes, name: str, declared_charset: str | None = None,
                fetched: Mapping[str, str] | None = None) -> ExtractedDocument:
        """``fetched``: the page's pictures the crawler fetched with it (URL → archived file)."""
        html, encoding = decode_bytes(data, name, declared_charset)
        if not html.strip():
            raise ParseError("empty_document", "the document is empty", name)
        tree = LexborHTMLParser(html)
        site, published_at = page_meta(tree)
        grids = page_grids(tree, html)
        if grids and ends_inside_a_table(html):
            # A page cut off inside its last table (a truncated download): the row it stops in is
            # partial — cells the parser would read as blank, a number cut short — so it is not
            # read; its cells are then missing, which the cells step flags (cell_missing).
            grids[-1].rows = grids[-1].rows[:-1]
        pictures = _pictures(tree, grids, PictureSource(name, fetched or {}))
        ocr_pages = 0
        if pictures:
            grids, ocr_pages = _with_pictures(tree, grids, pictures, name), len(pictures)
            html = tree.html or html  # (each picture now stands as its text)
        grids = [g for g in grids if any(g.rows)]
        for i, g in enumerate(grids):
            g.index = i
        titles: list[str] = []
        title_node = tree.css_first("title")
        if title_node is not None:
            titles += [p.strip() for p in _TITLE_SPLIT.split(title_node.text()) if p.strip()]
        for sel in ("h1", "h2", "h3", ".title", "p"):
            titles += [clean_cell(n.text()) for n in tree.css(sel)[:5] if n.text(strip=True)]
        # Text with block breaks: mark block ends before parsing so spans inside a paragraph or a
        # number ('2' + '1') stay joined while paragraphs and rows stay apart.
        marked = _CELL_END.sub("\t\\1", _BLOCK_END.sub("\n\\1", html))
        body = LexborHTMLParser(marked).body
        for junk in body.css("script, style") if body is not None else []:
            junk.decompose()
        text = body.text(deep=True, separator="") if body is not None else ""
        text = "\n".join("\t".join(clean_cell(p) for p in line.split("\t")).strip("\t") for line in text.splitlines())
        doc = ExtractedDocument("html", titles, text, grids, encoding)
        doc.ocr_pages = ocr_pages
        doc.site, doc.published_at = site, published_at
        doc.metadata = page_metadata(tree)
        return doc


_MAX_META = 100


def page_metadata(tree: LexborHTMLParser) -> dict[str, str]:
    """The page's named <meta> tags (name → content): CMSs of government portals record the
    article's title (ArticleTitle), the site's owner (SiteName, SiteIDCode) and the column
    (ColumnName) there, also for reports whose printed title names no agency."""
    out: dict[str, str] = {}
    for node in tree.css("meta[name]")[:_MAX_META]:
        key, value = (node.attributes.get("name") or "").strip(), (node.attributes.get("content") or "").strip()
        if key and value:
            out.setdefault(key, clean_cell(value))
    return out


def _with_pictures(tree: LexborHTMLParser, grids: list[Grid], pictures: list[tuple[LexborNode, Picture]],
                   name: str) -> list[Grid]:
    """The page's grids and its pictures' grids in document order; each picture replaced in the
    tree by its text, so the page's text reads as printed."""
    reading = read_pictures([p for _, p in pictures], name)
    by_picture = reading.grids_of()
    tables = {t.mem_id: g for t, g in zip(_leaf_tables(tree), grids, strict=True)}
    images = {img.mem_id: k for k, (img, _) in enumerate(pictures)}
    ordered: list[Grid] = []
    for node in tree.css("table, img"):
        if node.mem_id in tables:
            ordered.append(tables[node.mem_id])
        elif node.mem_id in images:
            ordered += by_picture.get(images[node.mem_id], [])
    for k, (img, _) in enumerate(pictures):
        img.replace_with("\n" + reading.texts[k] + "\n")
    return ordered
