-- The analyst queries of `make bench-national` (benchmarks/national.py), run on the national-size
-- warehouse through the warehouse's own views. Each is timed cold (first run on a new connection)
-- and warm (best of two after it).

-- name: national_year_totals
-- New applications (3.1 总计) per year, the whole country.
SELECT year, sum(value) AS new_applications, count(*) AS reports
FROM fact_applications WHERE category_code = '3.1' AND applicant_code = 'total'
GROUP BY year ORDER BY year;

-- name: province_year_rollup
-- Region × year: new applications and handled (3.3.7 总计) per province and year (metric view).
SELECT province, year, sum(new_applications) AS new_applications, sum(handled) AS handled, count(*) AS agencies
FROM metric_application_volume GROUP BY province, year ORDER BY province, year;

-- name: top20_disclose_rate
-- A ranking: the 20 county-level agencies with the highest 予以公开率 in 2023 among those that handled ≥ 20.
SELECT canonical_name, province, handled, disclose_rate
FROM metric_outcome_shares WHERE year = 2023 AND level = 'county' AND handled >= 20
ORDER BY disclose_rate DESC, canonical_name LIMIT 20;

-- name: one_agency_history
-- One agency's table 3 totals across every year it reported.
SELECT f.year, f.category_code, f.value, f.raw_token
FROM fact_applications f
WHERE f.agency_id = $agency AND f.applicant_code = 'total'
ORDER BY f.year, f.category_code;

-- name: year_category_rollup
-- National year × category roll-up of table 3 (every applicant column), from the materialised
-- roll-up (metric_t3_rollup: per year, region, level and kind). The same from the 3 × 10^8 fact rows
-- is timed beside it as the reference (FACT_SCAN in national_warehouse.py).
SELECT year, category_code, applicant_code, sum(value) AS value, sum(printed) AS printed, sum(blank) AS blank
FROM metric_t3_rollup GROUP BY ALL ORDER BY ALL;

-- name: roster_gaps
-- Who is missing: agencies with a 2023 report and none for 2024, per province.
SELECT g.province, count(*) AS missing_2024
FROM agencies g
WHERE EXISTS (SELECT 1 FROM report_agencies a WHERE a.agency_key = g.agency_key AND a.year = 2023)
  AND NOT EXISTS (SELECT 1 FROM report_agencies a WHERE a.agency_key = g.agency_key AND a.year = 2024)
GROUP BY g.province ORDER BY missing_2024 DESC;

-- name: cross_year_carry
-- Cross-year check: 结转下年度继续办理 (3.4 总计) of year y against 上年结转 (3.2 总计) of y + 1, per
-- agency (under all its names) and year: consecutive pairs, and the pairs that break (metric view).
SELECT a.year, count(*) AS pairs, count(*) FILTER (WHERE a.carried_forward IS DISTINCT FROM b.carried_over) AS breaks
FROM metric_application_volume a
JOIN metric_application_volume b ON b.agency_key = a.agency_key AND b.year = a.year + 1
GROUP BY a.year ORDER BY a.year;

-- name: applicant_mix_2024
-- Who asks: the national applicant mix of 2024's new applications (metric view).
SELECT applicant, sum(new_applications) AS new_applications
FROM metric_applicant_mix WHERE year = 2024 GROUP BY applicant ORDER BY new_applications DESC;

-- name: review_correction_by_level
-- 行政复议 correction rate by agency level and year (metric view).
SELECT level, year, sum(correct) / nullif(sum(maintain + correct + other), 0) AS correction_rate
FROM metric_review_litigation WHERE proceeding = 'R' GROUP BY level, year ORDER BY level, year;

-- name: invalid_share_by_province
-- Publisher issues: the share of invalid reports per province in 2022.
SELECT province, avg((status = 'invalid')::INT) AS invalid_share, count(*) AS reports
FROM agency_reports WHERE year = 2022 GROUP BY province ORDER BY invalid_share DESC;
