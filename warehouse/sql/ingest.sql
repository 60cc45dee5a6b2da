-- Queries of the ingestion (pipelines/ingest.py).

-- name: page_pictures
-- The table pictures fetched with each of the given report pages (their current versions), for a re-parse.
SELECT page_url, url, archive_path FROM page_pictures WHERE page_url IN (SELECT unnest($pages)) ORDER BY page_url, url
