-- classification_agreement: one row per (agency, official edition, key); every official service
-- is there; agrees means equal levels.
SELECT 'duplicate grain' AS problem, agency_siorg, official_edition, service_key
FROM analytics.classification_agreement GROUP BY 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'agrees is wrong', agency_siorg, official_edition, service_key
FROM analytics.classification_agreement
WHERE agrees IS DISTINCT FROM (automatic_level IS NOT NULL AND automatic_level = official_level)
UNION ALL
SELECT 'official service missing', e.agency_siorg, e.edition, NULL
FROM analytics.edition_summary e
WHERE e.official AND EXISTS (SELECT 1 FROM analytics.edition_summary a WHERE NOT a.official
                             AND a.agency_siorg = e.agency_siorg)
  AND e.services <> (SELECT count(*) FROM analytics.classification_agreement c
                     WHERE c.agency_siorg = e.agency_siorg AND c.official_edition = e.edition);
