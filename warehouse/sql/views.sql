-- Analyst views. CREATE OR REPLACE so a newer release can change them.

CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

-- Every loaded document version with where its bytes are (the raw archive for crawled documents,
-- the file itself for folder sources): what a re-parse reads.
CREATE OR REPLACE VIEW report_documents AS
SELECT r.*, coalesce(d.archive_path, r.source) AS bytes_at
FROM reports r
LEFT JOIN (SELECT sha256, any_value(archive_path) AS archive_path FROM documents GROUP BY sha256) d USING (sha256);

-- Documents whose latest parse failed, and where their bytes are: what `nianbao reparse-failed` reads.
CREATE OR REPLACE VIEW failed_documents AS
SELECT report_id, source, sha256, media_type, agency_id, year, error_type, error, parser_version, ingested_at, bytes_at
FROM report_documents
WHERE status = 'failed';

-- What the no_failed_parses (ERROR) and publisher_consistency (WARN) checks show, for SQL users:
-- one row per problem — a document that failed to parse, a parser error in a parsed document
-- (cells it could not place), or a report breaking its own arithmetic — with the evidence to act
-- on it: where the document is (URL or path, sha256, archive copy), agency, year, the rule, the
-- cells, their PDF pages, expected vs found.
CREATE OR REPLACE VIEW parse_failures AS
SELECT CASE WHEN r.status = 'failed' THEN 'failed_parse'
            WHEN i.origin = 'parser' THEN 'parser_error'
            ELSE 'publisher_inconsistency' END AS problem,
       i.severity, r.source, r.sha256, r.media_type, r.agency_id, r.year, r.status,
       coalesce(r.error_type, i.rule) AS error_type, i.rule, i.cells,
       coalesce(list_sort(list_distinct(list(p.page) FILTER (WHERE p.page IS NOT NULL))), []) AS pages,
       i.expected, i.found, i.message, r.parser_version, r.ingested_at, r.bytes_at, r.report_id
FROM validation_issues i
JOIN report_documents r USING (report_id)
LEFT JOIN cell_provenance p ON p.report_id = i.report_id AND list_contains(i.cells, p.cell_key)
WHERE (i.origin = 'parser' AND i.severity = 'error')
   OR (i.origin = 'publisher' AND i.severity IN ('error', 'warning'))
GROUP BY ALL;

CREATE OR REPLACE VIEW publisher_issues AS
SELECT r.agency_id, r.year, r.source, i.*
FROM validation_issues i JOIN reports r USING (report_id)
WHERE i.origin = 'publisher' AND i.severity IN ('error', 'warning');

-- Table 3 wide: one row per agency × year × category, one column per applicant type.
CREATE OR REPLACE VIEW applications_wide AS
SELECT agency_id, year, category_code,
       max(value) FILTER (WHERE applicant_code = 'np')     AS np,
       max(value) FILTER (WHERE applicant_code = 'lp_com') AS lp_com,
       max(value) FILTER (WHERE applicant_code = 'lp_res') AS lp_res,
       max(value) FILTER (WHERE applicant_code = 'lp_ngo') AS lp_ngo,
       max(value) FILTER (WHERE applicant_code = 'lp_law') AS lp_law,
       max(value) FILTER (WHERE applicant_code = 'lp_oth') AS lp_oth,
       max(value) FILTER (WHERE applicant_code = 'total')  AS total
FROM fact_applications
GROUP BY ALL;
