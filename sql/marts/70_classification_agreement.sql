-- classification_agreement: the automatic level next to the official one, per service and
-- official edition. Grain: agency x official edition x service key. Each official edition is
-- paired with the automatic edition of the same code when one exists (a Wayback backfill),
-- else with the automatic edition whose cut-off is nearest (gap_days says how far apart they
-- are: the service may have changed in between). automatic_level NULL with automatic_rule set:
-- unclassified; both NULL: the service has no record in the paired edition.
CREATE OR REPLACE VIEW analytics.classification_agreement AS
WITH pairing AS (
    SELECT o.edition_id AS official_id, o.agency_siorg, o.edition AS official_edition,
           o.cutoff AS official_cutoff, a.edition_id AS automatic_id,
           a.edition AS automatic_edition, a.cutoff AS automatic_cutoff
    FROM selo_staging.current_load o
    JOIN LATERAL (
        SELECT c.* FROM selo_staging.current_load c
        WHERE NOT c.official AND c.agency_siorg = o.agency_siorg
        ORDER BY (c.edition = o.edition) DESC, abs(c.cutoff - o.cutoff), c.cutoff DESC
        LIMIT 1
    ) a ON true
    WHERE o.official
)
SELECT p.agency_siorg,
       p.official_edition,
       p.automatic_edition,
       p.automatic_cutoff - p.official_cutoff AS gap_days,
       o.service_key,
       o.name,
       o.diretoria,
       o.level AS official_level,
       o.figure_level,
       s.level AS automatic_level,
       s.rule AS automatic_rule,
       s.level IS NOT NULL AND s.level = o.level AS agrees,
       s.service_ids
FROM pairing p
JOIN selo_staging.published o ON o.edition_id = p.official_id
LEFT JOIN selo_staging.service_by_key s
       ON s.edition_id = p.automatic_id AND s.service_key = o.service_key;
