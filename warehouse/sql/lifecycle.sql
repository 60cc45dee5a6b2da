-- Statements of warehouse/lifecycle.py: documents gone and retired (tables in documents.sql).

-- name: mark_gone
-- A document noticed gone: the first notice sets gone_since; later ones keep it.
INSERT INTO gone_documents
SELECT source, any_value(sha256), $now, $noticed_in, any_value(evidence) FROM gone_batch GROUP BY source
ON CONFLICT (source) DO NOTHING;

-- name: clear_gone
DELETE FROM gone_documents WHERE source IN (SELECT unnest($sources));

-- name: folder_documents
-- The loaded documents a folder source found, with their latest sha256: which of them a listing no
-- longer shows. (The reports table itself: a crawl may run on an archive index without the views.)
SELECT source, arg_max(sha256, ingested_at) FROM reports WHERE catalog_source = $source GROUP BY source ORDER BY source;

-- name: archived_urls
-- The URLs among $urls the archive holds a version of, with the latest version's sha256.
SELECT url, sha256 FROM current_documents WHERE url IN (SELECT unnest($urls)) ORDER BY url;

-- name: resolve
-- Documents named by source (URL or path) or by a prefix of any loaded version's sha256, with their
-- latest version's sha256.
SELECT DISTINCT s.source, s.sha256
FROM document_states s
WHERE s.source IN (SELECT unnest($keys))
   OR s.source IN (SELECT source FROM reports
                   WHERE list_has_any([sha256[:length(k)] for k in $keys], $keys))
ORDER BY s.source;

-- name: retire
INSERT INTO retired_documents VALUES ($source, $sha256, $now, $by, $why)
ON CONFLICT (source) DO UPDATE SET sha256 = excluded.sha256, retired_at = excluded.retired_at,
    retired_by = excluded.retired_by, why = excluded.why;

-- name: states
SELECT source, sha256, bytes_at, state, gone_since, gone_evidence, retired_at, retired_by, retired_why
FROM document_states WHERE source IN (SELECT unnest($sources)) ORDER BY source;

-- name: gone_failing
-- Failing documents whose file is gone: what `nianbao reparse-failed` could not re-parse.
SELECT source, sha256, gone_since, bytes_at FROM outstanding_failures WHERE gone_since IS NOT NULL
GROUP BY ALL ORDER BY source;
