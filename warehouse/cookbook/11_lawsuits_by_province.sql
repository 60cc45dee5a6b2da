-- 问：各省每年的政府信息公开行政诉讼（未经复议直接起诉与复议后起诉）各有多少件？
-- Q: How many information-disclosure lawsuits (without and after reconsideration) per province and year?
-- A sum over agencies is NULL when any agency left the cell blank (NULL is not 0); blank_reports says how many did.
SELECT province, year,
       CASE WHEN count(total) FILTER (WHERE proceeding = 'LD') = count(*) FILTER (WHERE proceeding = 'LD')
            THEN sum(total) FILTER (WHERE proceeding = 'LD') END AS lawsuits_direct,
       CASE WHEN count(total) FILTER (WHERE proceeding = 'LA') = count(*) FILTER (WHERE proceeding = 'LA')
            THEN sum(total) FILTER (WHERE proceeding = 'LA') END AS lawsuits_after_review,
       count(DISTINCT agency_key) AS agencies,
       count(DISTINCT report_id) FILTER (WHERE proceeding IN ('LD', 'LA') AND total IS NULL) AS blank_reports
FROM metric_review_litigation
GROUP BY ALL
ORDER BY province, year;
