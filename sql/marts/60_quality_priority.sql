-- quality_priority: the seed's quality cycle (section 7.2): services rated below the 4.5 target
-- are prioritised for transformation. Grain: agency x automatic edition x service id, only
-- services with votes and a rating below 4.5. rating = 1 + 4 x positive share of the catalogue's
-- votes (see selo_staging.service); rank 1 is the most urgent: lowest Wilson-bounded rating
-- (rating_lower) first, so a handful of votes does not outrank thousands, then most votes.
CREATE OR REPLACE VIEW analytics.quality_priority AS
SELECT s.agency_siorg,
       s.edition,
       s.service_id,
       s.service_keys,
       s.name,
       k.diretoria,
       s.level,
       s.ratings_positive,
       s.ratings_negative,
       s.votes,
       s.rating,
       s.rating_lower,
       s.time_estimate ->> 'kind' AS time_kind,
       s.time_estimate ->> 'unit' AS time_unit,
       (s.time_estimate ->> 'max')::numeric AS time_max,
       round(s.time_max_days, 2) AS time_max_days,
       rank() OVER (PARTITION BY s.agency_siorg, s.edition
                    ORDER BY s.rating_lower, s.votes DESC, s.service_id)::int AS priority_rank
FROM selo_staging.service s
LEFT JOIN LATERAL (
    SELECT sk.diretoria FROM selo.service_key sk
    WHERE sk.key = ANY (s.service_keys) AND sk.diretoria IS NOT NULL
    ORDER BY sk.key LIMIT 1
) k ON true
WHERE s.votes > 0 AND s.rating < 4.5;
