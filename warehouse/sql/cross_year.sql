-- Checks no single report can do: an agency's report against its own report of the year before
-- (the same agency: report_agencies, the report's identity — one agency under all its printed
-- names, and never another agency printing the same name). Run by warehouse/analysis.py after
-- every load, over the whole warehouse, so a finding stays until the reports change.

-- name: views
-- Every comparison made, agreeing or not (violated = the finding recorded in validation_issues):
--   X.carry_over      this year's 上年结转 (3.2) = last year's 结转下年度继续办理 (3.4), per applicant column
--   X.t2_valid_count  table 2 现行有效件数 = last year's + 本年制发 − 本年废止 (2021 format, both years)
--   X.copied_forward  tables 3 and 4 identical to last year's: expected = cells compared, found = cells
--                     equal; a finding when all of at least 50 are equal and 3 or more are not 0
-- Blank cells are not compared (NULL is not 0).
CREATE OR REPLACE VIEW cross_year_checks AS
WITH cur AS (
    SELECT a.agency_key, r.report_id, r.agency_id, r.year, r.source
    FROM reports r JOIN report_agencies a USING (report_id)
    WHERE r.is_current
), pairs AS (
    SELECT t.agency_key, t.year, t.report_id, t.agency_id, t.source,
           p.year AS prev_year, p.report_id AS prev_report_id, p.agency_id AS prev_agency_id, p.source AS prev_source
    FROM cur t JOIN cur p ON p.agency_key = t.agency_key AND p.year = t.year - 1
), carry AS (
    SELECT pr.*, 'X.carry_over' AS rule, ['3.2|' || t.applicant_code] AS cells, ['3.4|' || t.applicant_code] AS prev_cells,
           CAST(p.value AS DOUBLE) AS expected, CAST(t.value AS DOUBLE) AS found, CAST(p.value AS DOUBLE) AS prev_value
    FROM pairs pr
    JOIN fact_applications t ON t.report_id = pr.report_id AND t.category_code = '3.2'
    JOIN fact_applications p ON p.report_id = pr.prev_report_id AND p.category_code = '3.4' AND p.applicant_code = t.applicant_code
    WHERE t.value IS NOT NULL AND p.value IS NOT NULL
), t2 AS (
    SELECT pr.*, 'X.t2_valid_count' AS rule,
           [v.row_code || '|valid', v.row_code || '|made', v.row_code || '|repealed'] AS cells, [v.row_code || '|valid'] AS prev_cells,
           CAST(p.value + m.value - x.value AS DOUBLE) AS expected, CAST(v.value AS DOUBLE) AS found,
           CAST(p.value AS DOUBLE) AS prev_value
    FROM pairs pr
    JOIN fact_proactive_disclosure v ON v.report_id = pr.report_id AND v.table_format = '2021' AND v.col_code = 'valid'
    JOIN fact_proactive_disclosure m ON m.report_id = pr.report_id AND m.row_code = v.row_code AND m.col_code = 'made'
    JOIN fact_proactive_disclosure x ON x.report_id = pr.report_id AND x.row_code = v.row_code AND x.col_code = 'repealed'
    JOIN fact_proactive_disclosure p ON p.report_id = pr.prev_report_id AND p.table_format = '2021'
                                     AND p.row_code = v.row_code AND p.col_code = 'valid'
    WHERE v.value IS NOT NULL AND m.value IS NOT NULL AND x.value IS NOT NULL AND p.value IS NOT NULL
), shared_cells AS (
    -- per pair and table: the cells both years print, how many are equal, how many nonzero this year
    -- (joined on the cell's own columns: no key string is built for each of 3 × 10^8 fact rows)
    SELECT pr.report_id, pr.prev_report_id, count(*) AS n, count(*) FILTER (WHERE t.value IS NOT DISTINCT FROM p.value) AS same,
           count(*) FILTER (WHERE t.value <> 0) AS nonzero
    FROM pairs pr
    JOIN fact_applications t ON t.report_id = pr.report_id
    JOIN fact_applications p ON p.report_id = pr.prev_report_id AND p.category_code = t.category_code
                             AND p.applicant_code = t.applicant_code
    GROUP BY ALL
    UNION ALL
    SELECT pr.report_id, pr.prev_report_id, count(*), count(*) FILTER (WHERE t.value IS NOT DISTINCT FROM p.value),
           count(*) FILTER (WHERE t.value <> 0)
    FROM pairs pr
    JOIN fact_review_litigation t ON t.report_id = pr.report_id
    JOIN fact_review_litigation p ON p.report_id = pr.prev_report_id AND p.col_code = t.col_code
    GROUP BY ALL
), copied AS (
    SELECT pr.agency_key, pr.year, pr.report_id, pr.agency_id, pr.source, pr.prev_year, pr.prev_report_id,
           pr.prev_agency_id, pr.prev_source, 'X.copied_forward' AS rule, []::VARCHAR[] AS cells, []::VARCHAR[] AS prev_cells,
           CAST(sum(c.n) AS DOUBLE) AS expected, CAST(sum(c.same) AS DOUBLE) AS found, NULL::DOUBLE AS prev_value,
           sum(c.nonzero) AS nonzero
    FROM pairs pr
    JOIN shared_cells c ON c.report_id = pr.report_id AND c.prev_report_id = pr.prev_report_id
    GROUP BY ALL
), checks AS (
    SELECT *, expected IS DISTINCT FROM found AS violated FROM carry
    UNION ALL BY NAME
    SELECT *, expected IS DISTINCT FROM found AS violated FROM t2
    UNION ALL BY NAME
    SELECT * EXCLUDE (nonzero), (expected = found AND expected >= 50 AND nonzero >= 3) AS violated FROM copied
)
SELECT agency_key, year, prev_year, rule, cells, prev_cells, expected, found, prev_value, violated,
       CASE rule
         WHEN 'X.carry_over' THEN printf('%s %d prints 上年结转 %s = %.15g; %s %d printed 结转下年度继续办理 %s = %.15g (%s)',
              agency_id, year, cells[1], found, prev_agency_id, prev_year, prev_cells[1], expected, prev_source)
         WHEN 'X.t2_valid_count' THEN printf('%s %d prints 现行有效件数 %s = %.15g; %s %d printed %.15g, and %.15g + 本年制发 − 本年废止 = %.15g (%s)',
              agency_id, year, cells[1], found, prev_agency_id, prev_year, prev_value, prev_value, expected, prev_source)
         ELSE printf('%s %d prints tables 3 and 4 identical to %s %d (%.15g of %.15g cells equal): copied forward? (%s)',
              agency_id, year, prev_agency_id, prev_year, found, expected, prev_source)
       END AS message,
       report_id, source, prev_report_id, prev_source
FROM checks;

-- name: record
DELETE FROM validation_issues WHERE rule LIKE 'X.%';
INSERT INTO validation_issues
SELECT report_id, rule, 'warning', 'publisher', cells, expected, found, message FROM cross_year_checks WHERE violated;
