-- level_transitions: how many services went from one level to another between consecutive
-- editions of a series. Grain: agency x series x from_edition x to_edition x from_level x
-- to_level. '(ausente)' stands for "not in that edition" (inclusions and exclusions);
-- 'unclassified' for an automatic service without a level.
CREATE OR REPLACE VIEW analytics.level_transitions AS
SELECT agency_siorg,
       series,
       previous_edition AS from_edition,
       edition AS to_edition,
       CASE WHEN action = 'Incluído' THEN '(ausente)'
            ELSE coalesce(previous_level, 'unclassified') END AS from_level,
       CASE WHEN action = 'Excluído' THEN '(ausente)'
            ELSE coalesce(level, 'unclassified') END AS to_level,
       count(*)::int AS services
FROM analytics.service_history
WHERE previous_edition IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
