-- 问：哪些报告留有空白单元格（空白不等于0）？
-- Q: Which reports leave cells blank (blank is not 0), and how many?
SELECT f.agency_id, f.year, count(*) AS blank_cells, list(DISTINCT f.raw_token ORDER BY f.raw_token) AS printed_as
FROM fact_cells f
WHERE f.value IS NULL
GROUP BY ALL
ORDER BY f.agency_id, f.year;
