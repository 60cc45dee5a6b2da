-- Queries of the ingestion (pipelines/ingest.py).

-- name: page_pictures
-- The table pictures fetched with each of the given report pages (their current versions), for a re-parse.
SELECT page_url, url, archive_path FROM page_pictures WHERE page_url IN (SELECT unnest($pages)) ORDER BY page_url, url

-- name: unmatched_keys
-- The keys of `nianbao reparse` (a source URL/path or a sha256 prefix) that name no loaded document:
-- refused before any run starts (a typo must not end in an empty run).
SELECT k FROM unnest($keys) AS t(k)
WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.source = k OR starts_with(r.sha256, k))
ORDER BY k
