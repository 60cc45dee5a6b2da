"""Numbers a report states in its prose, checked against its own tables (no I/O).

Reports often say in words what their tables say in numbers — "共收到政府信息公开申请75件",
"未收到政府信息公开申请", "行政复议2件、行政诉讼1件" — and sometimes the two disagree (封丘 2022 says
it received none; its table 3 shows one). Each statement is matched in the narrative, sentence by
sentence, and compared with the table cell it speaks about. A disagreement is a publisher warning
that quotes the sentence; the table's number stays as printed. A statement whose table cells are
blank is not compared (NULL is not 0).

A statement is only what the sentence states as the year's total. "全年未发生因依申请公开被行政复议纠错或
行政诉讼败诉情形" says no review was *corrected* and no lawsuit *lost*, not that there were none; "未收到
行政许可申请" is about licences; "未收到因政府信息公开申请引起的行政诉讼" is about lawsuits. Such clauses
claim nothing (tests/fixtures/prose_sentences.yaml: real sentences, read by a person, that every rule
is held to — a missed total is allowed, a wrong one never).

What is *not* checked, and why: "主动公开政府信息N条" — the 2021 format has no table cell for the
number of proactively published items, so there is nothing to compare it with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schemas.numbers import number_text

_NUM = r"(\d{1,7})"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
# an application count: 收到/受理/新收 … 申请 N 件, or 收到 N 件 … 申请
_APPLICATIONS = (
    re.compile(r"(?:收到|受理|新收|接收)[^，,。；0-9]{0,16}申请(?:共|总计|合计)?\s*" + _NUM + r"\s*(?:件|个|份|宗)"),
    re.compile(r"(?:收到|受理|新收|接收)(?:各类)?\s*" + _NUM + r"\s*(?:件|个|份|宗)[^，,。；0-9]{0,12}申请"),
)
# "未收到…申请": the object must be an information-disclosure application (政府信息公开申请, 信息申请,
# 依申请公开事项), not 行政许可申请; see _clause_speaks_of_other for the rest.
_NO_APPLICATIONS = re.compile(r"(?:未|没有|无)(?:收到|受理|接到|发生)[^，,。；0-9]{0,16}(?:公开|信息|依)申请"
                              r"|申请(?:数量)?(?:为)?(?:零|0\s*件)")
_REVIEWS = re.compile(r"行政复议(?:案件|申请)?(?:共|总计)?\s*" + _NUM + r"\s*(?:件|起|宗)")
_LAWSUITS = re.compile(r"(?:行政)?诉讼(?:案件)?(?:共|总计)?\s*" + _NUM + r"\s*(?:件|起|宗)")
_NONE = r"(?:未(?:发生|收到|产生|出现|有)|没有|无)"
_NO_REVIEWS = re.compile(_NONE + r"[^，,。；0-9]{0,20}行政复议")
_NO_LAWSUITS = re.compile(_NONE + r"[^，,。；0-9]{0,20}(?:行政复议[、和及与]?)?行政诉讼")
# An outcome narrows a statement to some of the cases: "未发生…被行政复议纠错或行政诉讼败诉情形" says no
# review *corrected* and no lawsuit *lost* — nothing about how many there were (a real report saying
# so had 55 reviews and 34 lawsuits). Such a clause is not a statement of the total.
_OUTCOME = re.compile(r"纠错|纠正|败诉|撤销|确认违法|违法|被改变|变更|责令")
# In an applications statement, these words mean the 申请 is another proceeding's or only its cause
# ("未收到因政府信息公开申请引起的行政诉讼", "受理行政许可申请").
_NOT_APPLICATIONS = re.compile(r"复议|诉讼|许可|审批|咨询|纠错|败诉")
_CLAUSE_END = "，,：:（("


@dataclass(frozen=True)
class ProseFinding:
    rule: str  # prose.applications | prose.reviews | prose.lawsuits
    cells: list[str]
    table: float  # what the table says
    prose: float  # what the sentence says
    sentence: str

    @property
    def message(self) -> str:
        return (f"the narrative says {number_text(self.prose)} but the table says {number_text(self.table)} "
                f"({', '.join(self.cells)}): 「{self.sentence}」")


def _sum(values: dict[str, Any], keys: list[str]) -> float | None:
    vals = [values.get(k) for k in keys]
    return None if any(v is None for v in vals) else float(sum(vals))


def _sentences(sections: dict[str, str]) -> list[str]:
    # the narrative of a PDF is wrapped at line ends: sentences run on over line breaks
    text = "".join(line.strip() for s in ("S1", "S3", "S4", "S5", "S6") for line in sections.get(s, "").splitlines()
                   if line.strip() and "\t" not in line)
    return [m.group(0).strip() for m in _SENTENCE.finditer(re.sub(r"\s+", "", text))]


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause holding sentence[start:end]: from the previous comma (or the start) to the next."""
    left = max(sentence.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    rights = [j for j in (sentence.find(c, end) for c in _CLAUSE_END) if j >= 0]
    return sentence[left:min(rights, default=len(sentence))]


def _narrowed_before(sentence: str, start: int) -> bool:
    """An outcome word earlier in the clause ("被纠错的行政复议1件"): a count of some cases only."""
    left = max(sentence.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    return bool(_OUTCOME.search(sentence[left:start]))


def claims(sentence: str) -> list[tuple[str, float]]:
    """The totals a sentence states, in order: (metric, number) with metric applications | reviews |
    lawsuits. Only what the sentence states as the year's total is a claim; a count of corrected
    reviews or lost lawsuits, a licence application, an application that only caused a lawsuit are not."""
    out: list[tuple[str, float]] = []
    for pat in _APPLICATIONS:
        for m in pat.finditer(sentence):
            if not _NOT_APPLICATIONS.search(m.group(0)):
                out.append(("applications", float(m.group(1))))
    for m in _NO_APPLICATIONS.finditer(sentence):
        if not _NOT_APPLICATIONS.search(_clause(sentence, m.start(), m.end())):
            out.append(("applications", 0.0))
    for m in _REVIEWS.finditer(sentence):
        if not _narrowed_before(sentence, m.start()):
            out.append(("reviews", float(m.group(1))))
    for m in _NO_REVIEWS.finditer(sentence):
        if not _OUTCOME.search(_clause(sentence, m.start(), m.end())):
            out.append(("reviews", 0.0))
    for m in _LAWSUITS.finditer(sentence):
        if "复议" in sentence[max(0, m.start() - 2):m.start()]:
            continue  # 复议后诉讼: one column of table 4, not the lawsuits in total
        if not _narrowed_before(sentence, m.start()):
            out.append(("lawsuits", float(m.group(1))))
    for m in _NO_LAWSUITS.finditer(sentence):
        if not _OUTCOME.search(_clause(sentence, m.start(), m.end())):
            out.append(("lawsuits", 0.0))
    return out


def check(sections: dict[str, str], values: dict[str, Any]) -> list[ProseFinding]:
    """Every statement in the narrative that contradicts the tables (one finding per rule: the first
    contradicting sentence; a rule with an agreeing sentence is not reported again)."""
    new = values.get("3.1|total")
    tables: dict[str, tuple[str, list[str], float | None, float | None]] = {
        # "共收到…N件" may count the applications carried over from last year too
        "applications": ("prose.applications", ["3.1|total"], new, _sum(values, ["3.1|total", "3.2|total"])),
        "reviews": ("prose.reviews", ["4|R.total"], values.get("4|R.total"), None),
        "lawsuits": ("prose.lawsuits", ["4|LD.total", "4|LA.total"], _sum(values, ["4|LD.total", "4|LA.total"]), None),
    }
    findings: dict[str, ProseFinding] = {}
    agreed: set[str] = set()
    for sentence in _sentences(sections):
        for metric, stated in claims(sentence):
            rule, cells, table, also = tables[metric]
            if table is None or rule in agreed:
                continue
            if stated in (table, also):
                agreed.add(rule)
                findings.pop(rule, None)
            elif rule not in findings:
                findings[rule] = ProseFinding(rule, cells, float(table), stated, sentence)
    return list(findings.values())
