-- The built site catalogue (`nianbao catalogue build`: sites.yaml) in the warehouse, for coverage per
-- province: which portals were seeded, which a page of their own confirmed, which have a 年报 column,
-- and what the crawl found through them. Replaced whole at each load (the built catalogue is one file).

-- One row per listed site of the built catalogue.
CREATE TABLE IF NOT EXISTS catalogue_sites (
    source          VARCHAR PRIMARY KEY,   -- the crawl source name the build gave the site (documents.source, reports.catalog_source)
    url             VARCHAR NOT NULL,      -- the listed URL (home page or report address)
    name            VARCHAR NOT NULL,      -- the site's name as its list writes it
    site_code       VARCHAR,               -- 网站标识码 as listed
    level           VARCHAR,               -- central, province, prefecture, county … as listed
    region          VARCHAR,               -- the finest GB/T 2260 code the list establishes (NULL: central or unplaced)
    province_code   VARCHAR,               -- the region's province (GB/T 2260, ..0000); NULL when the site has no region
    province        VARCHAR,               -- that province's name (division library), else as the list writes it
    status          VARCHAR NOT NULL,      -- the build's check: columns | none | unreachable | moved | conflict
    meta            VARCHAR NOT NULL,      -- the SiteIDCode check: confirmed | conflict | absent | unlisted
    columns         INTEGER NOT NULL,      -- 年报 columns found
    listed_reports  INTEGER NOT NULL,      -- report items those columns list (at the check)
    admitted        BOOLEAN NOT NULL,      -- in the crawl catalogue (sources.yaml): crawled by ingest
    verified_at     TIMESTAMPTZ NOT NULL   -- when the build checked the site
);

-- Coverage per province of the built catalogue: portals seeded (listed), verified (a page of the site
-- declared its listed SiteIDCode), with a 年报 column, crawled (admitted), and what the warehouse holds
-- from them: report documents fetched (report pages and attachments, distinct URLs) and current
-- reports loaded (valid or invalid). Central bodies and sites without a region are their own rows.
CREATE OR REPLACE VIEW catalogue_coverage_by_province AS
WITH found AS (
    SELECT source, count(DISTINCT url) AS documents FROM documents
    WHERE role IN ('report_page', 'attachment') GROUP BY 1
), loaded AS (
    SELECT catalog_source AS source, count(*) AS reports FROM reports
    WHERE is_current AND status IN ('valid', 'invalid') AND catalog_source IS NOT NULL GROUP BY 1
)
SELECT s.province_code,
       coalesce(s.province, CASE WHEN s.level LIKE 'central%' THEN '中央 (central)' ELSE '地区未知 (unplaced)' END) AS province,
       count(*) AS portals_seeded,
       count(*) FILTER (WHERE s.meta = 'confirmed') AS portals_verified,
       count(*) FILTER (WHERE s.status = 'columns') AS portals_with_column,
       count(*) FILTER (WHERE s.admitted) AS portals_crawled,
       coalesce(sum(f.documents), 0) AS reports_found,
       coalesce(sum(l.reports), 0) AS reports_loaded
FROM catalogue_sites s LEFT JOIN found f USING (source) LEFT JOIN loaded l USING (source)
GROUP BY ALL ORDER BY s.province_code NULLS LAST, 2;
