-- service_levels: every service's level in every edition, official and automatic side by side.
-- Grain: agency x service key x edition x source kind.
-- Columns: service_key (stable identity: <agency>:L<lineage> or <agency>:S<catalogue id>),
-- label (the latest published name, else the latest catalogue name), diretoria (curated),
-- edition, cutoff, source_kind (published = official; scraped / archived = automatic), level
-- (NULL: unclassified), figure_level (the 2022 figure list's level where it differs from
-- Table 2's), service_ids (the record(s) behind the row), load_id.
CREATE OR REPLACE VIEW analytics.service_levels AS
WITH rows AS (
    SELECT agency_siorg, service_key, edition, cutoff, source_kind, level,
           NULL::text AS figure_level, service_ids, name, load_id
    FROM selo_staging.service_by_key
    UNION ALL
    SELECT agency_siorg, service_key, edition, cutoff, source_kind, level,
           CASE WHEN figure_level IS DISTINCT FROM level THEN figure_level END,
           service_ids, name, load_id
    FROM selo_staging.published
)
SELECT r.agency_siorg,
       r.service_key,
       coalesce(k.label, (SELECT a.name FROM rows a WHERE a.service_key = r.service_key
                          ORDER BY a.cutoff DESC LIMIT 1)) AS label,
       k.diretoria,
       r.edition,
       r.cutoff,
       r.source_kind,
       r.level,
       r.figure_level,
       r.service_ids,
       r.load_id
FROM rows r
LEFT JOIN selo.service_key k ON k.key = r.service_key;
