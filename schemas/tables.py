"""pandera schemas for every fact table the warehouse holds, and the arithmetic rules as checks.

Fact-table schemas check types, code sets, non-negative counts and unique keys. The rule schema
checks the rule evaluation records of ``schemas.rules``: a failing row *is* a violation, carrying
which rule, which cells, the printed ("found") and expected values.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.format import T4_GROUPS, all_cell_defs, t3_columns, t3_rows_all, t4_columns

T3_CATEGORY_CODES = sorted({r.code for r in t3_rows_all()})
T3_APPLICANT_CODES = [c.code for c in t3_columns()]
T4_COLUMN_CODES = [c.code for c in t4_columns()]
T2_CELL_KEYS = sorted(k for k, d in all_cell_defs().items() if d.table == "T2")
REPORT_STATUSES = ["valid", "invalid", "failed", "not_a_report"]
FORMATS = ["2021", "2019", "hybrid"]


class FactApplications(pa.DataFrameModel):
    """Table 3: applications received and how each was answered, per applicant type."""

    report_id: Series[str]
    agency_id: Series[str]
    year: Series[int] = pa.Field(ge=1990, le=2100)
    category_code: Series[str] = pa.Field(isin=T3_CATEGORY_CODES)
    applicant_code: Series[str] = pa.Field(isin=T3_APPLICANT_CODES)
    value: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    raw_token: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["report_id", "agency_id", "year", "category_code", "applicant_code"]
        coerce = True


class FactProactiveDisclosure(pa.DataFrameModel):
    """Table 2: proactive disclosure (规章/规范性文件, 许可, 处罚, 强制, 收费; 2019: 采购)."""

    report_id: Series[str]
    agency_id: Series[str]
    year: Series[int] = pa.Field(ge=1990, le=2100)
    table_format: Series[str] = pa.Field(isin=["2021", "2019"])
    row_code: Series[str]
    col_code: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    raw_token: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(name="known_cell")
    def known_cell(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["row_code"] + "|" + df["col_code"]).isin(T2_CELL_KEYS)

    @pa.dataframe_check(name="nonneg")
    def nonneg_except_delta(cls, df: pd.DataFrame) -> Series[bool]:
        # 2019-format 本年增/减 is a signed change; everything else is a count or an amount.
        return df["value"].isna() | (df["col_code"] == "delta") | (df["value"] >= 0)

    class Config:
        unique = ["report_id", "agency_id", "year", "row_code", "col_code"]
        coerce = True


class FactReviewLitigation(pa.DataFrameModel):
    """Table 4: administrative reviews and lawsuits about disclosure, by outcome."""

    report_id: Series[str]
    agency_id: Series[str]
    year: Series[int] = pa.Field(ge=1990, le=2100)
    col_code: Series[str] = pa.Field(isin=T4_COLUMN_CODES)
    proceeding: Series[str] = pa.Field(isin=list(T4_GROUPS))
    outcome: Series[str] = pa.Field(isin=["maintain", "correct", "other", "pending", "total"])
    value: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    raw_token: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["report_id", "agency_id", "year", "col_code"]
        coerce = True


class ValidationIssues(pa.DataFrameModel):
    report_id: Series[str]
    rule: Series[str]
    severity: Series[str] = pa.Field(isin=["error", "warning", "info"])
    origin: Series[str] = pa.Field(isin=["publisher", "parser"])
    cells: Series[object]
    expected: Series[float] = pa.Field(nullable=True)
    found: Series[float] = pa.Field(nullable=True)
    message: Series[str]

    class Config:
        coerce = True


class Reports(pa.DataFrameModel):
    report_id: Series[str] = pa.Field(unique=True)
    agency_id: Series[str] = pa.Field(nullable=True)
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1990, le=2100)
    source: Series[str]
    sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    media_type: Series[str]
    status: Series[str] = pa.Field(isin=REPORT_STATUSES)

    class Config:
        coerce = True


class RuleResults(pa.DataFrameModel):
    """One row per rule instance (see ``schemas.rules.evaluate``); a failing row is a violation."""

    rule: Series[str]
    scope: Series[str]
    status: Series[str] = pa.Field(isin=["ok", "violated", "skipped"])
    found: Series[float] = pa.Field(nullable=True)
    expected: Series[float] = pa.Field(nullable=True)

    @pa.dataframe_check(name="arithmetic_identity")
    def identity_holds(cls, df: pd.DataFrame) -> Series[bool]:
        # Skipped instances (blank cells) pass: blanks are not zeros, so nothing can be said.
        return (df["status"] == "skipped") | (df["found"] == df["expected"])
