-- 问：哪些机关的行政复议决定被纠错的比例最高？
-- Q: Which agencies' administrative reconsideration (行政复议) decisions were corrected most often?
SELECT canonical_name, year, maintain, correct, other, round(correction_rate, 4) AS correction_rate
FROM metric_review_litigation
WHERE proceeding = 'R' AND correction_rate IS NOT NULL
ORDER BY correction_rate DESC, canonical_name, year;
