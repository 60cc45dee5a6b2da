-- 问：哪些报告的文字说明与表格数字相矛盾？
-- Q: Which reports state numbers in their prose that their own tables contradict?
SELECT agency_id, year, rule, cells, expected AS table_says, found AS prose_says
FROM publisher_issues
WHERE rule LIKE 'prose.%'
ORDER BY agency_id, year;
