-- Statements of warehouse/agencies.py: `resolved_agencies` is the DataFrame of every printed name
-- resolved again, `keyed_agencies` every agency something is keyed by (a report's identity_key, or a
-- name alone where there is none), registered for the transaction.

-- name: names
-- Every agency name the warehouse knows — printed in a report, guessed from a portal listing, or
-- named by the catalogue's roster — with the catalogue region of the sources it came through
-- (NULL unless exactly one).
WITH named AS (
    SELECT agency_id AS name, catalog_source AS source FROM reports WHERE agency_id IS NOT NULL
    UNION SELECT agency_guess, source FROM documents WHERE agency_guess IS NOT NULL
    UNION SELECT name, source FROM catalog_publishers
)
SELECT n.name, CASE WHEN count(DISTINCT g.region) = 1 THEN any_value(g.region) END AS region
FROM named n LEFT JOIN catalog_regions g USING (source)
GROUP BY n.name
ORDER BY n.name;

-- name: keyed_by_name
-- Names that key something by themselves: a report loaded before identity keys (a report keyed at
-- load is keyed by its identity_key, see identities; a roster or listing name by its source, see
-- source_names).
SELECT DISTINCT agency_id FROM reports WHERE agency_id IS NOT NULL AND identity_key IS NULL;

-- name: source_names
-- Every name a catalogue source gives — its roster (catalog_publishers), a portal listing's guess
-- (documents.agency_guess) — with the source's region.
WITH named AS (
    SELECT source, name FROM catalog_publishers
    UNION SELECT source, agency_guess FROM documents WHERE agency_guess IS NOT NULL
)
SELECT n.source, n.name, g.region FROM named n LEFT JOIN catalog_regions g USING (source) ORDER BY ALL;

-- name: identities
-- Every agency a report is keyed by, with the name, evidence and catalogue region that placed it.
SELECT identity_key, agency_id, identity_by, catalog_region FROM reports
WHERE identity_key IS NOT NULL AND agency_id IS NOT NULL
GROUP BY ALL ORDER BY ALL;

-- name: replace_aliases
DELETE FROM agency_aliases;
INSERT INTO agency_aliases SELECT name, agency_key, resolved_by FROM resolved_agencies;

-- name: replace_source_agencies
DELETE FROM source_agencies;
INSERT INTO source_agencies SELECT source, name, agency_key, resolved_by FROM sourced_agencies;

-- name: replace_agencies
-- One row per agency_key; where names of one agency carry different evidence, the reviewed alias
-- file wins over the division library, and that over the catalogue's region.
DELETE FROM agencies;
INSERT INTO agencies
SELECT agency_key,
       arg_min(canonical_name, priority), arg_min(adcode, priority), arg_min(province, priority),
       arg_min(prefecture, priority), arg_min(county, priority), arg_min(level, priority), arg_min(kind, priority),
       arg_min(sector, priority), arg_min(resolved_by, priority)
FROM (SELECT *, CASE resolved_by WHEN 'alias_file' THEN 0 WHEN 'division_library' THEN 1 WHEN 'catalogue_region' THEN 2 ELSE 3 END AS priority
      FROM keyed_agencies)
GROUP BY agency_key;
