"""Agency and report year from the title, first heading or body.

The year is the year *reported on* ("XX局2022年政府信息公开工作年度报告" is published in 2023 and
reports on 2022), never the publication date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.parse.normalize import clean_cell, normalise_label
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
NOT_AN_AGENCY = {"政府", "度政府", "年度", "我局", "我镇", "我委", "我办", "本局", "本机关"}
# An agency name never ends in a function word: "…办公厅关于做好2023年政府信息公开工作年度报告编制
# 发布工作的通知" names a notice about preparing reports, whose subject is no agency's report.
_FUNCTION_WORD_END = re.compile(r"(?:关于|做好|印发|转发|根据|按照|依据|遵照|开展|进一步|认真|切实|的|和|及|与)$")
# Words before a report title inside a clause that make it the object of another document or
# instruction (根据/按照《…》, 关于做好…), and words after it that make it the subject of one
# (…年度报告编制发布工作的通知, …年度报告的通知, …年度报告报送…).
_GOVERNED_BEFORE = re.compile(r"关于|根据|按照|依据|遵照|印发|转发|做好|《")
_GOVERNED_AFTER = re.compile(r"^(?:的(?:通知|批复|函|解读|编制|发布|报送|审核|格式|要求)|编制(?:发布|和发布|工作|要求)|"
                             r"编写|发布工作|报送|工作(?:的)?通知|有关|相关|通知|撰写|格式|模板|填报)")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n]")


# Years printed in Chinese numerals (二〇二三年度, 二○二三, 二零二三; OCR reads 〇 as O or o): four
# numeral characters before 年. NFKC has already made full-width digits (２０２３) and Ｏ plain.
_ZH_DIGITS = {"〇": "0", "○": "0", "零": "0", "O": "0", "o": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_ZH_YEAR = re.compile(r"[〇○零Oo一二三四五六七八九]{4}(?=\s*年)")


def arabic_years(text: str) -> str:
    """``text`` with each year written in Chinese numerals (二〇二三年) in digits (2023年); only
    years from 1990 to 2099, so a run like 一二三四年 in prose stays as printed."""
    def one(m: re.Match[str]) -> str:
        digits = "".join(_ZH_DIGITS[ch] for ch in m.group(0))
        return digits if 1990 <= int(digits) <= 2099 else m.group(0)
    return _ZH_YEAR.sub(one, text)


@lru_cache(maxsize=1 << 14)  # the same lines are looked at alone and as parts of wrapped titles
def clean_text(text: str) -> str:
    """Comparable form for identity: NFKC (full-width digits), simplified characters (mirror sites
    serve 政府信息公開工作年度報告), years in digits, no spaces (letter-spaced or OCR'd titles)."""
    t = convert(unicodedata.normalize("NFKC", text), "zh-cn")
    return arabic_years(t).replace(" ", "").replace("\u3000", "")


_clean = clean_text


def _identity(m: re.Match[str]) -> tuple[str, int] | None:
    agency = _AGENCY_TRIM.sub("", m.group("agency")).strip("（）()·")
    agency = normalise_label(agency).replace("(", "（").replace(")", "）")
    if len(agency) >= 2 and agency not in NOT_AN_AGENCY and not _FUNCTION_WORD_END.search(agency):
        return agency, int(m.group("year"))
    return None


def _quoted_or_governed(c: str, m: re.Match[str]) -> bool:
    """A report title inside 《》, or governed by the words around it in its clause: a document
    that this sentence cites or instructs about, not this report."""
    start, end = m.start(), m.end()
    if c.count("《", 0, start) > c.count("》", 0, start):
        return True
    clause_start = max((b.end() for b in _CLAUSE_BREAK.finditer(c, 0, start)), default=0)
    after = _CLAUSE_BREAK.split(c[end:], maxsplit=1)[0]
    return bool(_GOVERNED_BEFORE.search(c[clause_start:start]) or _GOVERNED_AFTER.search(after))


# A sentence naming its report does so near its start; past this, a line is a paragraph of prose
# (and each match's look at its clause must not grow with the square of a hostile line's length).
_MAX_SENTENCE_CHARS = 600


def _match(text: str) -> tuple[str, int] | None:
    c = _clean(text)[:_MAX_SENTENCE_CHARS]
    for pat in _PATTERNS:
        for m in pat.finditer(c):
            if not _quoted_or_governed(c, m) and (found := _identity(m)):
                return found
    return None


# A line that is a report title and nothing else: where one report of a collection (汇编) starts.
# Stricter than ``_match``: a sentence that mentions a report, or a table-of-contents entry with
# its dots and page number, is not a title line.
_TITLE_LINE = tuple(re.compile(r"^(?:附件\d*[:：]?)?" + p.pattern + r"(?:[（(][^）)]{0,12}[）)])?$") for p in _PATTERNS)
MAX_TITLE_CHARS = 60
_DISCLOSURE = re.compile(r"公\s*[开開]")
_ANY_YEAR = re.compile(r"(?:19|20)\s*\d\s*\d|[一二][〇○零Oo一二三四五六七八九]{3}|[12１２]\s*[0-9０-９]\s*[0-9０-９]\s*[0-9０-９]")


def _title_identity(text: str) -> tuple[str, int] | None:
    c = _clean(text)
    if len(c) > MAX_TITLE_CHARS or "《" in c:
        return None
    for pat in _TITLE_LINE:
        m = pat.match(c)
        if m and (found := _identity(m)):
            return found
    return None


def title_line(text: str) -> bool:
    """``text`` is a report title naming its agency and year, and nothing else."""
    return _title_identity(text) is not None


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


_FIRST_LINES = 15
_JOINED_LINES = 4


def page_title_candidates(lines: list[str]) -> list[str]:
    """Title candidates of a page read as lines (a PDF's text layer, an OCR'd scan): the first lines,
    led by the first four joined without spaces — titles are wrapped and OCR letter-spaces them."""
    titles = [clean_cell(x) for x in lines[:_FIRST_LINES] if x.strip()]
    return ["".join(titles[:_JOINED_LINES]).replace(" ", ""), *titles]


@dataclass(frozen=True)
class TitleMatch:
    agency: str
    year: int
    title: str  # as printed (a wrapped title's lines joined)
    whole_line: bool  # False: read from a sentence ("现将信访局2021年度…报告如下"), not a title line


# A wrapped title's first part names an agency: a breadcrumb ("首页", "当前位置") above a title
# that names none must not become its agency.
AGENCY_SUFFIX = re.compile(r"(?:政府|办公厅|办公室|委员会|管委会|委|办|厅|局|署|院|中心|所|站|队|处|部|会|办事处|街道|"
                           r"镇|乡|区|县|市|州|旗|盟|省|村|社区|集团|公司|馆|室|团|校|场|台|社|组|法院|检察院)$")
_MAX_WRAP = 3  # a title wraps over at most three lines (a narrow scanned page)
_PROSE = re.compile(r"[，,。；;！!？?]")  # sentence punctuation: a title prints none


def _wraps(candidates: list[str], i: int) -> list[tuple[str, int]]:
    """Candidate ``i`` alone, then joined with the next one or two while the part so far stops
    before its tail (年度报告 / 年报) and the line it would take in is not a title on its own."""
    out = [(candidates[i], 1)]
    joined = candidates[i].strip()
    for k in range(i + 1, min(i + _MAX_WRAP, len(candidates))):
        nxt = candidates[k].strip()
        if not joined or not nxt or _HAS_TAIL.search(_clean(joined)) or _title_identity(nxt) or _match(nxt) \
                or _PROSE.search(joined):
            break  # (a line of prose is no title's first part: "…加强政府网站" + "2020 年度…工作" + "年度报告")
        joined += nxt
        out.append((joined, k - i + 1))
    return out


def find_title(candidates: list[str]) -> TitleMatch | None:
    """The report's title among ``candidates`` (title candidates, then the first lines of the text):
    first a line that is a title and nothing else (or two or three lines, for a wrapped title);
    failing that, a sentence that names this report ("现将信访局2021年度…工作报告如下"). A report
    title quoted in another sentence — 《…关于做好2023年政府信息公开工作年度报告编制发布工作的通知》 —
    is never this report's title."""
    for i in range(len(candidates)):
        for text, span in _wraps(candidates, i):
            found = _title_identity(text)
            if found and (span == 1 or AGENCY_SUFFIX.search(found[0])):
                return TitleMatch(found[0], found[1], "".join(x.strip() for x in candidates[i:i + span]), True)
    for i in range(len(candidates)):
        for text, span in _wraps(candidates, i):
            found = _match(text)
            if found and (span == 1 or AGENCY_SUFFIX.search(found[0])):
                return TitleMatch(found[0], found[1], "".join(x.strip() for x in candidates[i:i + span]), False)
    return None


def identify(candidates: list[str]) -> tuple[str | None, int | None, str | None]:
    """Return (agency, year, matched_title) from the title among ``candidates`` (see ``find_title``)."""
    found = find_title(candidates)
    return (found.agency, found.year, found.title) if found else (None, None, None)


# A title that names no agency ("2023年度政府信息公开工作年度报告"): it still prints the year.
_GENERIC_TITLE = re.compile(r"^(?:附件\d*[:：]?)?(?P<year>(?:19|20)\d{2})年度?(?:政府)?信息公开(?:工作)?(?:年度)?(?:年报|报告|工作报告)"
                            r"(?:[（(][^）)]{0,12}[）)])?$")


def generic_title(candidates: list[str]) -> tuple[int, str] | None:
    """(year, title as printed) of a title line that names no agency, possibly wrapped."""
    for i in range(len(candidates)):
        for text, span in _wraps(candidates, i):
            m = _GENERIC_TITLE.match(_clean(text))
            if m:
                return int(m.group("year")), "".join(x.strip() for x in candidates[i:i + span])
    return None


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
