-- service_levels: one row per (service key, edition) in every edition's current, published load.
-- Grain: service_key x edition_code x source_kind. Official levels (published editions) and
-- automatic levels (scraped or archived editions) side by side in one long table.
-- Columns:
--   service_key   stable identity across editions (transform.lineage): <agency>:L<lineage> or
--                 <agency>:S<catalogue id>
--   label         the latest published name, else the latest catalogue name
--   diretoria     curated, from the published editions (NULL for never-published services)
--   edition       edition code (YYYY-MM); cutoff: the date the edition judged services at
--   source_kind   published (official) | scraped | archived (automatic)
--   level         A1 | A2 | A3 | B | C; NULL: unclassified (automatic only)
--   figure_level  the 2022 figure list's level where it differs from Table 2's, else NULL
--   service_ids   the catalogue id(s) behind the row (automatic: the record; official: links)
--   load_id       the load the row comes from
CREATE OR REPLACE VIEW selo.service_levels AS
WITH current_load AS (
    SELECT e.id AS edition_id, e.code, e.cutoff, e.source_kind, e.agency_siorg,
           e.current_load_id AS load_id
    FROM selo.edition e
    WHERE e.current_load_id IS NOT NULL
),
automatic AS (
    -- Several records under one key in one edition (rare) give the least digital level.
    SELECT c.agency_siorg, k.service_key, c.code, c.cutoff, c.source_kind,
           (array_agg(s.level ORDER BY s.level DESC NULLS FIRST))[1] AS level,
           NULL::text AS figure_level, array_agg(s.service_id ORDER BY s.service_id) AS service_ids,
           min(s.name) AS name, c.load_id
    FROM current_load c
    JOIN selo.service_snapshot s ON s.load_id = c.load_id
    CROSS JOIN LATERAL unnest(s.service_keys) AS k(service_key)
    WHERE c.source_kind <> 'published'
    GROUP BY c.agency_siorg, k.service_key, c.code, c.cutoff, c.source_kind, c.load_id
),
official AS (
    SELECT c.agency_siorg, p.service_key, c.code, c.cutoff, c.source_kind, p.level,
           CASE WHEN p.figure_level IS DISTINCT FROM p.level THEN p.figure_level END,
           ARRAY(SELECT DISTINCT (jsonb_array_elements(v.value))::int
                 FROM jsonb_each(p.catalogue_ids) AS v ORDER BY 1),
           p.published_name, c.load_id
    FROM current_load c
    JOIN selo.published_service p ON p.load_id = c.load_id
),
rows AS (
    SELECT * FROM automatic
    UNION ALL
    SELECT * FROM official
)
SELECT r.service_key,
       coalesce(k.label, (SELECT a.name FROM rows a WHERE a.service_key = r.service_key
                          ORDER BY a.cutoff DESC LIMIT 1)) AS label,
       k.diretoria,
       r.code AS edition,
       r.cutoff,
       r.source_kind,
       r.level,
       r.figure_level,
       r.service_ids,
       r.load_id
FROM rows r
LEFT JOIN selo.service_key k ON k.key = r.service_key;
