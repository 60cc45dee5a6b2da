-- 问：新收申请中自然人申请的占比是多少？
-- Q: What share of new applications came from natural persons, per agency and year?
SELECT canonical_name, year, new_applications, round(share, 4) AS share
FROM metric_applicant_mix
WHERE applicant_code = 'np'
ORDER BY canonical_name, year;
