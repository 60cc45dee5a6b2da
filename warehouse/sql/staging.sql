-- Partitioned ingestion (pipelines/staging.py): what a source's run reads from the published copy,
-- and how the serialised loader records a staged unit.

-- name: known_documents
SELECT url, version, sha256, etag, last_modified FROM current_documents;

-- name: previous_reports_found
SELECT source, max(reports_found) FROM crawl_runs GROUP BY 1;

-- name: loaded_sha256
SELECT DISTINCT sha256 FROM reports WHERE parser_version = ?;

-- name: unit_loaded
SELECT count(*) > 0 FROM staged_loads WHERE unit = ?;

-- name: mark_unit_loaded
INSERT INTO staged_loads VALUES (?, ?, ?, ?, ?, now());

-- name: insert_staged_documents
-- A unit's new document versions were numbered against the published copy. Bytes already indexed
-- at the URL (the same source staged twice before one load) are not added again; other versions
-- are numbered after the newest version the warehouse has, in the order the unit found them.
INSERT INTO documents BY NAME
SELECT s.* REPLACE (coalesce(m.newest, 0) + row_number() OVER (PARTITION BY s.url ORDER BY s.version) AS version,
                    coalesce(m.newest, 0) > 0 OR s.changed_after_publication AS changed_after_publication)
FROM staged_documents s
LEFT JOIN (SELECT url, max(version) AS newest FROM documents GROUP BY url) m USING (url)
WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.url = s.url AND d.sha256 = s.sha256);
