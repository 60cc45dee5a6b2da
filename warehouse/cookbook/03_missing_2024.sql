-- 问：哪些机关没有发布2024年度报告？
-- Q: Who published nothing for 2024?
SELECT canonical_name, level, kind, province
FROM roster
WHERE year = 2024 AND status = 'missing'
ORDER BY canonical_name;
