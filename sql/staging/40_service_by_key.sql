-- service_by_key: the automatic rows by stable service key (a merged record answers for each
-- of its keys). Grain: edition id x service key. When several records share a key in one
-- edition (rare), the least digital level stands for the key and every id is listed.
CREATE OR REPLACE VIEW selo_staging.service_by_key AS
SELECT s.edition_id,
       s.agency_siorg,
       s.edition,
       s.cutoff,
       s.source_kind,
       s.load_id,
       k.service_key,
       (array_agg(s.level ORDER BY s.level DESC NULLS FIRST))[1] AS level,
       (array_agg(s.rule ORDER BY s.level DESC NULLS FIRST))[1] AS rule,
       min(s.name) AS name,
       array_agg(s.service_id ORDER BY s.service_id) AS service_ids
FROM selo_staging.service s
CROSS JOIN LATERAL unnest(s.service_keys) AS k(service_key)
GROUP BY s.edition_id, s.agency_siorg, s.edition, s.cutoff, s.source_kind, s.load_id,
         k.service_key;
