-- 问：同一机关在不同年份用过哪些名称？
-- Q: Under which printed names has each agency published its reports?
SELECT a.agency_key, g.canonical_name, list(DISTINCT a.agency_id ORDER BY a.agency_id) AS printed_names,
       list(DISTINCT r.year ORDER BY r.year) AS years
FROM report_agencies a
JOIN agencies g USING (agency_key)
JOIN reports r ON r.report_id = a.report_id AND r.is_current
GROUP BY ALL
ORDER BY a.agency_key;
