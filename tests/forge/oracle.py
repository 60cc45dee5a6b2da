"""The forge's own checker of the format's identities: what a person checking a printed report would
compute, written out here from the format's text (../shared/spec/format_2021.md), sharing no code with
``schemas.rules`` — so the forge's expected violations are not the validator's own answers.

Each identity over a report's true cells gives ``(rule, cells, expected, found)`` when it does not hold:
``cells`` sorted, ``found`` the printed total, ``expected`` the sum of its parts. An identity that
touches a blank (None or a text) is not checked: a blank is not 0.
"""

from __future__ import annotations

from typing import Any

APPLICANTS = ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth")
T3_COLUMNS = (*APPLICANTS, "total")
# Table 3's outcome rows under 三、本年度办理结果, typed from the format: （一）（二）, 不予公开 1–8,
# 无法提供 1–3, 不予处理 1–5, then 其他处理 — three rows (2021) or one (2019 and the hybrid).
OUTCOMES_BEFORE_OTHER = ("3.3.1", "3.3.2", *(f"3.3.3.{i}" for i in range(1, 9)), *(f"3.3.4.{i}" for i in range(1, 4)),
                         *(f"3.3.5.{i}" for i in range(1, 6)))
OTHER_2021 = ("3.3.6.1", "3.3.6.2", "3.3.6.3")
OTHER_SINGLE = ("3.3.6",)
PROCEEDINGS = (("T4.review_total", "R"), ("T4.direct_total", "LD"), ("T4.after_review_total", "LA"))
RESULTS = ("maintain", "correct", "other", "pending")

Violation = tuple[str, list[str], float, float]


def _number(v: object) -> float | None:
    return None if v is None or isinstance(v, str) else float(v)  # type: ignore[arg-type]


def _check(cells: dict[str, Any], rule: str, total: list[str], parts: list[str]) -> Violation | None:
    values = [_number(cells.get(k)) for k in (*total, *parts)]
    if any(v is None for v in values):
        return None
    found = sum(_number(cells[k]) or 0.0 for k in total)
    expected = sum(_number(cells[k]) or 0.0 for k in parts)
    return None if found == expected else (rule, sorted([*total, *parts]), expected, found)


def violations(cells: dict[str, Any], table_formats: dict[str, str]) -> list[Violation]:
    """Every identity of tables 3 and 4 that the cells break, sorted."""
    out: list[Violation | None] = []
    if "T3" in table_formats:
        outcomes = OUTCOMES_BEFORE_OTHER + (OTHER_SINGLE if table_formats["T3"] in ("2019", "hybrid") else OTHER_2021)
        rows = ("3.1", "3.2", *outcomes, "3.3.7", "3.4")
        for c in T3_COLUMNS:  # 一 + 二 = 三（七）+ 四, as the table itself says
            out.append(_check(cells, "T3.balance", [f"3.3.7|{c}", f"3.4|{c}"], [f"3.1|{c}", f"3.2|{c}"]))
        for r in rows:  # each row's 总计 is its applicants' sum
            out.append(_check(cells, "T3.row_total", [f"{r}|total"], [f"{r}|{a}" for a in APPLICANTS]))
        for c in T3_COLUMNS:  # （七）总计 is the sum of the outcome rows
            out.append(_check(cells, "T3.results_total", [f"3.3.7|{c}"], [f"{r}|{c}" for r in outcomes]))
    if "T4" in table_formats:
        for rule, g in PROCEEDINGS:
            out.append(_check(cells, rule, [f"4|{g}.total"], [f"4|{g}.{k}" for k in RESULTS]))
    return sorted(v for v in out if v is not None)
