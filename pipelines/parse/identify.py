"""Agency and report year from the title, first heading or body.

The year is the year *reported on* ("XX局2022年政府信息公开工作年度报告" is published in 2023 and
reports on 2022), never the publication date.
"""

from __future__ import annotations

import re
import unicodedata

from pipelines.parse.normalize import normalise_label
from pipelines.parse.zh import convert
from schemas.labels import NOT_A_REPORT_TITLE, REPORT_TITLE

_YEAR = r"(?P<year>(?:19|20)\d{2})\s*年度?"
_TAIL = r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:年报|报告|工作报告)"
_AGENCY = r"(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)"
_PATTERNS = (
    re.compile(_AGENCY + r"\s*" + _YEAR + r"\s*(?:度)?" + _TAIL),  # 平潭综合实验区2021年度政府信息公开工作年度报告
    re.compile(_YEAR + r"\s*" + _AGENCY + r"\s*" + _TAIL),  # 2019年上海市人民政府办公厅政府信息公开工作年度报告
)
# Sentence words before the agency in a body line: 现将信访局2021年…报告如下 / 现公布区统计局2023年…
_AGENCY_TRIM = re.compile(r"^(?:(?:关于|印发|现公布|现发布|公布|发布|现将|现就|现把|特将|兹将|现予|予以)+)|(?:关于)$")
# What the lazy agency group can catch when a title names no agency (2023年政府信息公开工作年度报告).
_NOT_AN_AGENCY = {"政府", "度政府", "年度", "我局", "我镇", "我委", "我办", "本局", "本机关"}


def _clean(text: str) -> str:
    # Mirror sites serve traditional characters (政府信息公開工作年度報告): compare in simplified.
    return convert(unicodedata.normalize("NFKC", text), "zh-cn").replace(" ", "").replace("\u3000", "")


def _identity(m: re.Match[str]) -> tuple[str, int] | None:
    agency = _AGENCY_TRIM.sub("", m.group("agency")).strip("（）()·")
    agency = normalise_label(agency).replace("(", "（").replace(")", "）")
    if len(agency) >= 2 and agency not in _NOT_AN_AGENCY:
        return agency, int(m.group("year"))
    return None


def _match(text: str) -> tuple[str, int] | None:
    c = _clean(text)
    for pat in _PATTERNS:
        m = pat.search(c)
        if m and (found := _identity(m)):
            return found
    return None


# A line that is a report title and nothing else: where one report of a collection (汇编) starts.
# Stricter than ``_match``: a sentence that mentions a report, or a table-of-contents entry with
# its dots and page number, is not a title line.
_TITLE_LINE = tuple(re.compile(r"^(?:附件\d*[:：]?)?" + p.pattern + r"$") for p in _PATTERNS)
MAX_TITLE_CHARS = 60
_DISCLOSURE = re.compile(r"公\s*[开開]")
_ANY_YEAR = re.compile(r"(?:19|20)\s*\d\s*\d")


def _title_identity(text: str) -> tuple[str, int] | None:
    c = _clean(text)
    if len(c) > MAX_TITLE_CHARS or "《" in c:
        return None
    for pat in _TITLE_LINE:
        m = pat.match(c)
        if m and (found := _identity(m)):
            return found
    return None


def title_lines(lines: list[str]) -> list[tuple[int, int, str, int, str]]:
    """Every line (or two lines, for a wrapped title) that is a report title on its own:
    (first line index, lines it takes, agency, year, title as printed)."""
    out = []
    i = 0
    while i < len(lines):
        both = lines[i] + (lines[i + 1] if i + 1 < len(lines) else "")
        if len(lines[i]) > 2 * MAX_TITLE_CHARS or not (_DISCLOSURE.search(both) and _ANY_YEAR.search(both)):
            i += 1  # cheap pre-checks: a title is short, says 公开 and has a year (simplifying costs more)
            continue
        found = _title_identity(lines[i])
        span = 1
        if found is None and i + 1 < len(lines) and lines[i].strip() and not _HAS_TAIL.search(_clean(lines[i])):
            found, span = _title_identity(lines[i] + lines[i + 1]), 2
        if found:
            title = "".join(x.strip() for x in lines[i:i + span])
            out.append((i, span, found[0], found[1], title))
            i += span
        else:
            i += 1
    return out


_HAS_TAIL = re.compile(r"年报|报告")


def _joined(candidates: list[str], matches) -> list[tuple[str, str]]:
    """Each candidate, then — only where neither it nor the next line reads as a title on its own —
    the two joined: titles wrap over two lines ("2024 年上海市科委政府信息公开工作" / "年度报告"),
    while a breadcrumb ("首页") before a whole title must not become part of the agency."""
    out = []
    for i, cand in enumerate(candidates):
        out.append((cand, cand))
        # the first part of a wrapped title stops before its tail (年度报告 / 年报)
        if (i + 1 < len(candidates) and cand.strip() and candidates[i + 1].strip() and not _HAS_TAIL.search(_clean(cand))
                and not matches(candidates[i + 1])):
            both = cand.strip() + candidates[i + 1].strip()
            out.append((both, both))
    return out


def identify(candidates: list[str]) -> tuple[str | None, int | None, str | None]:
    """Return (agency, year, matched_title) from the first candidate (or two consecutive candidates,
    for a wrapped title) that reads as a report title."""
    for text, title in _joined(candidates, _match):
        found = _match(text)
        if found:
            return found[0], found[1], title
    return None, None, None


_REPORT_YEAR = re.compile(r"(?:19|20)\d{2}年")


def reads_as_report(candidates: list[str]) -> str | None:
    """A title or first line that reads as an annual report (政府信息公开…年度报告 / 年报) with a year,
    even without an agency ("2022年政府信息公开工作年度报告"): such a document without tables is a
    failed parse, never quietly "not a report"."""
    for text, title in _joined(candidates, lambda t: re.search(REPORT_TITLE, _clean(t))):
        c = _clean(text)
        if re.search(REPORT_TITLE, c) and _REPORT_YEAR.search(c):
            return title
    return None


def looks_like_other_document(candidates: list[str]) -> str | None:
    """A title that names another kind of document (指南, 通知, 要点…) and not an annual report."""
    for cand in candidates[:3]:
        c = normalise_label(cand)
        if re.search(NOT_A_REPORT_TITLE, c) and not re.search(REPORT_TITLE, c):
            return cand
    return None
