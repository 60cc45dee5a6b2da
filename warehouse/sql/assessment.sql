-- The assessment oversight bodies make of every report (issue #28; docs/assessment.md): each current
-- agency-year scored on eight indicators — on time, changed after publication, where and how
-- published, complete, accurate, consistent, substantive part 5, fees stated — each with its result,
-- score (0..1; NULL = not scored), evidence and legal or format basis; a total under the weights of
-- warehouse/reference/assessment.yaml; league tables and distributions. Views over the whole
-- warehouse, created on every connection (warehouse/db.py); the parameters are the assessment_*
-- tables below, filled from the YAML after every load (warehouse/assessment.py) — or, for
-- `nianbao assess --config FILE` on a read-only warehouse, TEMP tables of the same names, which
-- these views then read.

-- name: tables
CREATE TABLE IF NOT EXISTS assessment_indicator_config (
    indicator  VARCHAR PRIMARY KEY,   -- on_time | changed | publication | complete | accurate | consistent | substance | fees
    position   INTEGER NOT NULL,      -- order on a scorecard
    weight     DOUBLE NOT NULL,       -- weight in the total (0: left out)
    name_zh    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    basis      VARCHAR NOT NULL       -- the legal or format basis printed on the scorecard
);

CREATE TABLE IF NOT EXISTS assessment_deadlines (
    province   VARCHAR,               -- NULL: everywhere; else a province's override (agencies.province)
    kind       VARCHAR NOT NULL,      -- agencies.kind: department | general_office | government | special_zone | township
    month      INTEGER NOT NULL,      -- the deadline in the year after the reported year
    day        INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS assessment_rule_weights (
    rule       VARCHAR PRIMARY KEY,   -- a publisher rule (T4.review_total) or a family (T3.*); unlisted rules weigh 1
    weight     DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS assessment_parameters (
    penalty          DOUBLE NOT NULL,   -- taken off accurate / consistent per weighted finding (floor 0)
    min_chars        INTEGER NOT NULL,  -- part 5 shorter than this (characters of its clauses) is boilerplate
    min_clause_chars INTEGER NOT NULL,  -- clauses compared for repetition are at least this long
    repeat_share     DOUBLE NOT NULL,   -- part 5 repeated when this share of its characters is found elsewhere
    fees_from_year   INTEGER NOT NULL   -- part 6 must state the 信息处理费 from this report year on
);

-- name: views
-- The agency-years assessed: the current report of every agency-year (agency_reports), with its
-- format in force (2021 from the 2021 reports on, 2019 before) and its date: the publication date
-- it states, else when it was first seen (first fetched, or first loaded from a folder).
CREATE OR REPLACE VIEW assessment_reports AS
SELECT r.agency_key, r.canonical_name, r.province, r.prefecture, r.county, r.level, r.kind, r.year,
       r.report_id, r.sha256, r.source, r.catalog_source, r.media_type, r.ocr_pages,
       r.t2_format, r.t3_format, r.t4_format, r.published_at,
       coalesce(r.first_seen_at, r.ingested_at) AS first_seen_at,
       CASE WHEN r.year >= 2021 THEN '2021' ELSE '2019' END AS format_in_force,
       coalesce(CAST(r.published_at AS TIMESTAMPTZ), r.first_seen_at, r.ingested_at) AS dated_at
FROM agency_reports r
WHERE r.status IN ('valid', 'invalid') AND r.year IS NOT NULL;

-- 1. On time (条例 第四十九条): the stated publication date, else the first sighting (marked so),
-- against the deadline of the agency's kind (a province's override first). A report first seen after
-- the deadline is late only when its source was crawled by the deadline without it; else unknown
-- (nobody looked in time). days_late < 0: days to spare; NULL unless a date decides it.
CREATE OR REPLACE VIEW assessment_on_time AS
WITH d AS (
    SELECT b.agency_key, b.year, b.report_id, b.kind, b.province, b.catalog_source,
           CAST(b.published_at AS DATE) AS stated, CAST(b.first_seen_at AS DATE) AS first_seen,
           make_date(b.year + 1, coalesce(p.month, k.month), coalesce(p.day, k.day)) AS deadline,
           c.first_crawl
    FROM assessment_reports b
    LEFT JOIN assessment_deadlines k ON k.province IS NULL AND k.kind = b.kind
    LEFT JOIN assessment_deadlines p ON p.province = b.province AND p.kind = b.kind
    LEFT JOIN (SELECT source, CAST(min(started_at) AS DATE) AS first_crawl FROM crawl_runs GROUP BY source) c
           ON c.source = b.catalog_source
), judged AS (
    SELECT *,
           CASE WHEN deadline IS NULL THEN 'unknown'
                WHEN stated IS NOT NULL THEN CASE WHEN stated <= deadline THEN 'on_time' ELSE 'late' END
                WHEN first_seen <= deadline THEN 'on_time'
                WHEN first_crawl <= deadline THEN 'late'
                ELSE 'unknown' END AS result,
           CASE WHEN stated IS NOT NULL THEN 'stated' ELSE 'first_seen' END AS date_basis
    FROM d
)
SELECT agency_key, year, report_id, result,
       CASE result WHEN 'on_time' THEN 1.0 WHEN 'late' THEN 0.0 END AS score,
       deadline, date_basis, coalesce(stated, first_seen) AS dated,
       CASE WHEN deadline IS NULL THEN NULL
            WHEN stated IS NOT NULL THEN stated - deadline
            WHEN result = 'late' THEN first_seen - deadline END AS days_late,
       CASE WHEN deadline IS NULL THEN printf('no deadline for the kind %s (assessment.yaml)', coalesce(kind, 'unknown'))
            WHEN stated IS NOT NULL THEN printf('published %s (stated on the page or in the document); deadline %s (%s)',
                                                stated, deadline, kind)
            WHEN result = 'on_time' THEN printf('no date stated; first seen %s, by the deadline %s (%s)', first_seen, deadline, kind)
            WHEN result = 'late' THEN printf('no date stated; first seen %s; its source %s was crawled %s, by the deadline %s (%s), without it',
                                             first_seen, catalog_source, first_crawl, deadline, kind)
            ELSE printf('no date stated; first seen %s, after the deadline %s (%s); no look by the deadline (source %s first crawled %s)',
                        first_seen, deadline, kind, coalesce(catalog_source, 'unknown'), coalesce(CAST(first_crawl AS VARCHAR), 'never'))
       END AS evidence
FROM judged;

-- 2. Changed after publication: the versions of the agency-year (every loaded version of its
-- identity and year, the same order as the loader's choice of the current one), each against the one
-- before: the numbers whose printed token changed (cell_provenance keeps every version's) and the
-- parts whose text changed, with the date of the change. A change the new version does not announce
-- (更正, 勘误, 修订说明, 重新发布) is silent.
CREATE OR REPLACE VIEW assessment_versions AS
SELECT b.agency_key, b.year, r.report_id, r.sha256, r.source, r.published_at, coalesce(r.first_seen_at, r.ingested_at) AS first_seen_at,
       row_number() OVER (PARTITION BY b.agency_key, b.year
                          ORDER BY r.published_at NULLS FIRST, r.first_seen_at NULLS FIRST, r.sha256, r.report_id) AS version
FROM assessment_reports b
JOIN report_agencies a ON a.agency_key = b.agency_key AND a.year = b.year
JOIN reports r ON r.report_id = a.report_id AND r.status IN ('valid', 'invalid');

CREATE OR REPLACE VIEW assessment_version_changes AS
WITH pairs AS (
    SELECT n.agency_key, n.year, o.report_id AS old_report_id, n.report_id AS new_report_id, n.version,
           CAST(coalesce(n.published_at, n.first_seen_at) AS DATE) AS changed_on
    FROM assessment_versions n JOIN assessment_versions o
      ON o.agency_key = n.agency_key AND o.year = n.year AND o.version = n.version - 1
    WHERE o.sha256 <> n.sha256
), touched AS (
    SELECT new_report_id AS report_id FROM pairs UNION SELECT old_report_id FROM pairs
), vcells AS (
    -- the cells and parts of the versions compared only (a semi-join on the few pairs, never a hash
    -- table of every report's cells)
    SELECT c.* FROM cell_provenance c SEMI JOIN touched t ON t.report_id = c.report_id
), vsections AS (
    SELECT s.* FROM report_sections s SEMI JOIN touched t ON t.report_id = s.report_id
), cell_keys AS (
    -- every cell either version printed (a cell only one of them has is a change too)
    SELECT p.new_report_id, p.old_report_id, k.cell_key FROM pairs p JOIN vcells k ON k.report_id = p.new_report_id
    UNION
    SELECT p.new_report_id, p.old_report_id, k.cell_key FROM pairs p JOIN vcells k ON k.report_id = p.old_report_id
), cells AS (
    SELECT k.new_report_id, string_agg(printf('%s %s → %s', k.cell_key, coalesce(o.raw_token, '∅'), coalesce(n.raw_token, '∅')), '; '
                                       ORDER BY k.cell_key) AS numbers,
           count(*) AS n_numbers
    FROM cell_keys k
    LEFT JOIN vcells n ON n.report_id = k.new_report_id AND n.cell_key = k.cell_key
    LEFT JOIN vcells o ON o.report_id = k.old_report_id AND o.cell_key = k.cell_key
    WHERE o.raw_token IS DISTINCT FROM n.raw_token OR o.report_id IS NULL OR n.report_id IS NULL
    GROUP BY k.new_report_id
), section_keys AS (
    SELECT p.new_report_id, p.old_report_id, k.section_code FROM pairs p JOIN vsections k ON k.report_id = p.new_report_id
    UNION
    SELECT p.new_report_id, p.old_report_id, k.section_code FROM pairs p JOIN vsections k ON k.report_id = p.old_report_id
), parts AS (
    SELECT k.new_report_id, string_agg(k.section_code, ', ' ORDER BY k.section_code) AS sections, count(*) AS n_sections,
           -- the first sentence of the new text not in the old one, to show what changed
           min(CASE WHEN n.text IS NOT NULL THEN
                 list_filter(list_transform(string_split_regex(n.text, '[。；]'), lambda s: regexp_replace(s, '^\s+|\s+$', '', 'g')),
                             lambda s: NOT contains(coalesce(o.text, ''), s) AND length(s) > 0)[1] END) AS example
    FROM section_keys k
    LEFT JOIN vsections n ON n.report_id = k.new_report_id AND n.section_code = k.section_code
    LEFT JOIN vsections o ON o.report_id = k.old_report_id AND o.section_code = k.section_code
    WHERE o.text IS DISTINCT FROM n.text
    GROUP BY k.new_report_id
), notice AS (
    -- (read in the changed versions only)
    SELECT s.report_id, min(regexp_extract(s.text, '[^。\n]*(更正|勘误|修订说明|重新发布)[^。\n]*')) AS notice
    FROM pairs p JOIN vsections s ON s.report_id = p.new_report_id
    WHERE regexp_matches(s.text, '更正|勘误|修订说明|重新发布') GROUP BY s.report_id
)
SELECT p.agency_key, p.year, p.version, p.old_report_id, p.new_report_id, p.changed_on,
       coalesce(c.n_numbers, 0) AS numbers_changed, c.numbers, coalesce(s.n_sections, 0) AS parts_changed,
       s.sections, s.example AS example_sentence, t.notice
FROM pairs p
LEFT JOIN cells c ON c.new_report_id = p.new_report_id
LEFT JOIN parts s ON s.new_report_id = p.new_report_id
LEFT JOIN notice t ON t.report_id = p.new_report_id
WHERE c.n_numbers > 0 OR s.n_sections > 0;

CREATE OR REPLACE VIEW assessment_changed AS
WITH v AS (SELECT agency_key, year, count(*) AS versions FROM assessment_versions GROUP BY ALL),
ch AS (
    SELECT agency_key, year, count(*) AS changes, bool_and(notice IS NOT NULL) AS all_announced,
           string_agg(printf('version %d of %s: numbers %s; parts %s%s%s', version, changed_on,
                             coalesce(numbers, 'none'), coalesce(sections, 'none'),
                             CASE WHEN example_sentence IS NOT NULL THEN printf(' («%s»)', example_sentence) ELSE '' END,
                             CASE WHEN notice IS NOT NULL THEN printf('; notice: «%s»', notice) ELSE '; no notice' END),
                      ' | ' ORDER BY version) AS changes_text
    FROM assessment_version_changes GROUP BY ALL
)
SELECT b.agency_key, b.year, b.report_id,
       CASE WHEN ch.changes IS NULL THEN 'unchanged' WHEN ch.all_announced THEN 'changed_with_notice'
            ELSE 'changed_silently' END AS result,
       CASE WHEN ch.changes IS NULL THEN 1.0 WHEN ch.all_announced THEN 0.5 ELSE 0.0 END AS score,
       coalesce(v.versions, 1) AS versions, coalesce(ch.changes, 0) AS changes,
       CASE WHEN ch.changes IS NULL THEN printf('%d version(s); no number or part changed', coalesce(v.versions, 1))
            ELSE printf('%d versions: %s', v.versions, ch.changes_text) END AS evidence
FROM assessment_reports b
LEFT JOIN v USING (agency_key, year)
LEFT JOIN ch USING (agency_key, year);

-- 3. Where and how published: readable as text (HTML, text, text-layer PDF or Word) or only as
-- pictures (any page read by OCR); on the page or only as an attachment (the raw archive's role of
-- its bytes); in a 年报 column (its catalogue source was crawled through columns) — each unknown
-- when the warehouse cannot tell (a folder source). Score: the mean of the known parts (text 1 /
-- scan 0; in a column 1 / not 0; on the page 1 / attachment only 0.5).
CREATE OR REPLACE VIEW assessment_publication AS
WITH roles AS (
    SELECT sha256, bool_or(role = 'report_page') AS on_page, bool_or(role = 'attachment') AS attachment
    FROM documents GROUP BY sha256
), crawled AS (
    SELECT source, bool_or(columns IS NOT NULL) AS through_columns FROM crawl_runs WHERE requests > 0 GROUP BY source
), parts AS (
    SELECT b.agency_key, b.year, b.report_id, b.media_type, b.catalog_source, coalesce(b.ocr_pages, 0) AS ocr_pages,
           CASE WHEN coalesce(b.ocr_pages, 0) > 0 THEN 0.0 ELSE 1.0 END AS readable,
           CASE WHEN c.source IS NOT NULL THEN CASE WHEN c.through_columns THEN 1.0 ELSE 0.0 END END AS in_column,
           CASE WHEN r.on_page THEN 1.0 WHEN r.attachment THEN 0.5 END AS placement
    FROM assessment_reports b
    LEFT JOIN roles r USING (sha256)
    LEFT JOIN crawled c ON c.source = b.catalog_source
)
SELECT agency_key, year, report_id,
       CASE WHEN readable = 1 THEN 'text' ELSE 'scan' END AS result,
       round((readable + coalesce(in_column, 0) + coalesce(placement, 0))
             / (1 + CASE WHEN in_column IS NULL THEN 0 ELSE 1 END + CASE WHEN placement IS NULL THEN 0 ELSE 1 END), 6) AS score,
       in_column IS NOT NULL AND in_column = 1 AS in_annual_report_column,
       placement AS placement_score,
       printf('%s, %s; %s; %s', media_type,
              CASE WHEN ocr_pages > 0 THEN printf('%d pages by OCR (pictures only)', ocr_pages) ELSE 'readable as text' END,
              CASE placement WHEN 1.0 THEN 'on the page' WHEN 0.5 THEN 'attachment only' ELSE 'page or attachment not known' END,
              CASE in_column WHEN 1.0 THEN printf('in a 年报 column (source %s)', catalog_source)
                             WHEN 0.0 THEN printf('not in a 年报 column (source %s crawled without one)', catalog_source)
                             ELSE printf('column not known (source %s)', coalesce(catalog_source, 'unknown')) END) AS evidence
FROM parts;

-- 4. Complete: the six parts present (the parser finds them in order only: a part out of order is
-- missing), tables 2–4 in the format in force for the year, and every cell of that format printed —
-- a cell printed blank ('', '/', '—': value NULL, token kept) counts as printed and is counted apart;
-- a cell with neither value nor token, or no row at all, is missing.
CREATE OR REPLACE VIEW assessment_complete AS
WITH expected AS (
    -- the cells of each format: table 3's in-force rows × its 7 columns, table 2's, table 4's 15
    SELECT f.fmt, (SELECT count(*) FROM dim_application_category c
                   WHERE c.formats = 'all' OR c.formats = CASE f.fmt WHEN '2021' THEN '2021' ELSE '2019/hybrid' END)
                  * (SELECT count(*) FROM dim_applicant_type)
                + (SELECT count(*) FROM dim_proactive_item p WHERE p.table_format = f.fmt)
                + (SELECT count(*) FROM dim_review_litigation_column) AS cells
    FROM (VALUES ('2021'), ('2019')) f(fmt)
), printed AS (
    -- per report and table, the in-force cells with a value or a printed token, and those printed blank
    -- (each fact table on its own, joined on its own columns: no key string built for every fact row)
    SELECT f.report_id, count(*) FILTER (WHERE f.value IS NOT NULL OR f.raw_token IS NOT NULL) AS printed,
           count(*) FILTER (WHERE f.value IS NULL AND f.raw_token IS NOT NULL) AS blank
    FROM fact_applications f
    JOIN assessment_reports b USING (report_id)
    JOIN dim_application_category c ON c.category_code = f.category_code
     AND (c.formats = 'all' OR c.formats = CASE b.format_in_force WHEN '2021' THEN '2021' ELSE '2019/hybrid' END)
    GROUP BY f.report_id
    UNION ALL
    SELECT f.report_id, count(*) FILTER (WHERE f.value IS NOT NULL OR f.raw_token IS NOT NULL),
           count(*) FILTER (WHERE f.value IS NULL AND f.raw_token IS NOT NULL)
    FROM fact_proactive_disclosure f JOIN assessment_reports b USING (report_id)
    WHERE f.table_format = b.format_in_force
    GROUP BY f.report_id
    UNION ALL
    SELECT f.report_id, count(*) FILTER (WHERE f.value IS NOT NULL OR f.raw_token IS NOT NULL),
           count(*) FILTER (WHERE f.value IS NULL AND f.raw_token IS NOT NULL)
    FROM fact_review_litigation f JOIN assessment_reports b USING (report_id)
    GROUP BY f.report_id
), cells AS (
    SELECT report_id, sum(printed) AS printed, sum(blank) AS blank FROM printed GROUP BY report_id
), parts AS (
    SELECT report_id, len(codes) AS present,
           list_filter(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'], lambda x: NOT list_contains(codes, x)) AS missing_parts
    FROM (SELECT b.report_id, coalesce(list(s.section_code) FILTER (WHERE s.section_code IS NOT NULL), []) AS codes
          FROM assessment_reports b
          LEFT JOIN report_sections s ON s.report_id = b.report_id AND s.section_code IN ('S1', 'S2', 'S3', 'S4', 'S5', 'S6')
          GROUP BY b.report_id)
), judged AS (
    SELECT b.agency_key, b.year, b.report_id, b.format_in_force, p.present AS parts_present, p.missing_parts,
           (b.t2_format IS NOT DISTINCT FROM b.format_in_force)::INTEGER + (b.t3_format IS NOT DISTINCT FROM b.format_in_force)::INTEGER
             + (b.t4_format IS NOT DISTINCT FROM b.format_in_force)::INTEGER AS tables_in_force,
           list_filter([CASE WHEN b.t2_format IS DISTINCT FROM b.format_in_force THEN 'T2 ' || coalesce(b.t2_format, 'absent') END,
                        CASE WHEN b.t3_format IS DISTINCT FROM b.format_in_force THEN 'T3 ' || coalesce(b.t3_format, 'absent') END,
                        CASE WHEN b.t4_format IS DISTINCT FROM b.format_in_force THEN 'T4 ' || coalesce(b.t4_format, 'absent') END],
                       lambda x: x IS NOT NULL) AS tables_not_in_force,
           e.cells AS cells_expected, coalesce(c.printed, 0) AS cells_printed, e.cells - coalesce(c.printed, 0) AS cells_missing,
           coalesce(c.blank, 0) AS cells_blank
    FROM assessment_reports b
    JOIN parts p USING (report_id)
    JOIN expected e ON e.fmt = b.format_in_force
    LEFT JOIN cells c USING (report_id)
)
SELECT agency_key, year, report_id,
       CASE WHEN parts_present = 6 AND tables_in_force = 3 AND cells_missing = 0 THEN 'complete' ELSE 'incomplete' END AS result,
       round((parts_present / 6 + tables_in_force / 3 + cells_printed / cells_expected) / 3, 6) AS score,
       parts_present, missing_parts, tables_in_force, tables_not_in_force, cells_expected, cells_printed, cells_missing, cells_blank,
       printf('%d/6 parts%s; %d/3 tables in the %s format%s; %d/%d cells printed, %d missing, %d blank',
              parts_present, CASE WHEN len(missing_parts) > 0 THEN ' (' || array_to_string(missing_parts, ', ') || ' missing)' ELSE '' END,
              tables_in_force, format_in_force,
              CASE WHEN len(tables_not_in_force) > 0 THEN ' (' || array_to_string(tables_not_in_force, ', ') || ')' ELSE '' END,
              cells_printed, cells_expected, cells_missing, cells_blank) AS evidence
FROM judged;

-- Each publisher finding of a current report with its weight (assessment_rule_weights: the rule, else
-- its family 'T3.*', else 1) and the indicator it counts for: accurate (the format's own arithmetic,
-- errors) or consistent (prose.* against the tables, X.* against last year's report).
CREATE OR REPLACE VIEW assessment_findings AS
SELECT b.agency_key, b.year, i.report_id, i.rule, i.severity, i.cells, i.expected, i.found, i.message,
       CASE WHEN i.rule LIKE 'prose.%' OR i.rule LIKE 'X.%' THEN 'consistent' ELSE 'accurate' END AS indicator,
       coalesce(w.weight, f.weight, 1.0) AS weight
FROM assessment_reports b
JOIN validation_issues i USING (report_id)
LEFT JOIN assessment_rule_weights w ON w.rule = i.rule
LEFT JOIN assessment_rule_weights f ON f.rule LIKE '%.*' AND starts_with(i.rule, rtrim(f.rule, '*'))
WHERE i.origin = 'publisher'
  AND ((i.severity = 'error' AND NOT (i.rule LIKE 'prose.%' OR i.rule LIKE 'X.%'))
       OR i.rule LIKE 'prose.%' OR i.rule LIKE 'X.%');

-- 5. Accurate and 6. Consistent: the findings scored, max(0, 1 − penalty × Σ weight), each listed as
-- evidence (rule, cells, expected, found).
CREATE OR REPLACE VIEW assessment_accuracy_consistency AS
WITH ind(indicator, ok, bad) AS (VALUES ('accurate', 'holds', 'violations'), ('consistent', 'consistent', 'inconsistent')),
agg AS (
    SELECT report_id, indicator, count(*) AS findings, sum(weight) AS weighted,
           string_agg(printf('%s [%s] expected %s found %s: %s', rule, array_to_string(cells, ','),
                             coalesce(printf('%.15g', expected), '∅'), coalesce(printf('%.15g', found), '∅'), message),
                      ' | ' ORDER BY rule, array_to_string(cells, ',')) AS listed
    FROM assessment_findings GROUP BY ALL
), by_rule AS (
    -- counted by rule, with the rule's weight: 'T3.results_total ×2 (weight 1)'
    SELECT report_id, indicator, string_agg(printf('%s ×%d (weight %.15g)', rule, n, weight), ', ' ORDER BY rule) AS by_rule
    FROM (SELECT report_id, indicator, rule, count(*) AS n, any_value(weight) AS weight FROM assessment_findings GROUP BY ALL)
    GROUP BY ALL
)
SELECT b.agency_key, b.year, b.report_id, ind.indicator,
       CASE WHEN a.findings IS NULL THEN ind.ok ELSE ind.bad END AS result,
       round(greatest(0.0, 1.0 - (SELECT penalty FROM assessment_parameters) * coalesce(a.weighted, 0)), 6) AS score,
       coalesce(a.findings, 0) AS findings, coalesce(a.weighted, 0) AS weighted_findings, r.by_rule,
       coalesce(printf('%d finding(s) — %s: %s', a.findings, r.by_rule, a.listed),
                CASE ind.indicator WHEN 'accurate' THEN 'the format''s identities hold (no publisher error)'
                     ELSE 'no prose-vs-table or cross-year finding' END) AS evidence
FROM assessment_reports b CROSS JOIN ind
LEFT JOIN agg a ON a.report_id = b.report_id AND a.indicator = ind.indicator
LEFT JOIN by_rule r ON r.report_id = b.report_id AND r.indicator = ind.indicator;

-- Part 5 of every assessed report cut into clauses (at 。；，：！？ and their ASCII forms), its heading
-- and blanks left out: what the substance indicator measures and compares.
CREATE OR REPLACE VIEW assessment_part5_clauses AS
WITH body AS (
    SELECT b.agency_key, b.year, b.report_id, b.dated_at,
           regexp_replace(regexp_replace(s.text, '^\s*五\s*[、.．]?[^\n]*?改进情况', ''), '\s+', '', 'g') AS body
    FROM assessment_reports b JOIN report_sections s ON s.report_id = b.report_id AND s.section_code = 'S5'
)
SELECT agency_key, year, report_id, dated_at, pos, clause, length(clause) AS chars
FROM (SELECT agency_key, year, report_id, dated_at, unnest(parts) AS clause, generate_subscripts(parts, 1) AS pos
      FROM (SELECT *, string_split_regex(body, '[。；;，,：:！!？?]') AS parts FROM body))
WHERE length(clause) > 0;

-- 7a. Substantive part 5 (条例 第五十条第（四）项): present, not boilerplate (at least min_chars
-- characters), and not repeated: the share of its characters in clauses of min_clause_chars or more
-- found word for word in the agency's part 5 of the year before, or in another agency's part 5 of the
-- same year dated earlier (or the same day: who copied whom cannot be told). The matching clauses are
-- the evidence.
CREATE OR REPLACE VIEW assessment_substance AS
WITH p AS (SELECT * FROM assessment_parameters),
c AS (SELECT * FROM assessment_part5_clauses),
long AS (SELECT c.* FROM c, p WHERE c.chars >= p.min_clause_chars),
-- all its characters (what boilerplate is measured by) and those of its long clauses (what a share is
-- of: a clause too short to compare, 一是 or （二）改进措施, counts neither way)
totals AS (SELECT report_id, sum(chars) AS chars, coalesce(sum(chars) FILTER (WHERE chars >= (SELECT min_clause_chars FROM p)), 0) AS long_chars
           FROM c GROUP BY report_id),
prev AS (
    SELECT t.report_id, sum(t.chars) AS chars, string_agg(t.clause, ' / ' ORDER BY t.pos) AS passage
    FROM long t
    JOIN (SELECT DISTINCT agency_key, year + 1 AS year, clause FROM long) last_year USING (agency_key, year, clause)
    GROUP BY t.report_id
), firsts AS (
    -- per year and clause: the earliest date any agency printed it, how many agencies printed it on that
    -- date (the first and last of them by key), how many agencies printed it at all
    SELECT year, clause, min(dated_at) AS first_at, count(DISTINCT agency_key) AS agencies,
           count(DISTINCT agency_key) FILTER (WHERE dated_at = first_at_w) AS n_first,
           min(agency_key) FILTER (WHERE dated_at = first_at_w) AS first_agency,
           max(agency_key) FILTER (WHERE dated_at = first_at_w) AS last_first_agency
    FROM (SELECT *, min(dated_at) OVER (PARTITION BY year, clause) AS first_at_w FROM long)
    GROUP BY year, clause
), other AS (
    -- printed by another agency earlier, or by another the same day
    SELECT t.report_id, sum(t.chars) AS chars, string_agg(t.clause, ' / ' ORDER BY t.pos) AS passage,
           min(CASE WHEN f.first_agency <> t.agency_key THEN f.first_agency ELSE f.last_first_agency END) AS from_agency
    FROM long t JOIN firsts f USING (year, clause)
    WHERE f.agencies > 1 AND (t.dated_at > f.first_at OR f.n_first > 1)
    GROUP BY t.report_id
), judged AS (
    SELECT b.agency_key, b.year, b.report_id, coalesce(t.chars, 0) AS chars, t.report_id IS NOT NULL AS present,
           coalesce(pr.chars, 0) / nullif(t.long_chars, 0) AS share_previous, pr.passage AS previous_passage,
           coalesce(o.chars, 0) / nullif(t.long_chars, 0) AS share_other, o.passage AS other_passage, o.from_agency,
           (SELECT min_chars FROM p) AS min_chars, (SELECT repeat_share FROM p) AS repeat_share
    FROM assessment_reports b
    LEFT JOIN totals t USING (report_id)
    LEFT JOIN prev pr USING (report_id)
    LEFT JOIN other o USING (report_id)
)
SELECT agency_key, year, report_id,
       CASE WHEN NOT present THEN 'missing' WHEN chars < min_chars THEN 'boilerplate'
            WHEN greatest(coalesce(share_previous, 0), coalesce(share_other, 0)) >= repeat_share THEN 'repeated'
            ELSE 'substantive' END AS result,
       CASE WHEN NOT present OR chars < min_chars
                 OR greatest(coalesce(share_previous, 0), coalesce(share_other, 0)) >= repeat_share THEN 0.0
            ELSE 1.0 END AS score,
       chars, round(coalesce(share_previous, 0), 6) AS share_previous, previous_passage,
       round(coalesce(share_other, 0), 6) AS share_other, other_passage, from_agency,
       CASE WHEN NOT present THEN 'no part 5 (存在的主要问题及改进情况) found'
            ELSE printf('%d characters (boilerplate under %d); %.0f%% as last year''s part 5%s; %.0f%% in an earlier part 5 of another agency of %d%s',
                        chars, min_chars, 100 * coalesce(share_previous, 0),
                        CASE WHEN previous_passage IS NOT NULL THEN printf(' («%s»)', previous_passage) ELSE '' END,
                        100 * coalesce(share_other, 0), year,
                        CASE WHEN other_passage IS NOT NULL THEN printf(' (%s: «%s»)', from_agency, other_passage) ELSE '' END)
       END AS evidence
FROM judged;

-- 7b. Fees stated: from fees_from_year on, part 6 states the information-processing fees charged
-- (信息处理费 under 国办函〔2020〕109号, or any 收费 statement); the sentence saying it is the evidence.
CREATE OR REPLACE VIEW assessment_fees AS
WITH s6 AS (
    -- (its heading cut off, lines joined: a PDF's text wraps mid-sentence)
    SELECT agency_key, year, report_id, text, regexp_extract(text, '[^。]*(信息处理费|收费|收取[^。]*费)[^。]*') AS sentence
    FROM (SELECT b.agency_key, b.year, b.report_id,
                 regexp_replace(regexp_replace(s.text, '^\s*六\s*[、.．]?[^\n]*?其他需要报告的事项', ''), '\s*\n\s*', '', 'g') AS text
          FROM assessment_reports b LEFT JOIN report_sections s ON s.report_id = b.report_id AND s.section_code = 'S6')
)
SELECT agency_key, year, report_id,
       CASE WHEN year < (SELECT fees_from_year FROM assessment_parameters) THEN 'not_applicable'
            WHEN sentence <> '' THEN 'stated' ELSE 'not_stated' END AS result,
       CASE WHEN year < (SELECT fees_from_year FROM assessment_parameters) THEN NULL
            WHEN sentence <> '' THEN 1.0 ELSE 0.0 END AS score,
       CASE WHEN year < (SELECT fees_from_year FROM assessment_parameters)
                 THEN printf('not asked before the %d reports', (SELECT fees_from_year FROM assessment_parameters))
            WHEN sentence <> '' THEN printf('part 6: «%s»', trim(sentence))
            WHEN text IS NULL THEN 'no part 6 (其他需要报告的事项): the 信息处理费 charged is not stated'
            ELSE printf('part 6 does not state the 信息处理费 charged: «%s»', left(trim(regexp_replace(text, '\s+', ' ', 'g')), 200))
       END AS evidence
FROM s6;

-- The scorecard, long: one row per agency-year and indicator, with its result, score, evidence,
-- weight and basis (assessment_indicator_config).
CREATE OR REPLACE VIEW assessment_indicators AS
WITH all_results AS (
    SELECT agency_key, year, report_id, 'on_time' AS indicator, result, score, evidence FROM assessment_on_time
    UNION ALL SELECT agency_key, year, report_id, 'changed', result, score, evidence FROM assessment_changed
    UNION ALL SELECT agency_key, year, report_id, 'publication', result, score, evidence FROM assessment_publication
    UNION ALL SELECT agency_key, year, report_id, 'complete', result, score, evidence FROM assessment_complete
    UNION ALL SELECT agency_key, year, report_id, indicator, result, score, evidence FROM assessment_accuracy_consistency
    UNION ALL SELECT agency_key, year, report_id, 'substance', result, score, evidence FROM assessment_substance
    UNION ALL SELECT agency_key, year, report_id, 'fees', result, score, evidence FROM assessment_fees
)
SELECT b.agency_key, b.canonical_name, b.province, b.level, b.kind, b.year, b.report_id, b.source,
       x.indicator, c.position, c.name_zh, c.name_en, x.result, CAST(x.score AS DOUBLE) AS score, c.weight,
       x.evidence, c.basis
FROM all_results x
JOIN assessment_reports b USING (report_id)
JOIN assessment_indicator_config c USING (indicator);

-- The total of every agency-year: 100 × Σ weight × score / Σ weight of the indicators scored (an
-- indicator not scored — unknown timeliness, fees before 2021 — is left out, not counted as 0);
-- weight_scored says how much of the weight the total rests on.
CREATE OR REPLACE VIEW assessment_totals AS
SELECT agency_key, canonical_name, province, level, kind, year, report_id, source,
       round(100 * sum(weight * score) FILTER (WHERE score IS NOT NULL)
                 / nullif(sum(weight) FILTER (WHERE score IS NOT NULL), 0), 2) AS total,
       sum(weight) FILTER (WHERE score IS NOT NULL) AS weight_scored, sum(weight) AS weight_total,
       count(*) FILTER (WHERE score IS NOT NULL AND score < 1) AS indicators_failed,
       list(indicator ORDER BY position) FILTER (WHERE score IS NOT NULL AND score < 1) AS failed
FROM assessment_indicators GROUP BY ALL;

-- The scorecard, wide: one row per agency-year, each indicator's result and score, and the total
-- (as assessment_totals computes it, in the same pass).
CREATE OR REPLACE VIEW assessment_scorecards AS
SELECT i.agency_key, i.canonical_name, i.province, i.level, i.kind, i.year,
       round(100 * sum(i.weight * i.score) FILTER (WHERE i.score IS NOT NULL)
                 / nullif(sum(i.weight) FILTER (WHERE i.score IS NOT NULL), 0), 2) AS total,
       sum(i.weight) FILTER (WHERE i.score IS NOT NULL) AS weight_scored, sum(i.weight) AS weight_total,
       max(i.result) FILTER (WHERE i.indicator = 'on_time') AS on_time, max(i.score) FILTER (WHERE i.indicator = 'on_time') AS on_time_score,
       max(i.result) FILTER (WHERE i.indicator = 'changed') AS changed, max(i.score) FILTER (WHERE i.indicator = 'changed') AS changed_score,
       max(i.result) FILTER (WHERE i.indicator = 'publication') AS publication,
       max(i.score) FILTER (WHERE i.indicator = 'publication') AS publication_score,
       max(i.result) FILTER (WHERE i.indicator = 'complete') AS complete, max(i.score) FILTER (WHERE i.indicator = 'complete') AS complete_score,
       max(i.result) FILTER (WHERE i.indicator = 'accurate') AS accurate, max(i.score) FILTER (WHERE i.indicator = 'accurate') AS accurate_score,
       max(i.result) FILTER (WHERE i.indicator = 'consistent') AS consistent,
       max(i.score) FILTER (WHERE i.indicator = 'consistent') AS consistent_score,
       max(i.result) FILTER (WHERE i.indicator = 'substance') AS substance, max(i.score) FILTER (WHERE i.indicator = 'substance') AS substance_score,
       max(i.result) FILTER (WHERE i.indicator = 'fees') AS fees, max(i.score) FILTER (WHERE i.indicator = 'fees') AS fees_score,
       i.report_id, i.source
FROM assessment_indicators i
GROUP BY i.agency_key, i.canonical_name, i.province, i.level, i.kind, i.year, i.report_id, i.source;

-- League tables: each agency-year's rank by total within its year, and within its year and level,
-- province, kind (rank: ties share a rank; rows ordered by total, then name).
CREATE OR REPLACE VIEW assessment_league AS
SELECT year, agency_key, canonical_name, province, level, kind, total, weight_scored, indicators_failed, failed,
       rank() OVER (PARTITION BY year ORDER BY total DESC NULLS LAST) AS rank_in_year,
       rank() OVER (PARTITION BY year, level ORDER BY total DESC NULLS LAST) AS rank_in_level,
       rank() OVER (PARTITION BY year, province ORDER BY total DESC NULLS LAST) AS rank_in_province,
       rank() OVER (PARTITION BY year, kind ORDER BY total DESC NULLS LAST) AS rank_in_kind,
       count(*) OVER (PARTITION BY year) AS agencies_in_year, report_id
FROM assessment_totals;

-- Each indicator's distribution per year: how many agency-years got each result, their share, the
-- mean score.
CREATE OR REPLACE VIEW assessment_distribution AS
SELECT year, indicator, position, name_zh, name_en, result, count(*) AS agency_years,
       round(count(*) / sum(count(*)) OVER (PARTITION BY year, indicator), 4) AS share,
       round(avg(score), 4) AS mean_score
FROM assessment_indicators GROUP BY year, indicator, position, name_zh, name_en, result;
