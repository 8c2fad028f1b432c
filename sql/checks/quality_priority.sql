-- quality_priority: only services rated below the 4.5 target, ratings on 1..5, one rank each.
SELECT 'rated at or above the target' AS problem, agency_siorg, edition, service_id::text AS at
FROM analytics.quality_priority WHERE rating >= 4.5
UNION ALL
SELECT 'rating out of 1..5', agency_siorg, edition, service_id::text
FROM analytics.quality_priority
WHERE rating NOT BETWEEN 1 AND 5 OR rating_lower NOT BETWEEN 1 AND 5 OR rating_lower > rating
UNION ALL
SELECT 'duplicate rank', agency_siorg, edition, priority_rank::text
FROM analytics.quality_priority GROUP BY 2, 3, 4 HAVING count(*) > 1;
