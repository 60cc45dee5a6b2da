-- Statements of one batch load (warehouse/load.py), in the order it runs them. `batch_reports` and
-- `batch_current` are the batch's DataFrames registered for the transaction; {table} is one of the
-- fixed table names in load.py.

-- name: delete_report_children
DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM batch_reports);

-- name: stage_reports
-- Keep the original ingested_at of a version loaded before (idempotent re-runs). A version that
-- was failing before and still fails keeps the date and run it started failing (outstanding since);
-- one that parses cleanly now has none.
CREATE OR REPLACE TEMP TABLE batch_reports_final AS
SELECT b.* REPLACE (coalesce(r.ingested_at, b.ingested_at) AS ingested_at,
                    CASE WHEN b.failing_since IS NULL THEN NULL
                         ELSE coalesce(r.failing_since, b.failing_since) END AS failing_since,
                    CASE WHEN b.failing_since IS NULL THEN NULL
                         WHEN r.failing_since IS NOT NULL THEN r.failing_since_run
                         ELSE b.failing_since_run END AS failing_since_run,
                    coalesce(b.catalog_source, r.catalog_source) AS catalog_source),
       coalesce(r.is_current, FALSE) AS is_current
FROM batch_reports b LEFT JOIN reports r USING (report_id);

-- name: replace_reports
DELETE FROM reports WHERE report_id IN (SELECT report_id FROM batch_reports);
INSERT INTO reports BY NAME SELECT * FROM batch_reports_final;

-- name: mark_current
-- The newest loadable version of each agency-year in the batch becomes current; older ones not.
UPDATE reports SET is_current = (report_id IN (SELECT report_id FROM batch_current))
WHERE (agency_id, year) IN (SELECT agency_id, year FROM batch_current);

-- name: delete_agency_year_facts
DELETE FROM {table} WHERE (agency_id, year) IN (SELECT agency_id, year FROM batch_current);

-- name: upsert_agencies
INSERT INTO dim_agency
SELECT agency_id, any_value(agency_id), min(year), max(year) FROM batch_current GROUP BY agency_id
ON CONFLICT (agency_id) DO UPDATE SET
  first_year = least(dim_agency.first_year, excluded.first_year),
  last_year = greatest(dim_agency.last_year, excluded.last_year);

-- name: touch_seen_documents
-- Re-seen document versions (304 or same sha256): last_seen, fetch time and validators move on.
UPDATE documents d SET last_seen = s.last_seen, fetched_at = s.fetched_at,
       etag = coalesce(s.etag, d.etag), last_modified = coalesce(s.last_modified, d.last_modified),
       http_status = s.http_status
FROM seen_documents s WHERE d.url = s.url AND d.version = s.version;
