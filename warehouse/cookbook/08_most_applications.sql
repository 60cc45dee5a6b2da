-- 问：哪些机关一年内收到的政府信息公开申请最多？
-- Q: Which agencies received the most new applications in a year?
SELECT canonical_name, year, new_applications, handled, carried_forward
FROM metric_application_volume
WHERE new_applications IS NOT NULL
ORDER BY new_applications DESC, canonical_name
LIMIT 5;
