"""Tables drawn without <table>: the real HTML reports re-drawn with <div> rows and cells (CSS
classes, inline styles, ARIA roles, flex rows, rows known only by their repeated shape; cells
printed one <span> per character; inside a portal's layout table) give every cell of their truths."""

from __future__ import annotations

import random
import re

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.parse.report import parse_bytes
from pipelines.validate import validate
from tests.conftest import CORPUS, corpus_or_skip, truth

REAL_HTML = ["pingtan-2019", "pingtan-2020", "pingtan-2021", "pingtan-2022", "shanghai-office-2019"]
STYLES = ["css_class", "inline", "aria", "flex", "shape"]


def _cell_html(td: LexborNode, per_char: bool, style: str) -> str:
    text = td.text(deep=True, separator="")
    inner = "".join(f"<span>{ch}</span>" for ch in text) if per_char else text
    span = int(re.match(r"\d+", (td.attributes.get("colspan") or "1").strip() or "1").group())  # type: ignore[union-attr]
    attrs = {"css_class": 'class="td"', "inline": 'style="display:table-cell"', "aria": 'role="cell"',
             "flex": 'class="c"', "shape": 'class="c"'}[style]
    if span > 1:
        attrs += f' data-span="{span}"' if style != "inline" else ""
        if style == "inline":
            attrs = f'style="display:table-cell; grid-column: span {span}"'
    return f"<div {attrs}>{inner}</div>"


def redraw(page: str, style: str, per_char: bool, wrapped: bool) -> bytes:
    """The page with every <table> re-drawn as <div>s (written here, independent of the parser)."""
    tree = LexborHTMLParser(page)
    row_attr = {"css_class": 'class="tr"', "inline": 'style="display:table-row"', "aria": 'role="row"',
                "flex": 'style="display:flex"', "shape": 'class="line"'}[style]
    table_attr = {"aria": 'role="table"', "css_class": 'class="t"'}.get(style, 'class="box"')
    for table in tree.css("table"):
        if table.css_first("table") is not table and len(table.css("table")) > 1:
            continue  # an outer layout table: re-drawn when its inner tables are
        rows = "".join(f"<div {row_attr}>" + "".join(_cell_html(td, per_char, style) for td in tr.iter()
                                                      if td.tag in ("td", "th")) + "</div>"
                       for tr in table.css("tr"))
        table.replace_with(LexborHTMLParser(f"<div {table_attr}>{rows}</div>").body.child)  # type: ignore[union-attr]
    html = tree.html or ""
    css = "<style>.t{display:table}.tr{display:table-row}.td{display:table-cell}</style>"
    html = html.replace("<head>", "<head>" + css, 1) if "<head>" in html else css + html
    if wrapped:  # a portal's layout table around the content
        html = re.sub(r"(<body[^>]*>)", r"\1<table><tr><td>", html, count=1).replace("</body>", "</td></tr></table></body>")
    return html.encode("utf-8")


CASES = [(doc, style) for doc in REAL_HTML for style in STYLES]


@pytest.mark.parametrize(("doc", "style"), CASES)
def test_div_tables_give_every_cell(doc: str, style: str) -> None:
    corpus_or_skip()
    rnd = random.Random(f"{doc}/{style}")
    per_char, wrapped = rnd.random() < 0.5, rnd.random() < 0.5
    t = truth(doc)
    page = (CORPUS / "real" / f"{doc}.html").read_bytes().decode("utf-8")
    vr = validate(parse_bytes(redraw(page, style, per_char, wrapped), f"{doc}-{style}.html"))
    r = vr.result
    assert r.status == "parsed", r.error
    assert (r.agency, r.year, r.table_formats) == (t["agency"], t["year"], t["table_formats"])
    got = r.cell_values()
    assert {k: (v, got.get(k)) for k, v in t["cells"].items() if got.get(k) != v} == {}
    expected = sorted((v["rule"], float(v["lhs"]), float(v["rhs"])) for v in t["rule_check"]["strict"])
    found = sorted((i.rule, i.found, i.expected) for i in vr.issues if i.origin == "publisher" and not i.rule.startswith("prose."))
    assert found == expected
