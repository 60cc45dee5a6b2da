-- Analyst views. CREATE OR REPLACE so a newer release can change them.

CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

-- Every loaded document version with where its bytes are (the raw archive for crawled documents,
-- the file itself for folder sources): what a re-parse reads.
CREATE OR REPLACE VIEW report_documents AS
SELECT r.*, coalesce(d.archive_path, r.source) AS bytes_at
FROM reports r
LEFT JOIN (SELECT sha256, any_value(archive_path) AS archive_path FROM documents GROUP BY sha256) d USING (sha256);

-- The latest loaded version of every document (per source URL or path): what "the state users see"
-- means for operations. An older version that a newer one replaced is history, not a problem now.
CREATE OR REPLACE VIEW latest_documents AS
SELECT * FROM report_documents
-- (A collection's reports are one version: all of them are latest together.)
QUALIFY dense_rank() OVER (PARTITION BY source ORDER BY ingested_at DESC, sha256 DESC) = 1;

-- Every document (its latest loaded version) with its state: present, gone (its file or archived
-- copy missing since gone_since: the last version loaded stays) or retired (by whom, why, when).
CREATE OR REPLACE VIEW document_states AS
SELECT d.source, d.sha256, d.catalog_source, d.status, d.bytes_at,
       CASE WHEN r.source IS NOT NULL THEN 'retired' WHEN g.source IS NOT NULL THEN 'gone' ELSE 'present' END AS state,
       g.gone_since, g.evidence AS gone_evidence, r.retired_at, r.retired_by, r.why AS retired_why
FROM (SELECT source, any_value(sha256) AS sha256, any_value(catalog_source) AS catalog_source,
             CASE WHEN bool_or(status = 'failed') THEN 'failed' ELSE any_value(status) END AS status,
             any_value(bytes_at) AS bytes_at
      FROM latest_documents GROUP BY source) d
LEFT JOIN gone_documents g USING (source)
LEFT JOIN retired_documents r USING (source);

-- Documents failing now, whatever run parsed them: the latest version failed to parse, or parsed
-- with parser errors (cells the parser could not place — an incomplete extraction is a failure too).
-- They stay here, night after night, until a re-parse fixes them or an operator retires them
-- (retired_documents: listed by the check as retired, no longer counted). What the no_failed_parses
-- check shows and what `nianbao reparse-failed` (job reparse_failed) reads; gone_since is set while
-- the document's file is gone (a re-parse cannot help: restore it, or retire it).
CREATE OR REPLACE VIEW outstanding_failures AS
WITH parser_errors AS (
    SELECT i.report_id, string_agg(DISTINCT i.rule, ', ' ORDER BY i.rule) AS rules, min(i.message) AS message,
           -- several rules: their distinct fixes (most share one)
           string_agg(DISTINCT e.how_to_fix, ' / ' ORDER BY e.how_to_fix) AS how_to_fix
    FROM (SELECT report_id, rule, message FROM validation_issues WHERE origin = 'parser' AND severity = 'error') i
    -- a family entry (schema.*) covers every rule it starts
    LEFT JOIN dim_error_types e
           ON e.error_type = i.rule OR (e.error_type LIKE '%.*' AND starts_with(i.rule, rtrim(e.error_type, '*')))
    GROUP BY i.report_id
)
SELECT d.report_id, d.source, d.catalog_source, d.catalog_region, d.sha256, d.media_type, d.agency_id, d.year, d.status,
       coalesce(d.error_type, p.rules) AS error_type, coalesce(d.error, p.message) AS error,
       d.failing_since, d.failing_since_run, d.parsed_at, d.run_id AS last_run_id, d.parser_version,
       d.ingested_at, d.bytes_at,
       'nianbao reparse ' || d.sha256[:12] AS reparse_command,
       -- what a person does about it (dim_error_types): a parser release fixes some failures, not a corrupt file
       CASE WHEN d.error_type IS NOT NULL THEN e.how_to_fix ELSE p.how_to_fix END AS how_to_fix,
       g.gone_since
FROM latest_documents d LEFT JOIN parser_errors p USING (report_id)
LEFT JOIN dim_error_types e ON e.error_type = d.error_type
LEFT JOIN gone_documents g USING (source)
WHERE (d.status = 'failed' OR p.report_id IS NOT NULL)
  AND d.source NOT IN (SELECT source FROM retired_documents);

-- Failing documents an operator retired: what no_failed_parses lists as retired instead of counting.
CREATE OR REPLACE VIEW retired_failures AS
WITH parser_errors AS (
    SELECT report_id, string_agg(DISTINCT rule, ', ' ORDER BY rule) AS rules
    FROM validation_issues WHERE origin = 'parser' AND severity = 'error' GROUP BY report_id
)
SELECT d.source, d.sha256, d.agency_id, d.year, d.status, coalesce(d.error_type, p.rules) AS error_type,
       d.failing_since, t.retired_at, t.retired_by, t.why
FROM latest_documents d LEFT JOIN parser_errors p USING (report_id)
JOIN retired_documents t USING (source)
WHERE d.status = 'failed' OR p.report_id IS NOT NULL;

-- Kept for SQL users and the re-parse job: the documents failing now (see outstanding_failures).
CREATE OR REPLACE VIEW failed_documents AS
SELECT report_id, source, sha256, media_type, agency_id, year, error_type, error, parser_version, ingested_at,
       bytes_at, failing_since
FROM outstanding_failures;

-- What the no_failed_parses (ERROR) and publisher_consistency (WARN) checks show, for SQL users:
-- one row per problem now — a document failing to parse, a parser error in a parsed document
-- (cells it could not place), or a current report breaking its own arithmetic — with the evidence
-- to act on it: where the document is (URL or path, sha256, archive copy), agency, year, the rule,
-- the cells, their PDF pages, expected vs found; document_state says whether the document is
-- present, gone or retired (document_states).
CREATE OR REPLACE VIEW parse_failures AS
SELECT CASE WHEN r.status = 'failed' THEN 'failed_parse'
            WHEN i.origin = 'parser' THEN 'parser_error'
            ELSE 'publisher_inconsistency' END AS problem,
       i.severity, r.source, r.sha256, r.media_type, r.agency_id, r.year, r.status,
       coalesce(r.error_type, i.rule) AS error_type, i.rule, i.cells,
       coalesce(list_sort(list_distinct(list(p.page) FILTER (WHERE p.page IS NOT NULL))), []) AS pages,
       i.expected, i.found, i.message, r.parser_version, r.ingested_at, r.bytes_at, r.report_id,
       r.failing_since, r.run_id,
       CASE WHEN t.source IS NOT NULL THEN 'retired' WHEN g.source IS NOT NULL THEN 'gone' ELSE 'present' END
           AS document_state
FROM validation_issues i
JOIN latest_documents r USING (report_id)
LEFT JOIN gone_documents g ON g.source = r.source
LEFT JOIN retired_documents t ON t.source = r.source
LEFT JOIN cell_provenance p ON p.report_id = i.report_id AND list_contains(i.cells, p.cell_key)
WHERE (i.origin = 'parser' AND i.severity = 'error')
   OR (i.origin = 'publisher' AND i.severity IN ('error', 'warning') AND r.is_current)
GROUP BY ALL;

-- Documents read and judged not to be annual reports (a guide, a notice, a listing), with the title
-- that decided it: countable, never silently dropped.
CREATE OR REPLACE VIEW not_a_report_documents AS
SELECT source, catalog_source, sha256, media_type, title, error AS reason, parsed_at, run_id
FROM latest_documents WHERE status = 'not_a_report';

-- Health at a glance: per catalogue source and per year, the latest version of every document by
-- status, next to the source's last crawl and last crawl that found reports.
CREATE OR REPLACE VIEW source_status AS
WITH docs AS (
    SELECT coalesce(catalog_source, '(unknown)') AS source,
           count(DISTINCT sha256) AS documents,
           count(*) FILTER (WHERE status IN ('valid', 'invalid')) AS parsed,
           count(*) FILTER (WHERE status = 'valid') AS valid,
           count(*) FILTER (WHERE status = 'invalid') AS invalid,
           count(*) FILTER (WHERE status = 'failed' OR parser_errors > 0) AS failing,
           count(*) FILTER (WHERE status = 'not_a_report') AS not_a_report
    FROM latest_documents GROUP BY 1
), crawls AS (
    SELECT source, max(started_at) AS last_crawl,
           max(started_at) FILTER (WHERE reports_found > 0) AS last_successful_crawl,
           arg_max(reports_found, started_at) AS found_last_crawl
    FROM crawl_runs GROUP BY source
)
SELECT source, coalesce(c.found_last_crawl, 0) AS found_last_crawl, coalesce(d.documents, 0) AS documents,
       coalesce(d.parsed, 0) AS parsed, coalesce(d.valid, 0) AS valid, coalesce(d.invalid, 0) AS invalid,
       coalesce(d.failing, 0) AS failing, coalesce(d.not_a_report, 0) AS not_a_report,
       c.last_crawl, c.last_successful_crawl
FROM docs d FULL JOIN crawls c USING (source);

CREATE OR REPLACE VIEW year_status AS
SELECT year,
       count(DISTINCT sha256) AS documents,
       count(*) FILTER (WHERE status = 'valid') AS valid,
       count(*) FILTER (WHERE status = 'invalid') AS invalid,
       count(*) FILTER (WHERE status = 'failed' OR parser_errors > 0) AS failing,
       count(*) FILTER (WHERE status = 'not_a_report') AS not_a_report
FROM latest_documents GROUP BY year;

CREATE OR REPLACE VIEW publisher_issues AS
SELECT r.agency_id, r.year, r.source, i.*
FROM validation_issues i JOIN reports r USING (report_id)
WHERE i.origin = 'publisher' AND i.severity IN ('error', 'warning');

-- Every report naming an agency, with the agency it belongs to: its identity_key, decided when it was
-- loaded (warehouse/identity.py: the name placed by itself or by the catalogue's region of its
-- source, <adcode>/<unit>; else kept apart, unplaced/<where>/<name>), so two counties' "县信访局" are
-- two agencies. A report loaded before keys existed (identity_key NULL) is keyed by what its printed
-- name alone resolves to (agency_aliases), as it was before. agency_id stays the name as printed.
--   key_from: identity_key | printed_name
--   resolved_by: alias_file | division_library | catalogue_region | unplaced | unresolved
CREATE OR REPLACE VIEW report_agencies AS
SELECT r.report_id, r.agency_id, r.year, coalesce(r.identity_key, a.agency_key) AS agency_key,
       CASE WHEN r.identity_key IS NULL THEN a.resolved_by
            WHEN starts_with(r.identity_key, 'unplaced/') THEN 'unplaced' ELSE r.identity_by END AS resolved_by,
       CASE WHEN r.identity_key IS NULL THEN 'printed_name' ELSE 'identity_key' END AS key_from
FROM reports r LEFT JOIN agency_aliases a ON r.identity_key IS NULL AND a.name = r.agency_id
WHERE r.agency_id IS NOT NULL;

-- Table 3 wide: one row per report × category (agency × year × category of the current reports),
-- one column per applicant type. Two agencies printing the same name have a row each: agency_key
-- (report_agencies) tells them apart, agency_id is the name as printed.
CREATE OR REPLACE VIEW applications_wide AS
SELECT f.agency_id, f.year, f.category_code,
       max(f.value) FILTER (WHERE f.applicant_code = 'np')     AS np,
       max(f.value) FILTER (WHERE f.applicant_code = 'lp_com') AS lp_com,
       max(f.value) FILTER (WHERE f.applicant_code = 'lp_res') AS lp_res,
       max(f.value) FILTER (WHERE f.applicant_code = 'lp_ngo') AS lp_ngo,
       max(f.value) FILTER (WHERE f.applicant_code = 'lp_law') AS lp_law,
       max(f.value) FILTER (WHERE f.applicant_code = 'lp_oth') AS lp_oth,
       max(f.value) FILTER (WHERE f.applicant_code = 'total')  AS total,
       k.agency_key, f.report_id
FROM fact_applications f LEFT JOIN report_agencies k USING (report_id)
GROUP BY f.agency_id, f.year, f.category_code, k.agency_key, f.report_id;

-- Current reports with the agency they belong to (report_agencies: the report's identity, one agency
-- under all its printed names, never two agencies under one), its region, level, kind and sector:
-- the starting point of every cross-agency question.
CREATE OR REPLACE VIEW agency_reports AS
SELECT a.agency_key, g.canonical_name, g.adcode, g.province, g.prefecture, g.county, g.level, g.kind, g.sector,
       r.* EXCLUDE (is_current)
FROM current_reports r
JOIN report_agencies a USING (report_id)
JOIN agencies g USING (agency_key);

-- Agencies whose printed name could not be placed in a region: never guessed, listed here for a
-- person to add to warehouse/reference/agency_aliases.yaml (or to give the source a region in the
-- catalogue). One row per agency: a report keyed at load whose name no region places is an agency of
-- its own per site, source, host or folder (unplaced/…, also in unplaced_agencies: never merged
-- with the same name published elsewhere); a report loaded before identity keys is keyed by its
-- printed name alone (?/<name>).
CREATE OR REPLACE VIEW unresolved_agencies AS
SELECT a.agency_id AS name, list(DISTINCT r.year ORDER BY r.year) AS years, count(*) AS reports,
       min(r.source) AS example_source, a.agency_key
FROM report_agencies a JOIN reports r USING (report_id)
WHERE a.resolved_by IN ('unresolved', 'unplaced')
GROUP BY a.agency_id, a.agency_key;

-- Agencies keyed apart because their printed name could be placed in no region — not by itself
-- (alias file, division library) nor by the catalogue's region of the source that found it — so a
-- "县信访局" is never merged with the same name published elsewhere: one row per site, catalogue
-- source, host or folder it came from (warehouse/identity.py). Listed for a person to place (an
-- entry in agency_aliases.yaml, or a region for the source in the catalogue).
CREATE OR REPLACE VIEW unplaced_agencies AS
SELECT identity_key, agency_id AS name, identity_by,
       list(DISTINCT year ORDER BY year) AS years, count(*) AS reports,
       count(*) FILTER (WHERE is_current) AS current_reports, min(source) AS example_source
FROM reports
WHERE identity_key LIKE 'unplaced/%' AND status IN ('valid', 'invalid')
GROUP BY identity_key, agency_id, identity_by;
