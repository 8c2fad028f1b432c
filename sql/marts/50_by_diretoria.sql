-- by_diretoria: levels per diretoria per edition. Grain: agency x edition x source kind x
-- diretoria ('(sem diretoria)' for services no published edition attributed: the diretoria is
-- curated reference data, absent from the catalogue). Counts services as edition_summary does:
-- catalogue records for automatic editions (a merged record counts once, under its diretoria),
-- published rows for official ones; so each edition's diretorias add up to its services.
CREATE OR REPLACE VIEW analytics.by_diretoria AS
WITH rows AS (
    SELECT agency_siorg, edition, cutoff, source_kind, diretoria, level
    FROM analytics.service_detail
    UNION ALL
    SELECT agency_siorg, edition, cutoff, source_kind, diretoria, level
    FROM selo_staging.published
)
SELECT agency_siorg,
       edition,
       cutoff,
       source_kind,
       coalesce(diretoria, '(sem diretoria)') AS diretoria,
       count(*)::int AS services,
       count(*) FILTER (WHERE level = 'A1')::int AS a1,
       count(*) FILTER (WHERE level = 'A2')::int AS a2,
       count(*) FILTER (WHERE level = 'A3')::int AS a3,
       count(*) FILTER (WHERE level = 'B')::int AS b,
       count(*) FILTER (WHERE level = 'C')::int AS c,
       count(*) FILTER (WHERE level IS NULL)::int AS unclassified,
       round(count(*) FILTER (WHERE level IN ('A1', 'A2', 'A3'))::numeric
             / nullif(count(level), 0), 4) AS share_digital
FROM rows
GROUP BY 1, 2, 3, 4, 5;
