"""Numbers a report states in its prose, checked against its own tables (no I/O).

Reports often say in words what their tables say in numbers — "共收到政府信息公开申请75件",
"未收到政府信息公开申请", "行政复议2件、行政诉讼1件" — and sometimes the two disagree (封丘 2022 says
it received none; its table 3 shows one). Each statement is matched in the narrative, sentence by
sentence, and compared with the table cell it speaks about. A disagreement is a publisher warning
that quotes the sentence; the table's number stays as printed. A statement whose table cells are
blank is not compared (NULL is not 0).

What is *not* checked, and why: "主动公开政府信息N条" — the 2021 format has no table cell for the
number of proactively published items, so there is nothing to compare it with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NUM = r"(\d{1,7})"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
# an application count: 收到/受理/新收 … 申请 N 件, or 收到 N 件 … 申请
_APPLICATIONS = (
    re.compile(r"(?:收到|受理|新收|接收)[^，,。；0-9]{0,16}申请(?:共|总计|合计)?\s*" + _NUM + r"\s*(?:件|个|份|宗)"),
    re.compile(r"(?:收到|受理|新收|接收)(?:各类)?\s*" + _NUM + r"\s*(?:件|个|份|宗)[^，,。；0-9]{0,12}申请"),
)
_NO_APPLICATIONS = re.compile(r"(?:未|没有|无)(?:收到|受理|接到|发生)[^，,。；0-9]{0,16}申请|申请(?:数量)?(?:为)?(?:零|0\s*件)")
_REVIEWS = re.compile(r"行政复议(?:案件|申请)?(?:共|总计)?\s*" + _NUM + r"\s*(?:件|起|宗)")
_LAWSUITS = re.compile(r"(?:行政)?诉讼(?:案件)?(?:共|总计)?\s*" + _NUM + r"\s*(?:件|起|宗)")
_NONE = r"(?:未(?:发生|收到|产生|出现|有)|没有|无)"
_NO_REVIEWS = re.compile(_NONE + r"[^，,。；0-9]{0,20}行政复议")
_NO_LAWSUITS = re.compile(_NONE + r"[^，,。；0-9]{0,20}(?:行政复议[、和及与]?)?行政诉讼")


@dataclass(frozen=True)
class ProseFinding:
    rule: str  # prose.applications | prose.reviews | prose.lawsuits
    cells: list[str]
    table: float  # what the table says
    prose: float  # what the sentence says
    sentence: str

    @property
    def message(self) -> str:
        return (f"the narrative says {self.prose:g} but the table says {self.table:g} "
                f"({', '.join(self.cells)}): 「{self.sentence}」")


def _sum(values: dict[str, Any], keys: list[str]) -> float | None:
    vals = [values.get(k) for k in keys]
    return None if any(v is None for v in vals) else float(sum(vals))


def _sentences(sections: dict[str, str]) -> list[str]:
    # the narrative of a PDF is wrapped at line ends: sentences run on over line breaks
    text = "".join(line.strip() for s in ("S1", "S3", "S4", "S5", "S6") for line in sections.get(s, "").splitlines()
                   if line.strip() and "\t" not in line)
    return [m.group(0).strip() for m in _SENTENCE.finditer(re.sub(r"\s+", "", text))]


def check(sections: dict[str, str], values: dict[str, Any]) -> list[ProseFinding]:
    """Every statement in the narrative that contradicts the tables (one finding per rule: the first
    contradicting sentence; a rule with an agreeing sentence is not reported again)."""
    new = values.get("3.1|total")
    with_carried = _sum(values, ["3.1|total", "3.2|total"])
    reviews = values.get("4|R.total")
    lawsuits = _sum(values, ["4|LD.total", "4|LA.total"])
    findings: dict[str, ProseFinding] = {}
    agreed: set[str] = set()

    def judge(rule: str, cells: list[str], table: float | None, stated: float, sentence: str,
              also: float | None = None) -> None:
        if table is None or rule in agreed:
            return
        if stated in (table, also):
            agreed.add(rule)
            findings.pop(rule, None)
        elif rule not in findings:
            findings[rule] = ProseFinding(rule, cells, float(table), stated, sentence)

    for sentence in _sentences(sections):
        for pat in _APPLICATIONS:
            for m in pat.finditer(sentence):
                # "共收到…N件" may count the applications carried over from last year too
                judge("prose.applications", ["3.1|total"], new, float(m.group(1)), sentence, with_carried)
        if _NO_APPLICATIONS.search(sentence):
            judge("prose.applications", ["3.1|total"], new, 0.0, sentence)
        for m in _REVIEWS.finditer(sentence):
            judge("prose.reviews", ["4|R.total"], reviews, float(m.group(1)), sentence)
        if _NO_REVIEWS.search(sentence):
            judge("prose.reviews", ["4|R.total"], reviews, 0.0, sentence)
        for m in _LAWSUITS.finditer(sentence):
            if "复议" in sentence[max(0, m.start() - 2):m.start()]:
                continue  # 复议后诉讼: one column of table 4, not the lawsuits in total
            judge("prose.lawsuits", ["4|LD.total", "4|LA.total"], lawsuits, float(m.group(1)), sentence)
        if _NO_LAWSUITS.search(sentence):
            judge("prose.lawsuits", ["4|LD.total", "4|LA.total"], lawsuits, 0.0, sentence)
    return list(findings.values())
