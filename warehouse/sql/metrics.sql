-- Metrics for comparing agencies and years, as views over the current reports of each agency
-- (agency_reports: one agency under all its printed names), with reviewed corrections applied
-- (*_corrected views; without an entry in corrections.yaml every number is as published). Every metric keeps NULL where a cell
-- it needs is blank in the report: NULL is not 0, and a share over a 总计 of 0 is NULL, not 0.
-- Formulas, units and the table formats each is valid for are documented on each view and in
-- docs/data_dictionary.md. Cell keys are <row>|<column> of schemas/format_2021.json.

-- Table 3, one row per report: the column 总计 (total) of each row, and per outcome group the sum of
-- its sub-rows (NULL when any sub-row is blank). The 2019 format (and the hybrid) prints （六）其他处理
-- as one row (3.3.6); the 2021 format as three sub-rows (3.3.6.1–3): other_outcomes is their sum then.
-- The per-report numbers are materialised in metric_t3_report after every load (warehouse/analysis.py,
-- metrics_refresh.sql): at national size (3 × 10^8 fact rows) pivoting them on every query takes
-- seconds, reading 1.75 M pre-pivoted rows milliseconds (docs/benchmarks.md). Each row carries its
-- agency's columns (agency_reports, as resolved by the same refresh), so the metric views read one
-- table: joining 1.75 M reports through agency_reports on every query took about a second.
CREATE TABLE IF NOT EXISTS metric_t3_report (
    report_id         VARCHAR,               -- a current report with its agency (NULL numbers: no table 3 printed)
    new_applications  BIGINT,
    carried_over      BIGINT,
    disclosed         BIGINT,
    partly_disclosed  BIGINT,
    withheld          BIGINT,
    unable_to_provide BIGINT,
    not_processed     BIGINT,
    other_outcomes    BIGINT,
    handled           BIGINT,
    carried_forward   BIGINT,
    agency_key        VARCHAR,               -- the report's agency (agency_reports), its names, year, region, level and kind
    canonical_name    VARCHAR,
    agency_id         VARCHAR,
    year              INTEGER,
    t3_format         VARCHAR,
    level             VARCHAR,
    kind              VARCHAR,
    province          VARCHAR,
    prefecture        VARCHAR,
    county            VARCHAR
);
-- (a warehouse file made before these columns: they are added, and the next refresh fills them)
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS agency_key VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS canonical_name VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS agency_id VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS year INTEGER;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS t3_format VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS level VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS province VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS prefecture VARCHAR;
ALTER TABLE metric_t3_report ADD COLUMN IF NOT EXISTS county VARCHAR;

-- Table 3's totals of each current report (metric_t3_report) with its agency: one agency under all its
-- printed names, its region, level and kind (agency_reports).
CREATE OR REPLACE VIEW metric_base_t3 AS
SELECT agency_key, canonical_name, agency_id, year, report_id, t3_format, level, kind, province, prefecture, county,
       new_applications, carried_over, disclosed, partly_disclosed, withheld, unable_to_provide, not_processed,
       other_outcomes, handled, carried_forward
FROM metric_t3_report;

-- Application volume (count of applications, 件). Valid for every format.
--   new_applications = 3.1|total (本年新收), carried_over = 3.2|total (上年结转),
--   handled = 3.3.7|total (（七）总计), carried_forward = 3.4|total (结转下年度继续办理)
CREATE OR REPLACE VIEW metric_application_volume AS
SELECT agency_key, canonical_name, agency_id, year, report_id, t3_format, level, kind, province, prefecture, county,
       new_applications, carried_over, handled, carried_forward
FROM metric_base_t3;

-- Outcome shares (ratio 0–1) over （七）总计 (3.3.7|total). Valid for every format for 予以公开 …
-- 不予处理; other_share (（六）其他处理) is one printed row in the 2019 format and the hybrid but the sum
-- of three sub-rows in the 2021 format: other_share_comparable is false across that change.
--   disclose_rate = 3.3.1|total / 3.3.7|total                 予以公开率
--   partial_rate  = 3.3.2|total / 3.3.7|total                 部分公开率
--   withhold_rate = Σ 3.3.3.1–8|total / 3.3.7|total           不予公开率
--   unable_rate   = Σ 3.3.4.1–3|total / 3.3.7|total           无法提供率
--   not_processed_rate = Σ 3.3.5.1–5|total / 3.3.7|total      不予处理率
--   other_share   = 3.3.6|total (2019/hybrid) or Σ 3.3.6.1–3|total (2021) / 3.3.7|total
CREATE OR REPLACE VIEW metric_outcome_shares AS
SELECT agency_key, canonical_name, agency_id, year, report_id, t3_format, level, kind, province, prefecture, county,
       handled,
       disclosed / nullif(handled, 0)          AS disclose_rate,
       partly_disclosed / nullif(handled, 0)   AS partial_rate,
       withheld / nullif(handled, 0)           AS withhold_rate,
       unable_to_provide / nullif(handled, 0)  AS unable_rate,
       not_processed / nullif(handled, 0)      AS not_processed_rate,
       other_outcomes / nullif(handled, 0)     AS other_share,
       t3_format = '2021'                      AS other_share_comparable
FROM metric_base_t3;

-- Applicant mix of the new applications (3.1): per applicant type its count (件) and its share of
-- 3.1|total (ratio 0–1). Valid for every format. Materialised per report in metric_applicant_report.
CREATE TABLE IF NOT EXISTS metric_applicant_report (
    report_id        VARCHAR,               -- a current report with a 3.1|total cell
    applicant_code   VARCHAR,               -- np | lp_com | lp_res | lp_ngo | lp_law | lp_oth
    new_applications BIGINT,                -- 3.1|<applicant>
    share            DOUBLE,                -- 3.1|<applicant> / 3.1|total; NULL when either is blank or the total is 0
    agency_key       VARCHAR,               -- the report's agency (agency_reports) and year
    canonical_name   VARCHAR,
    agency_id        VARCHAR,
    year             INTEGER
);
-- (a warehouse file made before these columns: they are added, and the next refresh fills them)
ALTER TABLE metric_applicant_report ADD COLUMN IF NOT EXISTS agency_key VARCHAR;
ALTER TABLE metric_applicant_report ADD COLUMN IF NOT EXISTS canonical_name VARCHAR;
ALTER TABLE metric_applicant_report ADD COLUMN IF NOT EXISTS agency_id VARCHAR;
ALTER TABLE metric_applicant_report ADD COLUMN IF NOT EXISTS year INTEGER;

CREATE OR REPLACE VIEW metric_applicant_mix AS
SELECT m.agency_key, m.canonical_name, m.agency_id, m.year, m.report_id, m.applicant_code, a.label AS applicant,
       m.new_applications, m.share
FROM metric_applicant_report m
JOIN dim_applicant_type a ON a.applicant_code = m.applicant_code;

-- 行政复议 (R), 行政诉讼 未经复议直接起诉 (LD) and 复议后起诉 (LA): counts (件) and the correction rate
-- (纠错率, ratio 0–1) over the decided cases. Valid for every format. The counts are materialised per
-- report and proceeding in metric_review_report.
--   correction_rate = correct / (maintain + correct + other); NULL when a cell is blank or nothing was decided
CREATE TABLE IF NOT EXISTS metric_review_report (
    report_id  VARCHAR,                     -- a current report
    proceeding VARCHAR,                     -- R | LD | LA
    maintain   BIGINT,                      -- 4|<proceeding>.maintain (结果维持)
    correct    BIGINT,                      -- 4|<proceeding>.correct (结果纠正)
    other      BIGINT,                      -- 4|<proceeding>.other (其他结果)
    pending    BIGINT,                      -- 4|<proceeding>.pending (尚未审结)
    total      BIGINT,                      -- 4|<proceeding>.total (总计)
    agency_key     VARCHAR,                 -- the report's agency (agency_reports), year, region, level and kind
    canonical_name VARCHAR,
    agency_id      VARCHAR,
    year           INTEGER,
    level          VARCHAR,
    kind           VARCHAR,
    province       VARCHAR,
    prefecture     VARCHAR,
    county         VARCHAR
);
-- (a warehouse file made before these columns: they are added, and the next refresh fills them)
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS agency_key VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS canonical_name VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS agency_id VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS year INTEGER;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS level VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS province VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS prefecture VARCHAR;
ALTER TABLE metric_review_report ADD COLUMN IF NOT EXISTS county VARCHAR;

CREATE OR REPLACE VIEW metric_review_litigation AS
SELECT m.agency_key, m.canonical_name, m.agency_id, m.year, m.report_id, m.level, m.kind, m.province, m.prefecture,
       m.county, m.proceeding, c.proceeding_label, m.maintain, m.correct, m.other, m.pending, m.total,
       m.correct / nullif(m.maintain + m.correct + m.other, 0) AS correction_rate
FROM metric_review_report m
JOIN (SELECT DISTINCT proceeding, proceeding_label FROM dim_review_litigation_column) c ON c.proceeding = m.proceeding;

-- Table 3 summed over agencies: per year, province, level, kind and table format, each cell
-- (row × column) of the current reports — value = the sum of the printed numbers, printed / blank =
-- how many reports printed a number / left the cell blank ('', '/', '—': never counted as 0), reports =
-- both. Region × year roll-ups read this (tens of thousands of rows) instead of 3 × 10^8 fact rows.
CREATE TABLE IF NOT EXISTS metric_t3_rollup (
    year           INTEGER,
    province       VARCHAR,
    level          VARCHAR,
    kind           VARCHAR,
    t3_format      VARCHAR,
    category_code  VARCHAR,
    applicant_code VARCHAR,
    value          HUGEINT,
    printed        BIGINT,
    blank          BIGINT,
    reports        BIGINT
);

-- Year-over-year change of an agency's headline numbers (same agency_key, consecutive years).
-- change = value − prev_value; pct_change = change / prev_value (NULL when prev_value is 0 or
-- blank). comparable is false for other_share across the 2019 → 2021 format change.
CREATE OR REPLACE VIEW metric_yoy AS
WITH series AS (
    SELECT agency_key, canonical_name, year, t3_format, 'new_applications' AS metric, CAST(new_applications AS DOUBLE) AS value
    FROM metric_base_t3
    UNION ALL SELECT agency_key, canonical_name, year, t3_format, 'handled', handled FROM metric_base_t3
    UNION ALL SELECT agency_key, canonical_name, year, t3_format, 'withhold_rate', withhold_rate FROM metric_outcome_shares
    UNION ALL SELECT agency_key, canonical_name, year, t3_format, 'disclose_rate', disclose_rate FROM metric_outcome_shares
    UNION ALL SELECT agency_key, canonical_name, year, t3_format, 'other_share', other_share FROM metric_outcome_shares
    UNION ALL SELECT agency_key, canonical_name, year, NULL, proceeding || '.total', total FROM metric_review_litigation
    UNION ALL SELECT agency_key, canonical_name, year, NULL, proceeding || '.correction_rate', correction_rate
              FROM metric_review_litigation
)
SELECT t.agency_key, t.canonical_name, t.metric, t.year, p.year AS prev_year, t.value, p.value AS prev_value,
       t.value - p.value AS change, (t.value - p.value) / nullif(p.value, 0) AS pct_change,
       NOT (t.metric = 'other_share' AND t.t3_format IS DISTINCT FROM p.t3_format) AS comparable
FROM series t JOIN series p ON p.agency_key = t.agency_key AND p.metric = t.metric AND p.year = t.year - 1;
