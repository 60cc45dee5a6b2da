-- 问：哪些报告的表格违反了格式自身的勾稽关系？
-- Q: Which reports break the format's own arithmetic (totals, balances)?
SELECT agency_id, year, rule, count(*) AS violations
FROM publisher_issues
WHERE rule LIKE 'T%'
GROUP BY ALL
ORDER BY agency_id, year, rule;
