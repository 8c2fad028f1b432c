-- level_transitions: what arrives in an edition (every to_level but '(ausente)') is exactly the
-- services (by key) of that edition; what leaves the previous one is exactly its services.
WITH arriving AS (
    SELECT agency_siorg, series, to_edition AS edition, sum(services) AS n
    FROM analytics.level_transitions WHERE to_level <> '(ausente)' GROUP BY 1, 2, 3
),
leaving AS (
    SELECT agency_siorg, series, from_edition AS edition, to_edition, sum(services) AS n
    FROM analytics.level_transitions WHERE from_level <> '(ausente)' GROUP BY 1, 2, 3, 4
),
sizes AS (
    SELECT agency_siorg,
           CASE WHEN source_kind = 'published' THEN 'official' ELSE 'automatic' END AS series,
           edition, count(*) AS services
    FROM analytics.service_levels GROUP BY 1, 2, 3
)
SELECT 'arrivals differ from the edition''s services' AS problem, a.agency_siorg, a.series,
       a.edition
FROM arriving a JOIN sizes s USING (agency_siorg, series, edition) WHERE a.n <> s.services
UNION ALL
SELECT 'departures differ from the previous edition''s services', l.agency_siorg, l.series,
       l.edition
FROM leaving l JOIN sizes s USING (agency_siorg, series, edition) WHERE l.n <> s.services;
