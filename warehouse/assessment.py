"""The assessment's parameters (warehouse/reference/assessment.yaml), validated and written where the
assessment views (warehouse/sql/assessment.sql) read them: the warehouse's assessment_* tables after
every load, or TEMP tables of the same names on a read-only connection (``nianbao assess --config``),
which the views then read instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from warehouse.db import sql_named, transaction

ASSESSMENT = Path(__file__).parent / "reference" / "assessment.yaml"
INDICATORS = ("on_time", "changed", "publication", "complete", "accurate", "consistent", "substance", "fees")
KINDS = ("department", "general_office", "government", "special_zone", "township")
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class AssessmentError(ValueError):
    """The assessment file cannot be used; the message names the file and the field."""


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(ge=0)
    name_zh: str = Field(min_length=2)
    name_en: str = Field(min_length=2)
    basis: str = Field(min_length=2)


class Substance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_chars: int = Field(ge=0)
    min_clause_chars: int = Field(ge=2)
    repeat_share: float = Field(gt=0, le=1)
    fees_from_year: int = Field(ge=2008, le=2100)


class AssessmentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicators: dict[str, Indicator]
    deadlines: dict[str, MonthDay]
    provinces: dict[str, dict[str, MonthDay]] = Field(default_factory=dict)
    penalty: float = Field(gt=0, le=1)
    rule_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    substance: Substance

    @field_validator("indicators")
    @classmethod
    def _every_indicator(cls, v: dict[str, Indicator]) -> dict[str, Indicator]:
        if set(v) != set(INDICATORS):
            missing, unknown = sorted(set(INDICATORS) - set(v)), sorted(set(v) - set(INDICATORS))
            raise ValueError(f"indicators must be exactly {', '.join(INDICATORS)} (missing: {missing}, unknown: {unknown})")
        if not any(i.weight > 0 for i in v.values()):
            raise ValueError("at least one indicator needs a weight above 0")
        return v

    @model_validator(mode="after")
    def _kinds_known(self) -> AssessmentConfig:
        for where, table in [("deadlines", self.deadlines)] + [(f"provinces.{p}", t) for p, t in self.provinces.items()]:
            unknown = sorted(set(table) - set(KINDS))
            if unknown:
                raise ValueError(f"{where}: unknown agency kind(s) {unknown}; kinds are {', '.join(KINDS)}")
        for rule in self.rule_weights:
            if not re.fullmatch(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?", rule):
                raise ValueError(f"rule_weights: {rule!r} is not a rule (T4.review_total) or a family (T3.*)")
        return self


def load_config(path: Path = ASSESSMENT, weights: dict[str, float] | None = None) -> AssessmentConfig:
    """The file validated; ``weights`` (indicator → weight) overrides the file's weights."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise AssessmentError(f"{path}: cannot read ({' '.join(str(err).split())})") from None
    for name, weight in (weights or {}).items():
        if name not in INDICATORS:
            raise AssessmentError(f"unknown indicator {name!r}; indicators are {', '.join(INDICATORS)}")
        data.setdefault("indicators", {}).setdefault(name, {})["weight"] = weight
    try:
        return AssessmentConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise AssessmentError(f"{path}: {where}: {first['msg']}") from None


def frames(config: AssessmentConfig) -> dict[str, pd.DataFrame]:
    """The four parameter tables of the assessment views."""
    indicators = pd.DataFrame([{"indicator": k, "position": INDICATORS.index(k) + 1, **v.model_dump()}
                               for k, v in config.indicators.items()])
    deadlines = [{"province": None, "kind": k, "month": int(d[:2]), "day": int(d[3:])} for k, d in config.deadlines.items()]
    deadlines += [{"province": p, "kind": k, "month": int(d[:2]), "day": int(d[3:])}
                  for p, table in config.provinces.items() for k, d in table.items()]
    rules = pd.DataFrame([{"rule": r, "weight": w} for r, w in config.rule_weights.items()], columns=["rule", "weight"])
    params = pd.DataFrame([{"penalty": config.penalty, **config.substance.model_dump()}])
    return {"assessment_indicator_config": indicators,
            "assessment_deadlines": pd.DataFrame(deadlines, columns=["province", "kind", "month", "day"]),
            "assessment_rule_weights": rules, "assessment_parameters": params}


def refresh(conn: duckdb.DuckDBPyConnection, path: Path = ASSESSMENT) -> None:
    """Replace the warehouse's parameter tables with the file's (after every load)."""
    with transaction(conn):
        for table, frame in frames(load_config(path)).items():
            conn.execute(f"DELETE FROM {table}")
            _insert(conn, table, frame)


def use_config(conn: duckdb.DuckDBPyConnection, config: AssessmentConfig) -> None:
    """On this connection only (read-only is fine), the assessment reads ``config``: TEMP tables named
    as the warehouse's parameter tables come first in DuckDB's search path, and so do TEMP copies of
    the views (this release's, also over a warehouse written by an older one)."""
    for table, frame in frames(config).items():
        conn.register("assessment_frame", frame)
        try:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM assessment_frame")
        finally:
            conn.unregister("assessment_frame")
    conn.execute(sql_named("assessment.sql")["views"].replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    conn.register("assessment_frame", frame)
    try:
        conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM assessment_frame")
    finally:
        conn.unregister("assessment_frame")
