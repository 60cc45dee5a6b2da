-- Analyst views. CREATE OR REPLACE so a newer release can change them.

CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

CREATE OR REPLACE VIEW parse_failures AS
SELECT r.report_id, r.source, r.sha256, r.media_type, r.agency_id, r.year, r.status,
       r.error_type, r.error, r.parser_version, r.ingested_at
FROM reports r
WHERE r.status = 'failed';

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
