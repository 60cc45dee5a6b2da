-- Reviewed corrections (warehouse/reference/corrections.yaml), applied in views only: the fact
-- tables keep the published numbers. warehouse/corrections.py registers the file's entries as
-- `correction_entries` and runs `replace`; the views are created on every connection.

-- name: views
-- Every cell of the fact tables in one shape: report, agency, year, cell key, value, printed token.
CREATE OR REPLACE VIEW fact_cells AS
SELECT report_id, agency_id, year, category_code || '|' || applicant_code AS cell_key, CAST(value AS DOUBLE) AS value,
       raw_token, 'fact_applications' AS fact_table
FROM fact_applications
UNION ALL
SELECT report_id, agency_id, year, row_code || '|' || col_code, CAST(value AS DOUBLE), raw_token, 'fact_proactive_disclosure'
FROM fact_proactive_disclosure
UNION ALL
SELECT report_id, agency_id, year, '4|' || col_code, CAST(value AS DOUBLE), raw_token, 'fact_review_litigation'
FROM fact_review_litigation;

-- The fact tables with corrections applied: `value` is the corrected number where an entry applies,
-- `published_value` what the report printed, `correction` the entry's reason (NULL: as published).
-- The cell key is split on the corrections' side (a handful of rows), never built for every fact
-- row: at 3 × 10^8 rows that string building was most of a query's time.
CREATE OR REPLACE VIEW fact_applications_corrected AS
SELECT f.* REPLACE (CASE WHEN c.applied THEN CAST(c.value AS BIGINT) ELSE f.value END AS value),
       f.value AS published_value, c.reason AS correction
FROM fact_applications f
LEFT JOIN (SELECT *, split_part(cell_key, '|', 1) AS row_code, split_part(cell_key, '|', 2) AS col_code
           FROM corrections WHERE applied) c
       ON c.report_id = f.report_id AND c.row_code = f.category_code AND c.col_code = f.applicant_code;

CREATE OR REPLACE VIEW fact_review_litigation_corrected AS
SELECT f.* REPLACE (CASE WHEN c.applied THEN CAST(c.value AS BIGINT) ELSE f.value END AS value),
       f.value AS published_value, c.reason AS correction
FROM fact_review_litigation f
LEFT JOIN (SELECT *, substr(cell_key, 3) AS col_code FROM corrections WHERE applied AND cell_key LIKE '4|%') c
       ON c.report_id = f.report_id AND c.col_code = f.col_code;

CREATE OR REPLACE VIEW fact_proactive_disclosure_corrected AS
SELECT f.* REPLACE (CASE WHEN c.applied THEN CAST(c.value AS DECIMAL(20, 6)) ELSE f.value END AS value),
       f.value AS published_value, c.reason AS correction
FROM fact_proactive_disclosure f
LEFT JOIN (SELECT *, split_part(cell_key, '|', 1) AS row_code, split_part(cell_key, '|', 2) AS col_code
           FROM corrections WHERE applied) c
       ON c.report_id = f.report_id AND c.row_code = f.row_code AND c.col_code = f.col_code;

-- name: replace
-- Each entry, with the current report and published value it applies to; applied = false when no
-- current report of that agency-year prints the cell (listed, so a stale entry is seen). An entry
-- names an agency_key, or a printed name: that name's agency when its reports belong to one agency
-- (report_agencies; else what the name alone resolves to, agency_aliases). A printed name two
-- agencies publish under ("县信访局" of two counties) names neither: agency_key NULL, not applied —
-- the entry must give the agency_key.
DELETE FROM corrections;
INSERT INTO corrections
WITH by_name AS (
    SELECT agency_id AS name, CASE WHEN count(DISTINCT agency_key) = 1 THEN any_value(agency_key) END AS agency_key,
           count(DISTINCT agency_key) AS agencies
    FROM report_agencies WHERE agency_id IN (SELECT agency FROM correction_entries) GROUP BY agency_id
), entries AS (
    SELECT e.*, CASE WHEN e.agency IN (SELECT agency_key FROM agencies) THEN e.agency
                     WHEN n.agencies > 1 THEN NULL
                     ELSE coalesce(n.agency_key, a.agency_key, e.agency) END AS agency_key
    FROM correction_entries e
    LEFT JOIN by_name n ON n.name = e.agency
    LEFT JOIN agency_aliases a ON a.name = e.agency
)
SELECT e.agency, e.agency_key, e.year, e.cell AS cell_key, e.value, e.reason, e.source,
       f.report_id, f.value AS published_value, f.raw_token, f.report_id IS NOT NULL AS applied
FROM entries e
LEFT JOIN (SELECT f.*, a.agency_key FROM fact_cells f JOIN report_agencies a USING (report_id)) f
       ON f.agency_key = e.agency_key AND f.year = e.year AND f.cell_key = e.cell;
