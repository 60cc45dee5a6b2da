-- 问：同一机关在不同年份用过哪些名称？
-- Q: Under which printed names has each agency published its reports?
SELECT a.agency_key, g.canonical_name, list(DISTINCT a.name ORDER BY a.name) AS printed_names,
       list(DISTINCT r.year ORDER BY r.year) AS years
FROM agency_aliases a
JOIN agencies g USING (agency_key)
JOIN reports r ON r.agency_id = a.name AND r.is_current
GROUP BY ALL
ORDER BY a.agency_key;
