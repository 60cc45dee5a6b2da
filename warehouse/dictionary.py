"""The data dictionary, generated so it cannot drift: every table and view with its columns and
types as DuckDB reports them, each described by the comments beside it in the .sql files, and the
format's codes with their Chinese labels (``schemas.format``) and English names
(``schemas.glossary``) side by side. ``nianbao dictionary`` writes it; exports carry a copy."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import duckdb

from schemas import format as fmt
from schemas import glossary as en

SQL_FILES = ("schema.sql", "documents.sql", "views.sql", "cross_year.sql", "corrections.sql", "metrics.sql", "roster.sql",
             "assessment.sql", "catalogue.sql")
_CREATE = re.compile(r"CREATE (?:OR REPLACE )?(?:TABLE|VIEW)(?: IF NOT EXISTS)? (\w+)", re.I)
_COLUMN = re.compile(r"^\s+(\w+)\s+[A-Z][A-Z0-9_(), ]*?[^-]*?--\s*(.+)$")
_ALTER = re.compile(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+) [^;]*;\s*--\s*(.+)$", re.I)


def sql_comments() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(relation → the comment block above its CREATE, (relation, column) → the comment beside it)."""
    described: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for name in SQL_FILES:
        lines = resources.files("warehouse").joinpath("sql", name).read_text(encoding="utf-8").splitlines()
        block: list[str] = []
        current = None
        for line in lines:
            if (m := _ALTER.search(line)):
                columns[(m.group(1), m.group(2))] = m.group(3).strip()
                block = []
                continue
            if line.startswith("--"):
                text = line.lstrip("-").strip()
                if not text.startswith("name:"):
                    block.append(text)
                continue
            if (m := _CREATE.search(line)):
                current = m.group(1)
                if block:
                    described[current] = " ".join(block).strip()
                block = []
                continue
            if not line.strip():
                block = []
            if current and (m := _COLUMN.match(line)):
                columns[(current, m.group(1))] = m.group(2).strip()
    return described, columns


def relations(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, BASE TABLE | VIEW, [(column, type)]) of every relation in the main schema."""
    rows = conn.execute("""SELECT t.table_name, t.table_type, c.column_name, c.data_type
                           FROM information_schema.tables t JOIN information_schema.columns c USING (table_schema, table_name)
                           WHERE t.table_schema = 'main' ORDER BY t.table_type, t.table_name, c.ordinal_position""").fetchall()
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for table, kind, column, dtype in rows:
        out.setdefault(table, (kind, []))[1].append((column, dtype))
    return [(name, kind, cols) for name, (kind, cols) in out.items()]


def codes() -> dict[str, list[dict[str, Any]]]:
    """Every code of the format with its Chinese label and English name."""
    t3 = [{"code": r.code, "label_zh": r.label, "name_en": en.T3_ROWS.get(r.code, "")} for r in fmt.t3_rows_all()]
    applicants = [{"code": c.code, "label_zh": c.label, "name_en": en.APPLICANTS[c.code]} for c in fmt.t3_columns()]
    t2 = [{"code": f"{r.code}|{c.code}", "format": f, "label_zh": f"{b.caption} {r.label} {c.label}",
           "name_en": f"{en.T2_ROWS.get(r.code, '')}: {en.T2_COLUMNS.get(c.code, '')}"}
          for f in ("2021", "2019") for b in fmt.t2_blocks(f) for r in b.rows for c in b.columns]
    t4 = [{"code": f"4|{c.code}", "label_zh": f"{fmt.T4_GROUPS[c.code.split('.')[0]]} {c.label}",
           "name_en": f"{en.PROCEEDINGS[c.code.split('.')[0]]}: {en.OUTCOMES[c.code.split('.')[1]]}"} for c in fmt.t4_columns()]
    return {"table 3 rows (category_code)": t3, "applicant types (applicant_code)": applicants,
            "table 2 cells (row_code|col_code)": t2, "table 4 cells (4|col_code)": t4}


# Columns that many relations share, described once (a column's own comment wins)
COMMON_COLUMNS = {
    "report_id": "the report (reports.report_id): first 16 hex of the document's sha256, '-N' per report of a collection",
    "agency_id": "the agency's name as printed in the report's title",
    "agency_key": "one agency under all its printed names (agencies.agency_key; a report's: report_agencies)",
    "key_from": "identity_key (the report's identity, decided at load) | printed_name (loaded before identity keys: "
                "its name alone, agency_aliases)",
    "canonical_name": "the agency's name with its region path (agencies.canonical_name)",
    "year": "the year reported on (not the publication year)",
    "value": "the number as printed (NULL = blank in the report: never 0)",
    "raw_token": "the cell's text as printed ('' for an empty cell, '/', '—', …)",
    "source": "path or URL the document came from (crawl tables: the catalogue source)",
    "sha256": "SHA-256 of the document's bytes (raw archive: <data-dir>/raw/<sha[:2]>/<sha>)",
    "category_code": "table-3 row code (dim_application_category)", "applicant_code": "table-3 column code (dim_applicant_type)",
    "row_code": "table-2 row code (dim_proactive_item)", "col_code": "column code of table 2 or 4",
    "proceeding": "R 行政复议 | LD 未经复议直接起诉 | LA 复议后起诉", "outcome": "maintain | correct | other | pending | total",
    "rule": "the check: T3.* / T4.* arithmetic, nonneg, prose.*, X.* cross-year, or a parser rule",
    "cells": "the cell keys involved", "province": "province (GB/T 2260 name)", "prefecture": "prefecture-level city",
    "county": "county-level division", "level": "province | prefecture | county | township",
    "kind": "government | general_office | department | township | special_zone",
    "published_value": "the number as published, before a correction", "correction": "the applied correction's reason",
    # the assessment (warehouse/sql/assessment.sql, docs/assessment.md)
    "indicator": "on_time | changed | publication | complete | accurate | consistent | substance | fees",
    "result": "the indicator's result in a word (docs/assessment.md lists each indicator's)",
    "score": "0..1 (NULL: not scored — unknown or not applicable; left out of the total)",
    "evidence": "what decided the result: dates, cells, findings, matching passages",
    "basis": "the legal or format basis of the indicator (assessment.yaml)",
    "total": "100 × Σ weight × score / Σ weight of the indicators scored, 2 decimals",
    "weight_scored": "the weight the total rests on (indicators scored)", "weight_total": "the weight of every indicator",
    "days_late": "days after the deadline (< 0: days to spare); NULL when no date decides it",
    "deadline": "the report's deadline (条例 第四十九条; assessment.yaml by kind and province)",
    "date_basis": "stated (the page or document states it) | first_seen (when the crawler first fetched it)",
    "format_in_force": "the format in force for the year: 2021 from the 2021 reports on, else 2019",
    "share_previous": "share of part 5's comparable characters found word for word in last year's part 5",
    "share_other": "share of part 5's comparable characters found in an earlier part 5 of another agency that year",
    "rank_in_year": "rank by total among the year's agency-years (ties share a rank)",
    "rank_in_level": "rank by total within the year and level", "rank_in_province": "rank by total within the year and province",
    "rank_in_kind": "rank by total within the year and kind",
}


# Columns of one view, described where the view's SQL cannot carry a comment beside them
VIEW_COLUMNS = {
    ("catalogue_coverage_by_province", "province_code"): "the province's GB/T 2260 code (NULL: central bodies, unplaced sites)",
    ("catalogue_coverage_by_province", "province"): "the province's name (division library), 中央 (central) or 地区未知 (unplaced)",
    ("catalogue_coverage_by_province", "portals_seeded"): "sites of the built catalogue listed there",
    ("catalogue_coverage_by_province", "portals_verified"): "… whose own page declared the listed SiteIDCode (meta confirmed)",
    ("catalogue_coverage_by_province", "portals_with_column"): "… where the build found a 年报 column (status columns)",
    ("catalogue_coverage_by_province", "portals_crawled"): "… admitted to the crawl catalogue (sources.yaml)",
    ("catalogue_coverage_by_province", "reports_found"): "report pages and attachments fetched through those portals "
                                                         "(documents, distinct URLs)",
    ("catalogue_coverage_by_province", "reports_loaded"): "current valid or invalid reports found through those portals "
                                                          "(reports.catalog_source)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _meaning(relation: str, column: str, columns: dict[tuple[str, str], str]) -> str:
    """The column's own comment, else the comment of the same column in the table a view reads it
    from (reports, fact tables …), else the shared description."""
    if (relation, column) in columns:
        return columns[(relation, column)]
    if (relation, column) in VIEW_COLUMNS:
        return VIEW_COLUMNS[(relation, column)]
    for table in ("reports", "fact_applications", "fact_review_litigation", "fact_proactive_disclosure", "agencies",
                  "validation_issues", "documents", "crawl_runs"):
        if (table, column) in columns:
            return columns[(table, column)]
    return COMMON_COLUMNS.get(column, "")


def build(conn: duckdb.DuckDBPyConnection) -> str:
    """The dictionary as Markdown, for the warehouse ``conn`` is connected to."""
    described, columns = sql_comments()
    parts = ["# Data dictionary", "",
             "Generated from the warehouse's DDL and SQL comments and from `schemas/` by `nianbao dictionary` "
             "(do not edit by hand: a test compares this file with a fresh build). Guide: docs/warehouse_guide.md.", ""]
    for kind, heading in (("BASE TABLE", "Tables"), ("VIEW", "Views")):
        parts += [f"## {heading}", ""]
        for name, k, cols in relations(conn):
            if k != kind:
                continue
            parts += [f"### {name}", ""]
            if name in described:
                parts += [described[name], ""]
            parts += ["| column | type | meaning |", "|---|---|---|"]
            parts += [f"| {c} | {t} | {_cell(_meaning(name, c, columns))} |" for c, t in cols]
            parts.append("")
    parts += ["## Codes (中文 label and English name)", ""]
    for title, rows in codes().items():
        parts += [f"### {title}", "", "| code | 中文 | English |" + (" format |" if "format" in rows[0] else ""),
                  "|---|---|---|" + ("---|" if "format" in rows[0] else "")]
        parts += [f"| {_cell(r['code'])} | {_cell(r['label_zh'])} | {_cell(r['name_en'])} |"
                  + (f" {r['format']} |" if "format" in r else "") for r in rows]
        parts.append("")
    return "\n".join(parts)


def build_fresh() -> str:
    """The dictionary of an empty warehouse of this release (what the docs carry)."""
    from warehouse.db import connect

    with connect(":memory:") as conn:
        return build(conn)
