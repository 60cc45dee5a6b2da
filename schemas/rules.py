"""The format's arithmetic rules as data, and their evaluation on a report's cells.

Evaluation is pure: given the cells (numbers or None) of one report it returns one record per rule
instance (rule, scope, the cells involved, the printed value and the value the rule expects). Blank
cells (None) are never read as 0: an instance that touches one is *skipped* and says which cells.
The pandera schema in ``schemas.checks`` turns these records into check results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from schemas.format import T3_APPLICANT_COLUMNS, cell_key, t3_columns, t3_data_rows


@dataclass(frozen=True)
class RuleInstance:
    rule: str
    scope: str
    lhs: tuple[str, ...]  # cells whose sum is the printed value ("found")
    rhs: tuple[str, ...]  # cells whose sum the rule expects ("expected")
    description: str


@dataclass
class RuleResult:
    rule: str
    scope: str
    cells: list[str]
    found: float | None
    expected: float | None
    status: str  # ok | violated | skipped
    skipped_cells: list[str] = field(default_factory=list)
    message: str = ""


RULE_DESCRIPTIONS = {
    "T3.balance": "新收 + 上年结转 = （七）总计 + 结转下年度 (printed in table 3)",
    "T3.row_total": "总计 = 自然人 + 法人或其他组织 (5 columns)",
    "T3.results_total": "（七）总计 = sum of all outcome rows （一）…（六）",
    "T4.review_total": "行政复议 总计 = 维持 + 纠正 + 其他 + 尚未审结",
    "T4.direct_total": "未经复议直接起诉 总计 = 维持 + 纠正 + 其他 + 尚未审结",
    "T4.after_review_total": "复议后起诉 总计 = 维持 + 纠正 + 其他 + 尚未审结",
}


def rule_instances(table_formats: dict[str, str]) -> list[RuleInstance]:
    out: list[RuleInstance] = []
    if "T3" in table_formats:
        single = table_formats["T3"] in ("2019", "hybrid")
        rows = t3_data_rows(single)
        outcome_rows = [r.code for r in rows if r.code.startswith("3.3.") and r.code != "3.3.7"]
        for c in (col.code for col in t3_columns()):
            out.append(
                RuleInstance(
                    "T3.balance", c, (cell_key("3.3.7", c), cell_key("3.4", c)),
                    (cell_key("3.1", c), cell_key("3.2", c)), RULE_DESCRIPTIONS["T3.balance"],
                )
            )
        for r in rows:
            out.append(
                RuleInstance(
                    "T3.row_total", r.code, (cell_key(r.code, "total"),),
                    tuple(cell_key(r.code, a) for a in T3_APPLICANT_COLUMNS), RULE_DESCRIPTIONS["T3.row_total"],
                )
            )
        for c in (col.code for col in t3_columns()):
            out.append(
                RuleInstance(
                    "T3.results_total", c, (cell_key("3.3.7", c),),
                    tuple(cell_key(r, c) for r in outcome_rows), RULE_DESCRIPTIONS["T3.results_total"],
                )
            )
    if "T4" in table_formats:
        for rule, g in (("T4.review_total", "R"), ("T4.direct_total", "LD"), ("T4.after_review_total", "LA")):
            out.append(
                RuleInstance(
                    rule, g, (cell_key("4", f"{g}.total"),),
                    tuple(cell_key("4", f"{g}.{k}") for k in ("maintain", "correct", "other", "pending")),
                    RULE_DESCRIPTIONS[rule],
                )
            )
    return out


def _num(v: object) -> Decimal | None:
    if v is None or isinstance(v, str):
        return None
    return Decimal(str(v))


def evaluate(cells: dict[str, object], table_formats: dict[str, str]) -> list[RuleResult]:
    """Evaluate every rule instance. Missing or blank cells make an instance ``skipped``."""
    results = []
    for inst in rule_instances(table_formats):
        involved = [*inst.rhs, *inst.lhs]
        blanks = [k for k in involved if _num(cells.get(k)) is None]
        if blanks:
            results.append(
                RuleResult(inst.rule, inst.scope, involved, None, None, "skipped", blanks,
                           f"{inst.rule} [{inst.scope}] not checked: blank cells {', '.join(blanks)}")
            )
            continue
        found = sum((_num(cells[k]) for k in inst.lhs), Decimal(0))
        expected = sum((_num(cells[k]) for k in inst.rhs), Decimal(0))
        ok = found == expected
        results.append(
            RuleResult(
                inst.rule, inst.scope, involved, float(found), float(expected), "ok" if ok else "violated", [],
                "" if ok else f"{inst.rule} [{inst.scope}]: {inst.description}; printed {found}, parts sum to {expected}",
            )
        )
    return results
