-- 问：江苏省县级人民政府的不予公开率逐年如何变化？
-- Q: How did the withholding rate (不予公开率) of county governments in Jiangsu change from year to year?
SELECT canonical_name, year, handled, round(withhold_rate, 4) AS withhold_rate
FROM metric_outcome_shares
WHERE province = '江苏省' AND level = 'county' AND kind = 'government'
ORDER BY canonical_name, year;
