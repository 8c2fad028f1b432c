-- service_history: one row per (agency, key, series, edition); actions consistent with levels.
SELECT 'duplicate grain' AS problem, agency_siorg, service_key, series || ' ' || edition AS at
FROM analytics.service_history GROUP BY 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'unknown action', agency_siorg, service_key, series || ' ' || edition
FROM analytics.service_history WHERE action NOT IN ('Incluído', 'Mantido', 'Alterado', 'Excluído')
UNION ALL
SELECT 'Incluído with a previous level', agency_siorg, service_key, series || ' ' || edition
FROM analytics.service_history WHERE action = 'Incluído' AND previous_level IS NOT NULL
UNION ALL
SELECT 'Mantido with another level', agency_siorg, service_key, series || ' ' || edition
FROM analytics.service_history
WHERE action = 'Mantido' AND level IS DISTINCT FROM previous_level
UNION ALL
SELECT 'Alterado with the same level', agency_siorg, service_key, series || ' ' || edition
FROM analytics.service_history WHERE action = 'Alterado' AND level IS NOT DISTINCT FROM previous_level
UNION ALL
SELECT 'Excluído with a level', agency_siorg, service_key, series || ' ' || edition
FROM analytics.service_history WHERE action = 'Excluído' AND level IS NOT NULL
UNION ALL
-- every present service of an edition appears once in the history of that edition
SELECT 'history misses a service', l.agency_siorg, l.service_key, l.edition
FROM analytics.service_levels l
WHERE NOT EXISTS (
    SELECT 1 FROM analytics.service_history h
    WHERE h.service_key = l.service_key AND h.edition = l.edition AND h.action <> 'Excluído'
      AND h.series = CASE WHEN l.source_kind = 'published' THEN 'official' ELSE 'automatic' END
);
