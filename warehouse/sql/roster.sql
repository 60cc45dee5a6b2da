-- Who should have published, and did they: the roster of agency × year, and each report's
-- timeliness against the legal deadline. Views over the whole warehouse (warehouse/db.py runs this
-- file on every connection).

-- Reports count under their own agency (report_agencies: two counties' "县信访局" are two rows), the
-- catalogue's roster names and portal listing guesses under the agency they mean at their source
-- (source_agencies: keyed as that source's reports are).
-- Expected publishers: every agency the catalogue's roster names (from its since_year, else from the
-- first year the warehouse holds) and every agency with a loaded report (from the year after it first
-- published… and that year itself), for every year up to the latest year the warehouse holds.
-- status per agency-year, best first:
--   parsed   a current valid report          invalid  a current report breaking its own rules
--   failed   a document for it that failed to parse (identified from the portal listing)
--   found    a document for it fetched but not loaded yet
--   missing  nothing
CREATE OR REPLACE VIEW roster AS
WITH years AS (
    SELECT DISTINCT year FROM reports WHERE year IS NOT NULL AND status IN ('valid', 'invalid')
), known AS (
    SELECT a.agency_key, min(r.year) AS since_year, false AS in_catalogue
    FROM reports r JOIN report_agencies a USING (report_id)
    WHERE r.status IN ('valid', 'invalid') GROUP BY 1
    UNION ALL
    SELECT a.agency_key, coalesce(min(c.since_year), (SELECT min(year) FROM years)), true
    FROM catalog_publishers c JOIN source_agencies a USING (source, name) GROUP BY 1
), expected AS (
    SELECT agency_key, min(since_year) AS since_year, bool_or(in_catalogue) AS in_catalogue FROM known GROUP BY 1
), loaded AS (
    SELECT a.agency_key, r.year, bool_or(r.status = 'valid') AS valid, bool_or(r.status = 'invalid') AS invalid,
           min(r.report_id) AS report_id
    FROM reports r JOIN report_agencies a USING (report_id)
    WHERE r.is_current GROUP BY 1, 2
), listed AS (
    -- documents identified only by their portal listing: fetched, and failed or not parsed yet
    SELECT a.agency_key, d.year_guess AS year,
           bool_or(r.status = 'failed') AS failed, bool_or(r.report_id IS NULL) AS unparsed
    FROM documents d JOIN source_agencies a ON a.source = d.source AND a.name = d.agency_guess
    LEFT JOIN reports r ON r.sha256 = d.sha256
    WHERE d.year_guess IS NOT NULL GROUP BY 1, 2
)
SELECT e.agency_key, g.canonical_name, g.province, g.prefecture, g.county, g.level, g.kind, y.year,
       CASE WHEN l.valid THEN 'parsed' WHEN l.invalid THEN 'invalid' WHEN s.failed THEN 'failed'
            WHEN s.unparsed THEN 'found' ELSE 'missing' END AS status,
       l.report_id, e.in_catalogue
FROM expected e
JOIN years y ON y.year >= e.since_year
JOIN agencies g USING (agency_key)
LEFT JOIN loaded l ON l.agency_key = e.agency_key AND l.year = y.year
LEFT JOIN listed s ON s.agency_key = e.agency_key AND s.year = y.year;

-- Timeliness (政府信息公开条例 第四十九条): departments publish the year's report by 31 January of the
-- following year, governments by 31 March. first_seen is when the crawler first fetched the report
-- (a folder source: when it was first loaded) — not the publication date, which reports do not
-- reliably print. So `late` is TRUE only when the source was crawled on or before the deadline
-- without the report; FALSE when it was seen by the deadline; NULL when nobody looked in time.
CREATE OR REPLACE VIEW report_timeliness AS
WITH seen AS (
    SELECT r.report_id, r.agency_key, r.canonical_name, r.kind, r.year, r.source,
           coalesce(min(d.first_seen), min(r.ingested_at)) AS first_seen, any_value(d.source) AS catalog_source,
           make_date(r.year + 1, CASE WHEN r.kind IN ('department', 'general_office') THEN 1 ELSE 3 END, 31) AS deadline
    FROM agency_reports r LEFT JOIN documents d ON d.sha256 = r.sha256
    GROUP BY ALL
)
SELECT s.*,
       CASE WHEN CAST(s.first_seen AS DATE) <= s.deadline THEN false
            WHEN EXISTS (SELECT 1 FROM crawl_runs c WHERE c.source = s.catalog_source
                           AND CAST(c.started_at AS DATE) <= s.deadline) THEN true
       END AS late
FROM seen s;
