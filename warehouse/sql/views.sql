-- Analyst views. CREATE OR REPLACE so a newer release can change them.

CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

-- What the no_failed_parses check shows, for SQL users: every document that failed to parse, where
-- its bytes are (the archive copy for crawled documents), and why.
-- Every loaded document version with where its bytes are (the raw archive for crawled documents,
-- the file itself for folder sources): what a re-parse reads.
CREATE OR REPLACE VIEW report_documents AS
SELECT r.*, coalesce(d.archive_path, r.source) AS bytes_at
FROM reports r
LEFT JOIN (SELECT sha256, any_value(archive_path) AS archive_path FROM documents GROUP BY sha256) d USING (sha256);

CREATE OR REPLACE VIEW parse_failures AS
SELECT report_id, source, sha256, media_type, agency_id, year, status, error_type, error, parser_version,
       ingested_at, bytes_at
FROM report_documents
WHERE status = 'failed';

-- Publisher violations with the PDF page of their cells (NULL for HTML/text/Word).
CREATE OR REPLACE VIEW publisher_issue_pages AS
SELECT i.report_id, i.rule, i.cells, list_distinct(list(p.page) FILTER (WHERE p.page IS NOT NULL)) AS pages
FROM validation_issues i
LEFT JOIN cell_provenance p ON p.report_id = i.report_id AND list_contains(i.cells, p.cell_key)
WHERE i.origin = 'publisher' AND i.severity IN ('error', 'warning')
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
