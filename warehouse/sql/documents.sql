-- The raw archive's index: every version of every document the crawler fetched, and what went wrong.
-- Files live content-addressed under <data-dir>/raw/<sha[:2]>/<sha>; rows here are never deleted.

CREATE TABLE IF NOT EXISTS documents (
    url                        VARCHAR NOT NULL,
    version                    INTEGER NOT NULL,     -- 1, 2, … : a new sha256 at the same URL is a new version
    sha256                     VARCHAR NOT NULL,
    source                     VARCHAR NOT NULL,     -- catalogue source name
    role                       VARCHAR NOT NULL,     -- report_page (report embedded in the page) | attachment | detail_page | page_image
    title                      VARCHAR,              -- listing title (or link text)
    agency_guess               VARCHAR,
    year_guess                 INTEGER,
    media_type                 VARCHAR,              -- sniffed from the bytes: html | pdf | docx | doc | ...
    content_type               VARCHAR,              -- as the server declared it
    http_status                INTEGER,
    etag                       VARCHAR,
    last_modified              VARCHAR,
    size                       BIGINT,
    fetched_at                 TIMESTAMPTZ,          -- last time the body was fetched (or confirmed by a 304)
    first_seen                 TIMESTAMPTZ NOT NULL,
    last_seen                  TIMESTAMPTZ NOT NULL,
    changed_after_publication  BOOLEAN NOT NULL DEFAULT false,  -- version > 1: the bytes changed at the same URL
    archive_path               VARCHAR NOT NULL,
    PRIMARY KEY (url, version)
);

CREATE TABLE IF NOT EXISTS fetch_failures (
    crawl_id     VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    stage        VARCHAR NOT NULL,                   -- listing | detail | attachment
    error_type   VARCHAR NOT NULL,                   -- timeout | http_error | too_large | redirect_loop | robots_disallowed | ...
    http_status  INTEGER,
    message      VARCHAR NOT NULL,
    failed_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS crawl_runs (
    crawl_id             VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    started_at           TIMESTAMPTZ NOT NULL,
    finished_at          TIMESTAMPTZ NOT NULL,
    listing_pages        INTEGER NOT NULL,
    requests             INTEGER NOT NULL,
    reports_found        INTEGER NOT NULL,
    documents_new        INTEGER NOT NULL,
    documents_changed    INTEGER NOT NULL,
    documents_unchanged  INTEGER NOT NULL,
    failures             INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, source)
);
-- Partitioned runs stage their outcome as Parquet files (pipelines/staging.py); the loader records
-- each staged unit here in the same transaction as its rows, so a unit is never loaded twice.
CREATE TABLE IF NOT EXISTS staged_loads (
    unit         VARCHAR PRIMARY KEY,  -- <staged at>__<source>__<run id prefix>: the staging folder's name
    source       VARCHAR NOT NULL,     -- the catalogue source (the Dagster partition)
    run_id       VARCHAR NOT NULL,     -- the Dagster run that staged it
    reports      INTEGER NOT NULL,     -- report rows loaded from it
    fact_rows    BIGINT NOT NULL,      -- fact rows loaded from it (current agency-years only)
    loaded_at    TIMESTAMPTZ NOT NULL
);
ALTER TABLE fetch_failures ADD COLUMN IF NOT EXISTS body_sha256 VARCHAR;  -- the archived answer to look at (blocked, unknown_listing)
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS columns VARCHAR;         -- "<CMS family> <column URL>" of each column read, '; '-separated
ALTER TABLE documents ADD COLUMN IF NOT EXISTS embedded_in VARCHAR;       -- role page_image: the report page that shows it
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS challenged_prefixes VARCHAR;  -- "<host><path prefix> HTTP <status>" of each anti-bot answer, '; '-separated: that prefix left alone for the crawl, the rest of the host crawled
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS hosts_left VARCHAR;           -- hosts left whole for the crawl: challenged_prefixes_to_leave_host of their prefixes were challenged
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS site_codes VARCHAR;           -- "<SiteIDCode> on <N> page(s)" of each code the pages read declared ('; '-separated): the source's own confirms its owner, another's pages are fetch_failures 'foreign_site'

CREATE OR REPLACE VIEW current_documents AS
SELECT * FROM documents QUALIFY row_number() OVER (PARTITION BY url ORDER BY version DESC) = 1;

-- The pictures a report page shows in place of its tables (fetched with it, read by OCR with it).
CREATE OR REPLACE VIEW page_pictures AS
SELECT embedded_in AS page_url, url, sha256, archive_path FROM current_documents WHERE role = 'page_image';

-- Per source: the latest crawl next to the best earlier one. A source that used to yield reports
-- and now yields none has gone silent (a changed site, a block, a broken catalogue entry).
CREATE OR REPLACE VIEW source_health AS
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source ORDER BY started_at DESC, crawl_id DESC) AS recency
    FROM crawl_runs
), earlier AS (
    SELECT source, max(reports_found) AS best FROM ranked WHERE recency > 1 GROUP BY source
)
SELECT l.source, l.crawl_id AS latest_crawl, l.started_at, l.listing_pages, l.requests, l.reports_found,
       l.documents_new, l.documents_changed, l.failures,
       coalesce(e.best, 0) AS best_earlier_reports_found,
       l.reports_found = 0 AND coalesce(e.best, 0) > 0 AS went_silent
FROM ranked l LEFT JOIN earlier e USING (source)
WHERE l.recency = 1;

-- The fetch failures of each source's latest crawl (what the sources_yield_reports check lists).
CREATE OR REPLACE VIEW latest_fetch_failures AS
SELECT f.source, f.stage, f.url, f.error_type, f.http_status, f.message, f.body_sha256
FROM fetch_failures f JOIN source_health h ON h.latest_crawl = f.crawl_id AND h.source = f.source;

-- The catalogue's roster: agencies expected to publish through a source every year from since_year
-- on (replaced for a source at each crawl of it). Read by the roster view.
CREATE TABLE IF NOT EXISTS catalog_publishers (
    source      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,                    -- as the catalogue writes it; resolved like printed names
    since_year  INTEGER,                             -- NULL: from the first year the warehouse holds
    PRIMARY KEY (source, name)
);

-- The catalogue's region of a source (GB/T 2260 code): places agency names found through it that no
-- division library knows. Replaced for a source at each crawl of it.
CREATE TABLE IF NOT EXISTS catalog_regions (
    source  VARCHAR PRIMARY KEY,
    region  VARCHAR NOT NULL
);

-- Files of a folder source that were not read, each with its reason: nothing in a source folder is
-- dropped without a word. One row per file per look at the folder (a crawl).
CREATE TABLE IF NOT EXISTS skipped_files (
    crawl_id  VARCHAR NOT NULL,                      -- the look at the folder (crawl_runs.crawl_id)
    source    VARCHAR NOT NULL,                      -- catalogue source name ('folder' for `--source DIR`)
    path      VARCHAR NOT NULL,                      -- the file (or hidden or linked folder) not read
    reason    VARCHAR NOT NULL,                      -- unsupported_suffix | hidden | hidden_folder | unreadable | not_a_regular_file | linked_folder
    detail    VARCHAR NOT NULL,                      -- the reason in words (e.g. which suffixes are read)
    size      BIGINT,                                -- bytes; NULL for folders and links that lead nowhere
    seen_at   TIMESTAMPTZ NOT NULL                   -- when the folder was listed
);

-- The files each folder source's latest look skipped (what the run summary and the UI list).
CREATE OR REPLACE VIEW latest_skipped_files AS
SELECT s.source AS catalog_source, s.path, s.reason, s.detail, s.size, s.seen_at, s.crawl_id
FROM skipped_files s JOIN source_health h ON h.latest_crawl = s.crawl_id AND h.source = s.source;

-- Documents whose bytes are gone: a folder file moved or deleted, an archived copy lost. Their last
-- loaded version stays as it was (its numbers stay current); a re-parse reads nothing and changes
-- nothing. One row per document while it is gone; deleted when the file is back.
CREATE TABLE IF NOT EXISTS gone_documents (
    source      VARCHAR PRIMARY KEY,                 -- path or URL, as reports.source
    sha256      VARCHAR NOT NULL,                    -- the last loaded version's bytes
    gone_since  TIMESTAMPTZ NOT NULL,                -- first noticed missing (kept while it stays gone)
    noticed_in  VARCHAR NOT NULL,                    -- 'run <Dagster run id>' (a re-parse) or 'crawl <crawl id>' (a folder listing)
    evidence    VARCHAR NOT NULL                     -- what was found, e.g. 'file not found: <path>'
);

-- Documents an operator retired (`nianbao retire`): gone for good, or never to be read. The
-- no_failed_parses check no longer counts them; they stay listed as retired, with who and why.
CREATE TABLE IF NOT EXISTS retired_documents (
    source      VARCHAR PRIMARY KEY,                 -- path or URL, as reports.source
    sha256      VARCHAR NOT NULL,                    -- its latest loaded version when retired
    retired_at  TIMESTAMPTZ NOT NULL,                -- when `nianbao retire` recorded it
    retired_by  VARCHAR NOT NULL,                    -- --by, else the operating-system user who ran the command
    why         VARCHAR NOT NULL                     -- --why: why it will not come back
);
