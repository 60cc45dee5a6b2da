-- Statements of one batch load (warehouse/load.py), in the order it runs them. `batch_reports` is
-- the batch's reports (with identity_key and first_seen_at computed by load.py) registered for the
-- transaction; {table} is one of the fixed table names in load.py.

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
                    coalesce(b.catalog_source, r.catalog_source) AS catalog_source,
                    coalesce(b.catalog_region, r.catalog_region) AS catalog_region,
                    coalesce(r.first_seen_at, b.first_seen_at) AS first_seen_at),
       coalesce(r.is_current, FALSE) AS is_current
FROM batch_reports b LEFT JOIN reports r USING (report_id);

-- name: replace_reports
DELETE FROM reports WHERE report_id IN (SELECT report_id FROM batch_reports);
INSERT INTO reports BY NAME SELECT * FROM batch_reports_final;

-- name: choose_current
-- Every agency-year (identity_key, year) the batch loads a report for gets its current version
-- among all its loaded versions, this batch's and earlier ones': the latest publication date the
-- document states, then the latest first fetch (first load, for a folder), then the greater sha256
-- (deterministic) — never the order of a batch. in_batch: its facts come with this batch.
CREATE OR REPLACE TEMP TABLE batch_current AS
WITH touched AS (
    SELECT DISTINCT identity_key, year FROM batch_reports_final
    WHERE status IN ('valid', 'invalid') AND identity_key IS NOT NULL AND year IS NOT NULL
)
SELECT r.report_id, r.agency_id, r.identity_key, r.year,
       r.report_id IN (SELECT report_id FROM batch_reports) AS in_batch
FROM reports r JOIN touched t USING (identity_key, year)
WHERE r.status IN ('valid', 'invalid')
QUALIFY row_number() OVER (PARTITION BY r.identity_key, r.year
                           ORDER BY r.published_at DESC NULLS LAST, r.first_seen_at DESC NULLS LAST,
                                    r.sha256 DESC, r.report_id DESC) = 1;

-- name: touched_versions
-- The versions of those agency-years: every report under the same key and year, and a report loaded
-- before keys existed (identity_key NULL) under the same printed name and year (as it was then).
CREATE OR REPLACE TEMP TABLE batch_touched AS
SELECT report_id FROM reports WHERE (identity_key, year) IN (SELECT identity_key, year FROM batch_current)
UNION
SELECT report_id FROM reports
WHERE identity_key IS NULL AND (agency_id, year) IN (SELECT agency_id, year FROM batch_current);

-- name: mark_current
UPDATE reports SET is_current = (report_id IN (SELECT report_id FROM batch_current))
WHERE report_id IN (SELECT report_id FROM batch_touched);

-- name: delete_superseded_facts
-- The facts of those versions go, except those of a current version loaded before (they stay as
-- they are); the batch's current versions insert theirs.
DELETE FROM {table}
WHERE report_id IN (SELECT report_id FROM batch_touched)
  AND report_id NOT IN (SELECT report_id FROM batch_current WHERE NOT in_batch);

-- name: first_seen
-- When each of the batch's crawled versions was first fetched (the raw archive's index).
SELECT url, sha256, min(first_seen) AS first_seen FROM documents
WHERE sha256 IN (SELECT unnest($shas)) GROUP BY ALL;

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
