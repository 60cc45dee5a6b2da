-- What the operations checks and the run summary read (warehouse/health.py): the state of the whole
-- warehouse, not of one run. $run_id is the Dagster run being judged.

-- name: failures
-- Every document failing now, marked new (first failing in this run) or outstanding (earlier).
SELECT CASE WHEN failing_since_run IS NOT DISTINCT FROM $run_id THEN 'new' ELSE 'outstanding' END AS state,
       source, catalog_source, agency_id, year, status, error_type,
       strftime(failing_since, '%Y-%m-%d %H:%M UTC') AS failing_since,
       failing_since_run[:8] AS since_run, failing_since_run, reparse_command, sha256, error, how_to_fix,
       strftime(gone_since, '%Y-%m-%d %H:%M UTC') AS gone_since
FROM outstanding_failures
ORDER BY state, failing_since, source;

-- name: publisher_issues
-- Publisher inconsistencies of the current reports, with the PDF pages of their cells; new = the
-- report was parsed in this run.
SELECT CASE WHEN r.run_id IS NOT DISTINCT FROM $run_id THEN 'new' ELSE 'current' END AS state,
       r.source, r.sha256, r.agency_id, r.year, i.rule, i.cells,
       coalesce(list_sort(list_distinct(list(p.page) FILTER (WHERE p.page IS NOT NULL))), []) AS pages,
       i.expected, i.found, i.message
FROM validation_issues i
JOIN reports r USING (report_id)
LEFT JOIN cell_provenance p ON p.report_id = i.report_id AND list_contains(i.cells, p.cell_key)
WHERE r.is_current AND i.origin = 'publisher' AND i.severity IN ('error', 'warning')
GROUP BY ALL
ORDER BY state, r.agency_id, r.year, i.rule;

-- name: status_counts
-- Numeric series for the UI's plots: the latest version of every document by status, what this run
-- parsed, and the failures outstanding from earlier runs (failing counts leave out retired
-- documents, as no_failed_parses does).
SELECT count(*) FILTER (WHERE status = 'valid') AS valid,
       count(*) FILTER (WHERE status = 'invalid') AS invalid,
       count(*) FILTER (WHERE (status = 'failed' OR parser_errors > 0) AND t.source IS NULL) AS failing,
       count(*) FILTER (WHERE status = 'not_a_report') AS not_a_report,
       count(*) FILTER (WHERE run_id IS NOT DISTINCT FROM $run_id) AS parsed_this_run,
       count(*) FILTER (WHERE (status = 'failed' OR parser_errors > 0) AND t.source IS NULL
                        AND failing_since_run IS DISTINCT FROM $run_id) AS outstanding_failures
FROM latest_documents d LEFT JOIN retired_documents t ON t.source = d.source;

-- name: not_a_report
SELECT CASE WHEN run_id IS NOT DISTINCT FROM $run_id THEN 'new' ELSE 'earlier' END AS state,
       source, catalog_source, title, reason
FROM not_a_report_documents
ORDER BY state, source;

-- name: source_status
SELECT * FROM source_status ORDER BY source;

-- name: year_status
SELECT * FROM year_status ORDER BY year NULLS LAST;

-- name: retired_failures
-- Failing documents an operator retired: listed, no longer counted by no_failed_parses.
SELECT source, sha256[:12] AS sha256, agency_id, year, error_type,
       strftime(failing_since, '%Y-%m-%d %H:%M UTC') AS failing_since,
       strftime(retired_at, '%Y-%m-%d %H:%M UTC') AS retired_at, retired_by, why
FROM retired_failures
ORDER BY retired_at, source;

-- name: gone_or_retired
-- Documents whose file is gone, and documents retired (failing or not), with since when, who and why.
SELECT state, source, sha256[:12] AS sha256, status,
       strftime(coalesce(retired_at, gone_since), '%Y-%m-%d %H:%M UTC') AS since,
       coalesce(retired_why, gone_evidence) AS why, retired_by
FROM document_states WHERE state <> 'present'
ORDER BY state, since, source;

-- name: skipped_files
-- The files each folder source's latest look did not read, with why.
SELECT catalog_source, path, reason, detail FROM latest_skipped_files ORDER BY catalog_source, path;
