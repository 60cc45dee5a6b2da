"""A report's agency and year from everything that prints them, not only its title.

Many reports carry a generic title ("2023年度政府信息公开工作年度报告") and name their agency only
elsewhere: the HTML page's <meta name="ArticleTitle">, the running header on every page, or the
signature block at the end ("青石县统计局" over "2024年1月15日"). The statistics-period sentence
("本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止") is a second, independent source of
the year. Every identity not read from a title line is recorded with its source as a parser-origin
issue, so a person can see where it came from; sources that disagree on the agency leave it
unknown (the report then fails ``unidentified``): an agency or year is never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipelines.parse import labels as lab
from pipelines.parse.base import ExtractedDocument
from pipelines.parse.cells import Issue
from pipelines.parse.identify import AGENCY_SUFFIX, NOT_AN_AGENCY, clean_text, find_title, generic_title
from pipelines.parse.normalize import normalise_label

_NAME = re.compile(r"^[\u4e00-\u9fff（）()·]{2,30}$")
_NOT_A_NAME = re.compile(r"关于|做好|根据|按照|依据|通知|报告|年报|情况|工作|信息公开|主办|版权|首页|位置|网站|门户|平台")
_SELF = re.compile(r"^(?:我|本)(?:局|委|办|镇|乡|街道|单位|机关|部门|厅|院|中心|区|县|市|政府)$"
                   r"|^(?:本级|区|县|市|镇|乡|省|州|旗|盟|街道)(?:人民)?政府$")  # "our bureau", "the district government"


def names_agency(text: str) -> str | None:
    """``text`` as an agency name, when the whole of it is one: Chinese characters only, ending
    in an agency word (局, 委员会, 人民政府, 管委会, 镇…), no sentence or function words."""
    c = clean_text(text).strip("：:")
    if not _NAME.match(c) or not AGENCY_SUFFIX.search(c) or _NOT_A_NAME.search(c) or _SELF.match(c) or c in NOT_AN_AGENCY:
        return None
    return normalise_label(c).replace("(", "（").replace(")", "）")


_ZH_NUMBER = "一二三四五六七八九十"
_MONTH = rf"(?:0?[1-9]|1[0-2]|[{_ZH_NUMBER}]{{1,2}})"
_DAY = rf"(?:0?[1-9]|[12]\d|3[01]|[{_ZH_NUMBER}]{{1,3}})"
_DATE_LINE = re.compile(rf"^(?:19|20)\d{{2}}年{_MONTH}月(?:{_DAY}日)?$")
_YEARLESS_DATE = re.compile(rf"^年{_MONTH}月(?:{_DAY}日)?$")
_BARE_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_LAST_SECTION = re.compile(r"^六[、.．]?其他需要报告的事项")
_SIGNATURE_WINDOW = 20  # lines from the end searched when the last section heading is not found


def signature_agency(lines: list[str]) -> str | None:
    """The agency of the signature block at the end of the report: a line that is an agency name
    next to a line that is a date ("青石县统计局" / "2024年1月15日", or both on one line), after the
    last section heading (六、其他需要报告的事项) — portal chrome may follow it on a web page. A PDF
    writer may draw the date's year digits as a run of their own, which comes out as a line of its
    own ("2023" / "青石县统计局" / "年1月11日"): a bare year within two lines of a date without one is
    its year, and no neighbour of it."""
    rows = [ln.strip() for ln in lines if ln.strip()]
    cleaned = [clean_text(ln) for ln in rows]
    start = max((i for i, c in enumerate(cleaned) if _LAST_SECTION.match(c)), default=max(0, len(rows) - _SIGNATURE_WINDOW))
    years = {i for i in range(start, len(rows)) if _BARE_YEAR.match(cleaned[i])}
    kept = [i for i in range(start, len(rows)) if i not in years]  # (neighbours are read past a year's own line)
    found = None
    for k, i in enumerate(kept):
        parts = rows[i].split()
        if len(parts) >= 2 and _DATE_LINE.match(clean_text(parts[-1])) and (name := names_agency("".join(parts[:-1]))):
            found = name  # "青石县统计局　2024年1月15日" on one line
        elif _DATE_LINE.match(cleaned[i]) or (_YEARLESS_DATE.match(cleaned[i]) and years & {i - 2, i - 1, i + 1}):
            near = [kept[n] for n in (k - 1, k + 1) if 0 <= n < len(kept)]
            name = next((n for j in near if (n := names_agency(rows[j]))), None)
            found = name or found
    return found


_PERIOD = re.compile(r"统计[^。；;]{0,20}?(?P<y1>(?:19|20)\d{2})年(?:0?1|一)月(?:0?1|一)日[^。；;\d]{0,6}?"
                     r"(?:至|到|—|－|-|~|～)(?:(?P<y2>(?:19|20)\d{2})年)?(?:12|十二)月(?:31|三十一)日")
# Lines searched: a web page's report text may start hundreds of lines down, below the portal's
# chrome (平潭's at line 330); a report's own text states its period before its tables.
_PERIOD_LINES = 2000
_PERIOD_LINE_CHARS = 2000  # (a hostile document's megabyte line is not converted whole)


def period_year(lines: list[str]) -> int | None:
    """The year of the statistics period ("统计期限自2023年1月1日起至2023年12月31日止", also in Chinese
    numerals and wrapped over lines), when it is one calendar year."""
    m = _PERIOD.search("".join(clean_text(ln[:_PERIOD_LINE_CHARS]) for ln in lines[:_PERIOD_LINES]))
    if m is None or (m.group("y2") and m.group("y2") != m.group("y1")):
        return None
    return int(m.group("y1"))


def running_lines(page_texts: list[str]) -> list[str]:
    """Lines printed at the top or bottom of most pages (a running header or footer), as printed:
    each page's first two and last two lines, kept when they recur on at least half the pages (and
    on two or more)."""
    if len(page_texts) < 2:
        return []
    seen: Counter[str] = Counter()
    printed: dict[str, str] = {}
    for text in page_texts:
        rows = [ln.strip() for ln in text.splitlines() if ln.strip()]
        edge = {clean_text(ln): ln for ln in rows[:2] + rows[-2:]}
        for c, ln in edge.items():
            if c and not c.isdigit():
                seen[c] += 1
                printed.setdefault(c, ln)
    need = max(2, (len(page_texts) + 1) // 2)
    return [printed[c] for c, n in seen.items() if n >= need]


_HEADER_WRAP = 3  # lines of one running header or watermark a long agency name wraps over


def header_agency(headers: list[str]) -> str | None:
    """The agency a running header or watermark names. A large watermark ("白沙市人民政府办公室" across
    the page) wraps into lines printed one under the other on every page ("白沙市人民政府办" /
    "公室"); its first line alone may read as another, shorter agency (办, 委 end agency names)
    and then contradict the signature. So adjacent lines are read joined first, longest first — as a
    wrap only: the lines after the first are its leftover, never longer than the full first line (a
    watermark "仅供参考" over the running header "西溪区教育局" is two things printed, not one name)."""
    for start in range(len(headers)):
        first = len(clean_text(headers[start]))
        for end in range(min(len(headers), start + _HEADER_WRAP), start, -1):
            if any(len(clean_text(h)) > first for h in headers[start + 1:end]):
                continue
            if end - start > 1 and any(_format_text(h) for h in headers[start:end]):
                continue  # a table's caption atop a page (第二十条第（六）项) over a watermark is no part of a name
            if name := names_agency("".join(h.strip() for h in headers[start:end])):
                return name
    return None


def _format_text(line: str) -> bool:
    """A line the format prints (a section heading, a table-2 caption): never a piece of an agency's name."""
    return bool(lab.section_code(line) or lab.t2_caption_block(line))


_TAIL = r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:年报|报告|工作报告)$"
# "青石县统计局政府信息公开…" and "青石县人民政府信息公开…": 政府 belongs to the tail in the first and
# to the agency in the second; the shorter reading is tried first, each kept only if it names an agency.
_YEARLESS_TITLES = (re.compile(r"^(?P<agency>[\u4e00-\u9fff（）()·]{2,30}?)" + _TAIL),
                    re.compile(r"^(?P<agency>[\u4e00-\u9fff（）()·]{2,30})" + _TAIL))


def yearless_title(candidates: list[str]) -> tuple[str, str] | None:
    """(agency, title) of a title line that names an agency but no year."""
    for cand in candidates:
        c = clean_text(cand)
        for pattern in _YEARLESS_TITLES:
            m = pattern.match(c)
            if m and (name := names_agency(m.group("agency"))):
                return name, cand.strip()
    return None


@dataclass
class Identity:
    agency: str | None
    year: int | None
    title: str | None
    issues: list[Issue] = field(default_factory=list)
    # what each source said, for the message of a report that stays unidentified
    found: list[str] = field(default_factory=list)
    conflict: bool = False  # sources of the document name different agencies
    year_from: str = "the title"  # where the year was read, for the message of a conflict


def _meta(doc: ExtractedDocument, name: str) -> str | None:
    return next((v.strip() for k, v in doc.metadata.items() if k.lower() == name.lower() and v.strip()), None)


def _flag(rule: str, message: str, severity: str = "warning") -> Issue:
    return Issue(rule, severity, "parser", [], message)


def resolve_identity(doc: ExtractedDocument, candidates: list[str]) -> Identity:
    """Agency, year and title of one report (``candidates``: its title candidates and first lines)."""
    lines = doc.text.splitlines()
    titled = find_title(candidates)
    period = period_year(lines)
    seen_period = [f"statistics period {period}"] if period else []
    if titled is not None:
        ident = Identity(titled.agency, titled.year, titled.title, found=[f"title {titled.title!r}"])
        if not titled.whole_line:
            ident.issues.append(_flag("identity_from_sentence", f"no title line names the report; agency and year read "
                                      f"from a sentence of the text: {titled.title!r}"))
        _check_period(ident, period)
        return ident

    yearless = yearless_title(candidates)
    if yearless is not None:  # "青石县统计局政府信息公开工作年度报告": the year only in the period sentence
        ident = Identity(yearless[0], None, yearless[1], found=[f"title without year {yearless[1]!r}"])
        _check_period(ident, period)
        return ident
    generic = generic_title(candidates)
    ident = Identity(None, generic[0] if generic else None, generic[1] if generic else None, found=list(seen_period))
    if generic:
        ident.found.append(f"title without agency {generic[1]!r}")
    # agency from the other places that print it, each recorded with its source
    sources: list[tuple[str, str, str, int | None]] = []  # (rule, where, agency, year printed with it)
    if (article := _meta(doc, "ArticleTitle")) and (m := find_title([article])):
        sources.append(("identity_agency_from_metadata", f"the page's <meta name=\"ArticleTitle\"> {article!r}",
                        m.agency, m.year))
    headers = [h for h in doc.page_headers if h.strip()]
    if headers:
        if m := find_title(headers):
            sources.append(("identity_agency_from_page_header", f"the page header {m.title!r}", m.agency, m.year))
        elif name := header_agency(headers):
            sources.append(("identity_agency_from_page_header", f"the page header {name!r}", name, None))
    if name := signature_agency(lines):
        sources.append(("identity_agency_from_signature", f"the signature block at the end {name!r}", name, None))
    ident.found += [f"{where}" for _, where, _, _ in sources]
    agencies = {agency for _, _, agency, _ in sources}
    if len(agencies) > 1:
        ident.conflict = True  # sources disagree: the agency is not known
        return ident
    if sources:
        rule, where, agency, year = sources[0]
        ident.agency = agency
        also = "; ".join(w for _, w, _, _ in sources[1:])
        ident.issues.append(_flag(rule, f"the title names no agency; agency {agency!r} taken from {where}"
                                  + (f" (also printed in {also})" if also else "")))
        if ident.year is None and year is not None:
            ident.year, ident.year_from = year, where
            if ident.title is None and rule == "identity_agency_from_metadata":
                ident.title = article
        elif year is not None and year != ident.year:
            ident.issues.append(_flag("identity_year_conflict", f"the title says {ident.year} but {where} says {year}",
                                      "error"))
    elif (site := _meta(doc, "SiteName")) and (name := names_agency(site)):
        ident.agency = name
        ident.found.append(f"the site owner <meta name=\"SiteName\"> {site!r}")
        ident.issues.append(_flag("identity_agency_from_site_name", f"the title names no agency and nothing else in the "
                                  f"document does; agency {name!r} is the web site's owner (<meta name=\"SiteName\">), "
                                  "which may not be the office that wrote the report"))
    if ident.agency is not None:
        _check_period(ident, period)
    return ident


def _check_period(ident: Identity, period: int | None) -> None:
    """The statistics period is a second source of the year: it fills a year no title prints, and
    a period of another year than the title's is flagged (the year is then uncertain)."""
    if period is None:
        return
    if ident.year is None:
        ident.year = period
        ident.issues.append(_flag("identity_year_from_period", f"no title prints the year; {period} taken from the "
                                  "statistics period (统计期限) sentence"))
    elif period != ident.year:
        ident.issues.append(_flag("identity_year_conflict", f"{ident.year_from} says {ident.year} but the statistics "
                                  f"period (统计期限) is {period}: the report's year is uncertain", "error"))
