-- service_history: each service in each edition of its series, and the action since the
-- previous edition of that series, computed (not copied from Table 2).
-- Grain: agency x service key x series x edition. series: official (the published seal) or
-- automatic (selo's scraped and archived editions), each ordered by cut-off.
-- action: Incluído (first edition, or absent from the previous one), Mantido (same level),
-- Alterado (another level), Excluído (present in the previous edition, absent from this one:
-- the row carries the previous name and a NULL level). renamed: the name differs from the
-- previous edition's. Table 2 itself uses "Alterado" for renamed services whose level held
-- (lineage 19); here a rename is the separate `renamed` flag and Alterado means a new level.
CREATE OR REPLACE VIEW analytics.service_history AS
WITH present AS (
    SELECT v.agency_siorg, v.service_key,
           CASE WHEN v.source_kind = 'published' THEN 'official' ELSE 'automatic' END AS series,
           v.edition, v.cutoff, v.source_kind, v.level, v.figure_level, v.service_ids,
           coalesce(p.name, s.name) AS name
    FROM analytics.service_levels v
    LEFT JOIN selo_staging.published p ON p.load_id = v.load_id AND p.service_key = v.service_key
    LEFT JOIN selo_staging.service_by_key s
           ON s.load_id = v.load_id AND s.service_key = v.service_key
),
editions AS (
    SELECT DISTINCT agency_siorg, series, edition, cutoff, source_kind FROM present
),
ordered AS (
    SELECT e.*,
           lag(e.edition) OVER (PARTITION BY e.agency_siorg, e.series
                                ORDER BY e.cutoff, e.edition) AS previous_edition
    FROM editions e
),
history AS (
    SELECT p.agency_siorg, p.service_key, p.series, p.edition, p.cutoff, p.source_kind,
           p.name, p.level, p.figure_level, o.previous_edition, prev.level AS previous_level,
           CASE WHEN prev.service_key IS NULL THEN 'Incluído'
                WHEN prev.level IS NOT DISTINCT FROM p.level THEN 'Mantido'
                ELSE 'Alterado' END AS action,
           prev.service_key IS NOT NULL AND prev.name IS DISTINCT FROM p.name AS renamed,
           p.service_ids
    FROM present p
    JOIN ordered o ON o.agency_siorg = p.agency_siorg AND o.series = p.series
                  AND o.edition = p.edition
    LEFT JOIN present prev ON prev.agency_siorg = p.agency_siorg AND prev.series = p.series
                          AND prev.edition = o.previous_edition
                          AND prev.service_key = p.service_key
    UNION ALL
    SELECT prev.agency_siorg, prev.service_key, prev.series, o.edition, o.cutoff, o.source_kind,
           prev.name, NULL, NULL, o.previous_edition, prev.level, 'Excluído', false,
           prev.service_ids
    FROM ordered o
    JOIN present prev ON prev.agency_siorg = o.agency_siorg AND prev.series = o.series
                     AND prev.edition = o.previous_edition
    WHERE NOT EXISTS (
        SELECT 1 FROM present p
        WHERE p.agency_siorg = o.agency_siorg AND p.series = o.series
          AND p.edition = o.edition AND p.service_key = prev.service_key
    )
)
SELECT h.agency_siorg, h.service_key, h.series, h.edition, h.cutoff, h.source_kind, h.name,
       k.diretoria, h.level, h.figure_level, h.previous_edition, h.previous_level, h.action,
       h.renamed, h.service_ids
FROM history h
LEFT JOIN selo.service_key k ON k.key = h.service_key;
