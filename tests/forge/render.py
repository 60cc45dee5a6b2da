"""Render a truth as a report document laid out like the official template (HTML, text)."""

from __future__ import annotations

import html as h
from typing import Any

from schemas import format as fmt

NARRATIVE = {
    "S1": "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开工作。",
    "S5": "（一）存在的主要问题：公开内容的深度有待加强。\n（二）改进情况：加强培训，完善制度。",
    "S6": "本年度未收取信息处理费。",
}
HEADINGS = {
    "S1": "一、总体情况", "S2": "二、主动公开政府信息情况", "S3": "三、收到和处理政府信息公开申请情况",
    "S4": "四、政府信息公开行政复议、行政诉讼情况", "S5": "五、存在的主要问题及改进情况", "S6": "六、其他需要报告的事项",
}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _tok(truth: dict[str, Any], key: str) -> str:
    v = truth["cells"].get(key)
    if v is None:
        return truth["raw_tokens"].get(key, "")
    return str(v)


def title(truth: dict[str, Any]) -> str:
    return f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"


def t2_rows(truth: dict[str, Any]) -> list[list[tuple[str, int]]]:
    """Rows of (text, colspan) for table 2 (4 columns wide)."""
    out: list[list[tuple[str, int]]] = []
    for b in fmt.t2_blocks(truth["table_formats"]["T2"]):
        out.append([(b.caption, 4)])
        span = 3 // len(b.columns) if len(b.columns) in (1, 3) else 1
        head = [("信息内容", 1)] + [(c.label, span) for c in b.columns]
        if len(b.columns) == 2:
            head = [("信息内容", 1), (b.columns[0].label, 1), (b.columns[1].label, 2)]
        out.append(head)
        for r in b.rows:
            vals = [(_tok(truth, fmt.cell_key(r.code, c.code)), span) for c in b.columns]
            if len(b.columns) == 2:
                vals = [(vals[0][0], 1), (vals[1][0], 2)]
            out.append([(r.label, 1), *vals])
    return out


def t3_label_rows(single: bool) -> list[list[tuple[str, int, int]]]:
    """Label cells (text, rowspan, colspan) per data row, as in the template's merged label area."""
    rows = fmt.t3_data_rows(single)
    n_results = sum(1 for r in rows if r.code.startswith("3.3."))
    groups = {"3.3.3": 8, "3.3.4": 3, "3.3.5": 5, "3.3.6": 3}
    labels = {r.code: r.label for r in fmt.t3_rows_all()}
    out = []
    for r in rows:
        cells: list[tuple[str, int, int]] = []
        if r.code in ("3.1", "3.2", "3.4"):
            cells.append((r.label, 1, 3))
        else:
            if r.code == "3.3.1":
                cells.append((labels["3.3"], n_results, 1))
            parent = r.parent
            if parent in groups and r.code.endswith(".1") and r.code.count(".") == 3:
                cells.append((labels[parent], groups[parent], 1))
            if r.code.count(".") == 3:
                cells.append((r.label, 1, 1))
            else:
                cells.append((r.label, 1, 2))
        out.append(cells)
    return out


T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
Layout = list[list[tuple[str, int, int]]]  # rows of (text, rowspan, colspan), cells listed where they start


def t2_layout(truth: dict[str, Any]) -> Layout:
    return [[(t, 1, cs) for t, cs in row] for row in t2_rows(truth)]


def t3_layout(truth: dict[str, Any]) -> Layout:
    single = truth["table_formats"]["T3"] in ("2019", "hybrid")
    rows: Layout = [[(T3_NOTE, 3, 3), ("申请人情况", 1, 7)],
                    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
                    [(x, 1, 1) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]]
    for r, label_cells in zip(fmt.t3_data_rows(single), t3_label_rows(single), strict=True):
        rows.append(label_cells + [(_tok(truth, fmt.cell_key(r.code, c.code)), 1, 1) for c in fmt.t3_columns()])
    return rows


def t4_layout(truth: dict[str, Any]) -> Layout:
    return [[("行政复议", 1, 5), ("行政诉讼", 1, 10)],
            [(x, 2, 1) for x in T4_RESULTS] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            [(x, 1, 1) for x in T4_RESULTS * 2],
            [(_tok(truth, d.key), 1, 1) for d in fmt.t4_cells()]]


LAYOUTS = {"S2": (t2_layout, 4), "S3": (t3_layout, 10), "S4": (t4_layout, 15)}


def _html_table(rows: Layout, attrs: str) -> str:
    def td(t: str, rs: int, cs: int) -> str:
        span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        return f'<td{span}><p><span style="font-family:仿宋">{h.escape(t) or "&nbsp;"}</span></p></td>'
    return f"<table {attrs}>" + "".join("<tr>" + "".join(td(*c) for c in row) + "</tr>" for row in rows) + "</table>"


def render_html(truth: dict[str, Any], charset: str = "utf-8") -> bytes:
    parts = [f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{h.escape(title(truth))}_政府信息公开年报</title></head><body>',
             '<div class="nav">首页 &gt; 政府信息公开 &gt; 年报</div>',
             f'<h1 class="title">{h.escape(title(truth))}</h1>']
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        parts.append(f"<p><b>{HEADINGS[s]}</b></p>")
        if s in NARRATIVE:
            parts += [f"<p>{h.escape(x)}</p>" for x in NARRATIVE[s].split("\n")]
        if s in LAYOUTS:
            parts.append(_html_table(LAYOUTS[s][0](truth), 'class="MsoNormalTable" border="1"'))
    parts.append("</body></html>")
    text = "\n".join(parts)
    return text.encode("gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else charset)


def render_text(truth: dict[str, Any]) -> bytes:
    """Tab-separated paste, like a report copied out of a web page into a text file."""
    single = truth["table_formats"]["T3"] in ("2019", "hybrid")
    lines = [title(truth), ""]
    for s in ("S1", "S2", "S3", "S4", "S5", "S6"):
        lines += [HEADINGS[s], ""]
        if s in NARRATIVE:
            lines += NARRATIVE[s].split("\n") + [""]
        if s == "S2":
            for row in t2_rows(truth):
                cells = []
                for t, cs in row:
                    cells += [t] + [""] * (cs - 1)
                lines.append("\t".join(cells))
        if s == "S3":
            lines += [T3_NOTE + "\t申请人情况\t\t\t\t\t\t总计", "\t自然人\t法人或其他组织\t\t\t\t\t",
                      "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"]
            for r, label_cells in zip(fmt.t3_data_rows(single), t3_label_rows(single), strict=True):
                labels = [t for t, _, _ in label_cells]
                lead = [""] * (2 - len(labels)) if r.code.count(".") == 3 and len(labels) < 2 else []
                vals = [_tok(truth, fmt.cell_key(r.code, c.code)) for c in fmt.t3_columns()]
                lines.append("\t".join(lead + labels + vals))
        if s == "S4":
            lines += ["行政复议\t\t\t\t\t行政诉讼" + "\t" * 9,
                      "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
                      "\t\t\t\t\t" + "\t".join(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2),
                      "\t".join(_tok(truth, d.key) for d in fmt.t4_cells())]
        lines.append("")
    return "\n".join(lines).encode("utf-8")
