-- nianbao warehouse: the public SQL surface (documented in docs/data_dictionary.md).
-- Idempotent: safe to run on every connection.

CREATE TABLE IF NOT EXISTS reports (
    report_id       VARCHAR PRIMARY KEY,   -- first 16 hex of sha256: one row per document version (+ '-N' per report of a collection)
    agency_id       VARCHAR,               -- NULL when the document could not be identified
    year            INTEGER,               -- the year reported on
    source          VARCHAR NOT NULL,      -- path or URL the bytes came from
    sha256          VARCHAR NOT NULL,
    media_type      VARCHAR NOT NULL,      -- html | text | pdf | docx | doc | ...
    t2_format       VARCHAR,               -- 2021 | 2019
    t3_format       VARCHAR,               -- 2021 | 2019 | hybrid
    t4_format       VARCHAR,
    status          VARCHAR NOT NULL,      -- valid | invalid | failed | not_a_report
    error_type      VARCHAR,               -- failed / not_a_report: a stable category
    error           VARCHAR,
    title           VARCHAR,
    encoding        VARCHAR,
    is_current      BOOLEAN NOT NULL DEFAULT FALSE, -- the version whose numbers are in the fact tables
    n_errors        INTEGER NOT NULL DEFAULT 0,
    n_warnings      INTEGER NOT NULL DEFAULT 0,
    parser_version  VARCHAR NOT NULL,
    ingested_at     TIMESTAMPTZ NOT NULL   -- first time this version was loaded (kept on re-parses)
);

-- Operations columns (added after the first release; ALTER keeps older warehouses loading).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS parser_errors INTEGER DEFAULT 0;      -- cells the parser could not place
ALTER TABLE reports ADD COLUMN IF NOT EXISTS parsed_at TIMESTAMPTZ;                -- the latest parse of this version
ALTER TABLE reports ADD COLUMN IF NOT EXISTS run_id VARCHAR;                       -- the Dagster run of that parse
ALTER TABLE reports ADD COLUMN IF NOT EXISTS failing_since TIMESTAMPTZ;            -- failed (or parser errors) since; NULL when fine
ALTER TABLE reports ADD COLUMN IF NOT EXISTS failing_since_run VARCHAR;            -- the run that first saw it failing
ALTER TABLE reports ADD COLUMN IF NOT EXISTS catalog_source VARCHAR;               -- the catalogue source that found it
-- Collections (汇编): one document holding several agencies' reports loads as one row per report.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS part INTEGER;                         -- position in its collection; NULL for a single report
ALTER TABLE reports ADD COLUMN IF NOT EXISTS page_first INTEGER;                   -- a collection's report: its first page
ALTER TABLE reports ADD COLUMN IF NOT EXISTS page_last INTEGER;                    -- … and its last page
-- Scans (图片版) read by OCR: their numbers are an engine's reading, checked by the format's arithmetic.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS ocr_pages INTEGER DEFAULT 0;          -- pages read by OCR (0: a text layer was read)
-- Which agency a report belongs to, decided at load time (warehouse/identity.py), and which of its
-- versions is current (warehouse/sql/load.sql): two agencies printing the same name ("县信访局")
-- stay two. NULL identity_key: loaded before it existed (such a row is superseded by printed name).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS catalog_region VARCHAR;               -- the catalogue's region (GB/T 2260) of the source that found it
ALTER TABLE reports ADD COLUMN IF NOT EXISTS site VARCHAR;                         -- the page's site as it states it: SiteIDCode (网站标识码), else SiteName
ALTER TABLE reports ADD COLUMN IF NOT EXISTS published_at TIMESTAMP;               -- publication date the document or page states (PubDate, 发布日期, 成文日期)
ALTER TABLE reports ADD COLUMN IF NOT EXISTS first_seen_at TIMESTAMPTZ;            -- when this version was first fetched (crawl), else first loaded (folder)
ALTER TABLE reports ADD COLUMN IF NOT EXISTS identity_key VARCHAR;                 -- the agency the current version is chosen for: <adcode>/<unit>, or unplaced/<where>/<printed name>
ALTER TABLE reports ADD COLUMN IF NOT EXISTS identity_by VARCHAR;                  -- alias_file | division_library | catalogue_region | site | source | host | folder

CREATE TABLE IF NOT EXISTS dim_agency (
    agency_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    first_year  INTEGER,
    last_year   INTEGER
);

CREATE TABLE IF NOT EXISTS dim_application_category (
    category_code VARCHAR PRIMARY KEY,    -- table-3 row code, e.g. 3.3.3.1
    label         VARCHAR NOT NULL,
    parent_code   VARCHAR,
    kind          VARCHAR NOT NULL,       -- leaf | group | total
    formats       VARCHAR NOT NULL        -- which layouts print it as a data row: '2021', '2019/hybrid', 'all'
);

CREATE TABLE IF NOT EXISTS dim_applicant_type (
    applicant_code VARCHAR PRIMARY KEY,   -- np | lp_com | lp_res | lp_ngo | lp_law | lp_oth | total
    label          VARCHAR NOT NULL,
    group_label    VARCHAR
);

CREATE TABLE IF NOT EXISTS dim_proactive_item (
    table_format VARCHAR NOT NULL,        -- 2021 | 2019
    block_code   VARCHAR NOT NULL,        -- 2.1 | 2.5 | 2.6 | 2.8 | 2.9
    caption      VARCHAR NOT NULL,
    row_code     VARCHAR NOT NULL,
    row_label    VARCHAR NOT NULL,
    col_code     VARCHAR NOT NULL,
    col_label    VARCHAR NOT NULL,
    value_kind   VARCHAR NOT NULL,        -- int | signed_int | decimal (万元) | text_amount (元, as printed)
    PRIMARY KEY (table_format, row_code, col_code)
);

CREATE TABLE IF NOT EXISTS dim_review_litigation_column (
    col_code        VARCHAR PRIMARY KEY,  -- e.g. R.total, LD.maintain
    proceeding      VARCHAR NOT NULL,     -- R | LD | LA
    proceeding_label VARCHAR NOT NULL,
    outcome         VARCHAR NOT NULL,     -- maintain | correct | other | pending | total
    outcome_label   VARCHAR NOT NULL
);

-- Why a document is failing and what fixes it, per error_type of outstanding_failures (a failed
-- parse's type, or a parser-error rule); from schemas/error_types.py. A code ending in '.*' covers a
-- family (schema.* = every pandera failure schema.<column>.<check>). Not every failure is fixed by a
-- parser release: a corrupt file needs a good copy, a missing converter a package.
CREATE TABLE IF NOT EXISTS dim_error_types (
    error_type VARCHAR PRIMARY KEY,  -- e.g. corrupt_pdf, parser_crash, cell_missing, schema.*
    kind       VARCHAR NOT NULL,     -- failed_parse (nothing loaded) | parser_error (loaded, cells the parser could not place or read)
    meaning    VARCHAR NOT NULL,     -- what happened, in a sentence
    how_to_fix VARCHAR NOT NULL      -- what a person does about it (a parser fix and re-parse, a new copy, a package …)
);

CREATE TABLE IF NOT EXISTS fact_applications (
    agency_id      VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    category_code  VARCHAR NOT NULL,
    applicant_code VARCHAR NOT NULL,
    value          BIGINT,                -- NULL = blank in the report ('', '/', '—', '无'): never 0
    raw_token      VARCHAR,               -- the token as printed
    report_id      VARCHAR NOT NULL
    -- key (agency_id, year, category_code, applicant_code): unique by construction (the loader replaces an agency-year's rows as a whole;
    -- pandera checks each report's keys); no PRIMARY KEY index: at 3 × 10^8 rows it would cost 15× the disk and
    -- 3× the load time (docs/benchmarks.md)
);

CREATE TABLE IF NOT EXISTS fact_proactive_disclosure (
    agency_id    VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    table_format VARCHAR NOT NULL,
    row_code     VARCHAR NOT NULL,
    col_code     VARCHAR NOT NULL,
    value        DECIMAL(20, 6),          -- counts, 万元 fees (up to 6 decimals), 元 amounts
    raw_token    VARCHAR,
    report_id    VARCHAR NOT NULL
    -- key (agency_id, year, row_code, col_code): unique by construction (the loader replaces an agency-year's rows as a whole;
    -- pandera checks each report's keys); no PRIMARY KEY index: at 3 × 10^8 rows it would cost 15× the disk and
    -- 3× the load time (docs/benchmarks.md)
);

CREATE TABLE IF NOT EXISTS fact_review_litigation (
    agency_id   VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    col_code    VARCHAR NOT NULL,
    proceeding  VARCHAR NOT NULL,
    outcome     VARCHAR NOT NULL,
    value       BIGINT,
    raw_token   VARCHAR,
    report_id   VARCHAR NOT NULL
    -- key (agency_id, year, col_code): unique by construction (the loader replaces an agency-year's rows as a whole;
    -- pandera checks each report's keys); no PRIMARY KEY index: at 3 × 10^8 rows it would cost 15× the disk and
    -- 3× the load time (docs/benchmarks.md)
);

CREATE TABLE IF NOT EXISTS validation_issues (
    report_id VARCHAR NOT NULL,
    rule      VARCHAR NOT NULL,           -- e.g. T3.balance, T4.review_total, nonneg, cell_missing
    severity  VARCHAR NOT NULL,           -- error | warning | info (info = rule skipped over blanks)
    origin    VARCHAR NOT NULL,           -- publisher (the report's own numbers) | parser (our extraction)
    cells     VARCHAR[],
    expected  DOUBLE,
    found     DOUBLE,
    message   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS cell_provenance (
    report_id  VARCHAR NOT NULL,
    cell_key   VARCHAR NOT NULL,          -- <row_code>|<col_code>
    grid_index INTEGER,                   -- table number in the document (HTML/Word) or page table
    grid_row   INTEGER,
    grid_col   INTEGER,
    page       INTEGER,
    bbox       VARCHAR,                   -- JSON [x0, top, x1, bottom] for PDF
    raw_token  VARCHAR
    -- key (report_id, cell_key): unique by construction (a report's rows are replaced as a whole); no index
);

ALTER TABLE cell_provenance ADD COLUMN IF NOT EXISTS ocr_confidence DOUBLE;  -- OCR: the engine's lowest confidence for the cell's text
ALTER TABLE cell_provenance ADD COLUMN IF NOT EXISTS image VARCHAR;           -- read from a picture: its URL, file or Word part; page = its number, bbox in its pixels

CREATE TABLE IF NOT EXISTS report_sections (
    report_id    VARCHAR NOT NULL,
    section_code VARCHAR NOT NULL,        -- S1 … S6
    text         VARCHAR NOT NULL,
    PRIMARY KEY (report_id, section_code)
);

-- One agency under all its printed names (warehouse/agencies.py; rebuilt after every load from the
-- alias file and the division library, so an edit of the alias file applies to every year): every
-- agency a report is keyed by (report_agencies), a catalogue source's roster or listing names
-- (source_agencies), and what a name alone gives (agency_aliases) where a report loaded before
-- identity keys names it.
CREATE TABLE IF NOT EXISTS agencies (
    agency_key     VARCHAR PRIMARY KEY,   -- <adcode>/<unit>, e.g. 320813/人民政府; unplaced/<where>/<name> or ?/<name> when no region places it
    canonical_name VARCHAR NOT NULL,      -- region path + unit, e.g. 淮安市洪泽区人民政府
    adcode         VARCHAR,               -- GB/T 2260 division code; NULL = unresolved
    province       VARCHAR,
    prefecture     VARCHAR,
    county         VARCHAR,
    level          VARCHAR,               -- province | prefecture | county | township
    kind           VARCHAR,               -- government | general_office | department | township | special_zone
    sector         VARCHAR,               -- departments: 教育, 公安, 自然资源, … (NULL when not recognisable)
    resolved_by    VARCHAR NOT NULL       -- alias_file | division_library | catalogue_region | unplaced | unresolved
);

-- What a printed name resolves to by itself. A name several agencies print ("县信访局") resolves to
-- none of them here (?/<name>, unless its sources share one region): a report's agency is in
-- report_agencies, from its identity_key.
CREATE TABLE IF NOT EXISTS agency_aliases (
    name        VARCHAR PRIMARY KEY,      -- a printed name (reports.agency_id, fact tables' agency_id)
    agency_key  VARCHAR NOT NULL,
    resolved_by VARCHAR NOT NULL
);

-- The agency a name means where a catalogue source gives it — its roster (catalog_publishers), a
-- portal listing's guess (documents.agency_guess) — keyed as that source's reports are: the name
-- placed by itself, else by the source's region, else unplaced/source:<source>/<name> (rebuilt with
-- agencies). The roster counts expected publishers and listed documents under these keys.
CREATE TABLE IF NOT EXISTS source_agencies (
    source      VARCHAR NOT NULL,         -- the catalogue source
    name        VARCHAR NOT NULL,         -- as the source gives it
    agency_key  VARCHAR NOT NULL,
    resolved_by VARCHAR NOT NULL,         -- alias_file | division_library | catalogue_region | unplaced
    PRIMARY KEY (source, name)
);

-- Reviewed corrections as applied (warehouse/reference/corrections.yaml; rebuilt after every load):
-- the fact tables keep the published value, the *_corrected views show the corrected one.
CREATE TABLE IF NOT EXISTS corrections (
    agency          VARCHAR NOT NULL,     -- as the entry names it (printed name or agency_key)
    agency_key      VARCHAR,
    year            INTEGER NOT NULL,
    cell_key        VARCHAR NOT NULL,
    value           DOUBLE NOT NULL,      -- the corrected number
    reason          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,     -- where the correct number comes from
    report_id       VARCHAR,              -- the current report it applies to
    published_value DOUBLE,               -- the number as published (NULL: blank, or no such cell)
    raw_token       VARCHAR,
    applied         BOOLEAN NOT NULL      -- false: no current report of that agency-year prints the cell
);
