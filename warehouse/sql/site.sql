-- Queries of the web explorer (warehouse/site/): whole-warehouse reads, agency pages in batches
-- (the agency keys of a batch are in the temp table site_batch), so memory stays bounded by the
-- batch, not by the warehouse.

-- name: agencies
-- Every agency the warehouse knows (with a report, or named by the catalogue's roster), with all
-- its printed names: those its reports print (report_agencies: one page per agency, so two counties'
-- "县信访局" have a page each), and names that resolve to it by themselves.
WITH names AS (
    SELECT agency_key, agency_id AS name FROM report_agencies
    UNION SELECT agency_key, name FROM source_agencies
    UNION SELECT agency_key, name FROM agency_aliases
)
SELECT g.agency_key, g.canonical_name, g.adcode, g.province, g.prefecture, g.county, g.level, g.kind, g.sector,
       g.resolved_by, coalesce(list(DISTINCT a.name ORDER BY a.name) FILTER (WHERE a.name IS NOT NULL), []) AS names
FROM agencies g LEFT JOIN names a USING (agency_key)
GROUP BY ALL
ORDER BY g.agency_key;

-- name: reports
-- Every loaded version of every report of the batch's agencies, newest first within an agency-year.
SELECT a.agency_key, r.report_id, r.year, r.status, r.is_current, r.source, r.sha256, r.media_type,
       r.t2_format, r.t3_format, r.t4_format, r.n_errors, r.n_warnings, r.parser_errors, r.ocr_pages,
       r.ingested_at, r.agency_id, r.title, r.bytes_at, r.part, r.page_first, r.page_last
FROM report_documents r
JOIN report_agencies a USING (report_id)
JOIN site_batch b ON b.agency_key = a.agency_key
ORDER BY a.agency_key, r.year, r.is_current DESC, r.ingested_at DESC, r.report_id;

-- name: cells
-- Every printed cell of the batch's current reports: the value, the token as printed, and where it
-- was read (grid position; PDF page and box; the picture it was read from).
WITH cur AS (
    SELECT r.report_id FROM reports r
    JOIN report_agencies a USING (report_id)
    JOIN site_batch b ON b.agency_key = a.agency_key
    WHERE r.is_current
), facts AS (
    SELECT report_id, category_code || '|' || applicant_code AS cell_key, CAST(value AS VARCHAR) AS value, raw_token
    FROM fact_applications JOIN cur USING (report_id)
    UNION ALL
    SELECT report_id, row_code || '|' || col_code, CAST(value AS VARCHAR), raw_token
    FROM fact_proactive_disclosure JOIN cur USING (report_id)
    UNION ALL
    SELECT report_id, '4|' || col_code, CAST(value AS VARCHAR), raw_token
    FROM fact_review_litigation JOIN cur USING (report_id)
)
SELECT f.report_id, f.cell_key, f.value, f.raw_token, p.grid_index, p.grid_row, p.grid_col, p.page, p.bbox,
       p.ocr_confidence, p.image
FROM facts f LEFT JOIN cell_provenance p USING (report_id, cell_key)
ORDER BY f.report_id, f.cell_key;

-- name: issues
-- The findings on the batch's current reports: publisher, parser, cross-year (X.*) and prose-vs-table
-- (prose.*), each with its evidence. Skipped rules (info) are left out.
SELECT i.report_id, i.rule, i.severity, i.origin, i.cells, i.expected, i.found, i.message
FROM validation_issues i
JOIN reports r USING (report_id)
JOIN report_agencies a USING (report_id)
JOIN site_batch b ON b.agency_key = a.agency_key
WHERE r.is_current AND i.severity IN ('error', 'warning')
ORDER BY i.report_id, i.severity, i.rule, i.message;

-- name: metrics
-- The metric series of the batch's agencies (formulas: warehouse/sql/metrics.sql).
SELECT v.agency_key, v.year, v.new_applications, v.carried_over, v.handled, v.carried_forward,
       s.disclose_rate, s.partial_rate, s.withhold_rate, s.unable_rate, s.not_processed_rate, s.other_share,
       r.correction_rate AS review_correction_rate, l.correction_rate AS litigation_correction_rate
FROM metric_application_volume v
JOIN site_batch b ON b.agency_key = v.agency_key
LEFT JOIN metric_outcome_shares s USING (report_id)
LEFT JOIN metric_review_litigation r ON r.report_id = v.report_id AND r.proceeding = 'R'
LEFT JOIN metric_review_litigation l ON l.report_id = v.report_id AND l.proceeding = 'LD'
ORDER BY v.agency_key, v.year;

-- name: pictures
-- Where each picture a report's cells were read from is archived (crawled pages' pictures).
SELECT url, any_value(archive_path ORDER BY version DESC) AS archive_path FROM documents
WHERE role = 'page_image' GROUP BY url;

-- name: coverage_by_year
SELECT year, documents, valid, invalid, failing, not_a_report FROM year_status ORDER BY year NULLS LAST;

-- name: coverage_by_province
-- Agencies per province with a current report, by year and status.
SELECT coalesce(province, '地区未能确定 (region unresolved)') AS province, year,
       count(*) FILTER (WHERE status = 'parsed') AS valid, count(*) FILTER (WHERE status = 'invalid') AS invalid,
       count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status IN ('missing', 'found')) AS missing
FROM roster GROUP BY ALL ORDER BY province, year;

-- name: catalogue_coverage
-- The built site catalogue's portals per province and what was found through them (catalogue.sql).
SELECT province_code, province, portals_seeded, portals_verified, portals_with_column, portals_crawled, reports_found,
       reports_loaded
FROM catalogue_coverage_by_province;

-- name: national_totals
-- Sums over the current reports, by year: applications (件) and outcomes; NULL cells are left out of
-- a sum, and the count of reports with a blank is shown beside it.
SELECT year, count(*) AS reports,
       sum(new_applications) AS new_applications, count(*) - count(new_applications) AS new_applications_blank,
       sum(handled) AS handled, sum(disclosed) AS disclosed, sum(partly_disclosed) AS partly_disclosed,
       sum(withheld) AS withheld, sum(unable_to_provide) AS unable_to_provide, sum(not_processed) AS not_processed,
       sum(other_outcomes) AS other_outcomes
FROM metric_base_t3 GROUP BY year ORDER BY year;

-- name: national_review_litigation
SELECT year, proceeding, any_value(proceeding_label) AS proceeding_label, sum(maintain) AS maintain,
       sum(correct) AS correct, sum(other) AS other, sum(pending) AS pending, sum(total) AS total
FROM metric_review_litigation GROUP BY ALL ORDER BY year, proceeding;

-- name: problems
-- The problems now (parse_failures), the latest night's run first.
WITH latest AS (SELECT run_id FROM reports WHERE run_id IS NOT NULL ORDER BY parsed_at DESC LIMIT 1)
SELECT p.problem, p.severity, p.source, p.sha256, p.media_type, a.agency_key, p.agency_id, p.year, p.status,
       p.rule, p.cells, p.pages, p.expected, p.found, p.message, p.run_id = (SELECT run_id FROM latest) AS latest_night
FROM parse_failures p LEFT JOIN report_agencies a USING (report_id)
ORDER BY latest_night DESC, p.problem, p.year DESC, p.agency_id, p.rule;

-- name: ranking
-- One metric's ranking for every year: every agency the roster expects that year, its value (NULL
-- when the report is missing, failed, or has a blank cell the metric needs) and the roster status.
-- Ordered as the site shows it: value high to low, blanks and missing last, then by name.
SELECT o.year, o.agency_key, o.status, m.value
FROM roster o
LEFT JOIN (SELECT agency_key, year, {metric} AS value FROM {view}) m USING (agency_key, year)
ORDER BY o.year, m.value DESC NULLS LAST, o.canonical_name, o.agency_key;

-- name: document_paths
-- Where every document came from and where its bytes are kept: the site shows such paths relative
-- to their source (warehouse/site/paths.py), never as the builder's absolute path.
SELECT source, bytes_at FROM report_documents
UNION SELECT source, NULL FROM parse_failures
UNION SELECT NULL, archive_path FROM documents;

-- name: assessment_materialise
-- The assessment (warehouse/sql/assessment.sql) computed once per build into temp tables the agency
-- pages' batches and the assessment page read: every indicator of every agency-year, and the league.
CREATE OR REPLACE TEMP TABLE site_assessment AS
SELECT agency_key, year, report_id, indicator, position, name_zh, name_en, result, score, weight, evidence, basis
FROM assessment_indicators;
CREATE OR REPLACE TEMP TABLE site_assessment_totals AS
WITH t AS (
    SELECT agency_key, year, report_id,
           round(100 * sum(weight * score) FILTER (WHERE score IS NOT NULL)
                     / nullif(sum(weight) FILTER (WHERE score IS NOT NULL), 0), 2) AS total,
           list(result ORDER BY position) AS results
    FROM site_assessment GROUP BY ALL
)
SELECT t.*, g.level, g.kind, g.province,
       rank() OVER (PARTITION BY t.year ORDER BY t.total DESC NULLS LAST) AS rank_in_year,
       count(*) OVER (PARTITION BY t.year) AS agencies_in_year
FROM t JOIN agencies g USING (agency_key);

-- name: scorecards
-- The scorecards of the batch's agencies: each year's indicators with result, score, evidence, basis.
SELECT s.agency_key, s.year, s.indicator, s.name_zh, s.name_en, s.result, s.score, s.weight, s.evidence, s.basis,
       t.total, t.rank_in_year, t.agencies_in_year
FROM site_assessment s
JOIN site_batch b ON b.agency_key = s.agency_key
JOIN site_assessment_totals t USING (report_id)
ORDER BY s.agency_key, s.year, s.position;

-- name: assessment_league
-- The assessment page's league: every assessed agency-year, best total first within a year.
SELECT year, agency_key, total, rank_in_year, results FROM site_assessment_totals
ORDER BY year, rank_in_year, agency_key;

-- name: assessment_distribution
SELECT year, indicator, any_value(name_zh) AS name_zh, any_value(name_en) AS name_en, result, count(*) AS agency_years,
       round(avg(score), 4) AS mean_score, min(position) AS position
FROM site_assessment GROUP BY year, indicator, result ORDER BY year, position, result;

-- name: assessment_indicators
SELECT indicator, name_zh, name_en, weight, basis FROM assessment_indicator_config ORDER BY position;
