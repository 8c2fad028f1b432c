-- service_levels and service_detail: one row per declared grain.
SELECT 'service_levels: duplicate grain' AS problem, agency_siorg, service_key,
       edition || ' ' || source_kind AS at
FROM analytics.service_levels GROUP BY 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'service_detail: duplicate grain', agency_siorg, service_id::text, edition
FROM analytics.service_detail GROUP BY 2, 3, 4 HAVING count(*) > 1;
