-- edition_summary: one row per (agency, edition, source kind); levels add up; shares in 0..1.
SELECT 'duplicate grain' AS problem, agency_siorg, edition, source_kind
FROM analytics.edition_summary GROUP BY 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'levels do not add up', agency_siorg, edition, source_kind
FROM analytics.edition_summary WHERE a1 + a2 + a3 + b + c + unclassified <> services
UNION ALL
SELECT 'share out of 0..1', agency_siorg, edition, source_kind
FROM analytics.edition_summary
WHERE share_digital NOT BETWEEN 0 AND 1 OR share_a3 NOT BETWEEN 0 AND 1
   OR share_a3_figures NOT BETWEEN 0 AND 1
UNION ALL
SELECT 'figure counts do not add up', agency_siorg, edition, source_kind
FROM analytics.edition_summary
WHERE figure_a3 IS NOT NULL AND figure_a1 + figure_a2 + figure_a3 + figure_b + figure_c <> services;
