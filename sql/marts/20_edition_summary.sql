-- edition_summary: one row per published edition (official or automatic).
-- Grain: agency x edition x source kind.
-- Columns: services (distinct services), a1..c and unclassified (services per level),
-- share_digital ((A1+A2+A3) / classified services, 0..1), share_a3 (A3 / classified),
-- figure_a1..figure_c and share_a3_figures (the same by the seed's 2022 figure list, where the
-- edition has one; NULL otherwise), official (true for the published seal), load_id.
CREATE OR REPLACE VIEW analytics.edition_summary AS
WITH levels AS (
    SELECT edition_id, level, NULL::text AS figure_level FROM selo_staging.service
    UNION ALL
    SELECT edition_id, level, figure_level FROM selo_staging.published
),
counted AS (
    SELECT edition_id,
           count(*) AS services,
           count(*) FILTER (WHERE level = 'A1') AS a1,
           count(*) FILTER (WHERE level = 'A2') AS a2,
           count(*) FILTER (WHERE level = 'A3') AS a3,
           count(*) FILTER (WHERE level = 'B') AS b,
           count(*) FILTER (WHERE level = 'C') AS c,
           count(*) FILTER (WHERE level IS NULL) AS unclassified,
           bool_or(figure_level IS NOT NULL) AS has_figures,
           count(*) FILTER (WHERE coalesce(figure_level, level) = 'A1') AS fa1,
           count(*) FILTER (WHERE coalesce(figure_level, level) = 'A2') AS fa2,
           count(*) FILTER (WHERE coalesce(figure_level, level) = 'A3') AS fa3,
           count(*) FILTER (WHERE coalesce(figure_level, level) = 'B') AS fb,
           count(*) FILTER (WHERE coalesce(figure_level, level) = 'C') AS fc
    FROM levels
    GROUP BY edition_id
)
SELECT c.agency_siorg,
       c.edition,
       c.cutoff,
       c.source_kind,
       c.official,
       n.services::int,
       n.a1::int, n.a2::int, n.a3::int, n.b::int, n.c::int, n.unclassified::int,
       round((n.a1 + n.a2 + n.a3)::numeric / nullif(n.services - n.unclassified, 0), 4)
           AS share_digital,
       round(n.a3::numeric / nullif(n.services - n.unclassified, 0), 4) AS share_a3,
       CASE WHEN n.has_figures THEN n.fa1::int END AS figure_a1,
       CASE WHEN n.has_figures THEN n.fa2::int END AS figure_a2,
       CASE WHEN n.has_figures THEN n.fa3::int END AS figure_a3,
       CASE WHEN n.has_figures THEN n.fb::int END AS figure_b,
       CASE WHEN n.has_figures THEN n.fc::int END AS figure_c,
       CASE WHEN n.has_figures THEN round(n.fa3::numeric / nullif(n.services, 0), 4) END
           AS share_a3_figures,
       c.load_id
FROM selo_staging.current_load c
JOIN counted n ON n.edition_id = c.edition_id;
