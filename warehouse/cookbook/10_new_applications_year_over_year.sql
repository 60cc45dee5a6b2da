-- 问：各机关新收申请数量逐年增减多少？
-- Q: How did each agency's new applications change from one year to the next?
SELECT canonical_name, year, prev_year, value, prev_value, change, round(pct_change, 4) AS pct_change
FROM metric_yoy
WHERE metric = 'new_applications'
ORDER BY canonical_name, year;
