-- Materialised metrics (warehouse/analysis.py runs this after every load, after the corrections).

-- name: refresh
DELETE FROM metric_t3_report;
INSERT INTO metric_t3_report BY NAME
WITH t AS (
    SELECT f.report_id, c.category_code, c.parent_code, f.value
    FROM fact_applications_corrected f JOIN dim_application_category c USING (category_code)
    WHERE f.applicant_code = 'total' AND f.report_id IN (SELECT report_id FROM current_reports)
), groups AS (
    SELECT report_id, parent_code AS category_code,
           CASE WHEN count(value) = count(*) THEN sum(value) END AS value
    FROM t WHERE parent_code IN ('3.3.3', '3.3.4', '3.3.5', '3.3.6') GROUP BY ALL
), cells AS (
    SELECT report_id, category_code, value FROM t WHERE category_code IN ('3.1', '3.2', '3.3.1', '3.3.2', '3.3.6', '3.3.7', '3.4')
    UNION ALL BY NAME
    SELECT * FROM groups WHERE category_code <> '3.3.6'
    UNION ALL BY NAME
    SELECT * FROM groups WHERE category_code = '3.3.6' AND report_id NOT IN (SELECT report_id FROM t WHERE category_code = '3.3.6')
), pivoted AS (
    SELECT report_id,
       max(value) FILTER (WHERE category_code = '3.1')   AS new_applications,
       max(value) FILTER (WHERE category_code = '3.2')   AS carried_over,
       max(value) FILTER (WHERE category_code = '3.3.1') AS disclosed,
       max(value) FILTER (WHERE category_code = '3.3.2') AS partly_disclosed,
       max(value) FILTER (WHERE category_code = '3.3.3') AS withheld,
       max(value) FILTER (WHERE category_code = '3.3.4') AS unable_to_provide,
       max(value) FILTER (WHERE category_code = '3.3.5') AS not_processed,
       max(value) FILTER (WHERE category_code = '3.3.6') AS other_outcomes,
       max(value) FILTER (WHERE category_code = '3.3.7') AS handled,
       max(value) FILTER (WHERE category_code = '3.4')   AS carried_forward
FROM cells GROUP BY report_id
)
-- every current report with its agency (agency_reports), its numbers where it prints table 3
SELECT r.report_id, r.agency_key, r.canonical_name, r.agency_id, r.year, r.t3_format, r.level, r.kind, r.province,
       r.prefecture, r.county, p.* EXCLUDE (report_id)
FROM agency_reports r LEFT JOIN pivoted p USING (report_id) ORDER BY r.report_id;

DELETE FROM metric_applicant_report;
INSERT INTO metric_applicant_report BY NAME
SELECT f.report_id, f.applicant_code, f.value AS new_applications, f.value / nullif(t.value, 0) AS share,
       r.agency_key, r.canonical_name, r.agency_id, r.year
FROM fact_applications_corrected f
JOIN fact_applications_corrected t ON t.report_id = f.report_id AND t.category_code = '3.1' AND t.applicant_code = 'total'
JOIN agency_reports r ON r.report_id = f.report_id
WHERE f.category_code = '3.1' AND f.applicant_code <> 'total'
ORDER BY f.report_id, f.applicant_code;

DELETE FROM metric_review_report;
INSERT INTO metric_review_report BY NAME
WITH pivoted AS (
    SELECT report_id, proceeding,
           max(value) FILTER (WHERE outcome = 'maintain') AS maintain,
           max(value) FILTER (WHERE outcome = 'correct')  AS correct,
           max(value) FILTER (WHERE outcome = 'other')    AS other,
           max(value) FILTER (WHERE outcome = 'pending')  AS pending,
           max(value) FILTER (WHERE outcome = 'total')    AS total
    FROM fact_review_litigation_corrected
    WHERE report_id IN (SELECT report_id FROM current_reports)
    GROUP BY report_id, proceeding
)
SELECT p.*, r.agency_key, r.canonical_name, r.agency_id, r.year, r.level, r.kind, r.province, r.prefecture, r.county
FROM pivoted p JOIN agency_reports r USING (report_id) ORDER BY p.report_id, p.proceeding;

DELETE FROM metric_t3_rollup;
INSERT INTO metric_t3_rollup
SELECT r.year, r.province, r.level, r.kind, r.t3_format, f.category_code, f.applicant_code,
       sum(f.value) AS value, count(f.value) AS printed, count(*) - count(f.value) AS blank, count(*) AS reports
FROM fact_applications_corrected f JOIN agency_reports r ON r.report_id = f.report_id
GROUP BY ALL ORDER BY ALL;
