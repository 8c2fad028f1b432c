-- service: one row per (current automatic load, catalogue service id): the record as classified.
-- Grain: edition id x service id. rating is the catalogue's votes on a 1-5 scale:
-- 1 + 4 x positive / (positive + negative), the only rating the catalogue exposes (a thumbs up or
-- down per use); rating_lower is the same scale applied to the Wilson lower bound (95%) of the
-- positive share, so that three votes never outrank three thousand. time_max_days converts the
-- time estimate's maximum to calendar days (dias-uteis x 7/5, semanas x 7, meses x 30).
CREATE OR REPLACE VIEW selo_staging.service AS
SELECT c.edition_id,
       c.agency_siorg,
       c.edition,
       c.cutoff,
       c.source_kind,
       s.load_id,
       s.service_id,
       s.service_keys,
       s.name,
       s.slug,
       s.url,
       s.level,
       s.rule,
       s.confidence,
       s.rules_version,
       s.evidence,
       s.unclassified_reason,
       s.channel_kinds,
       s.steps,
       s.time_estimate,
       s.ratings_positive,
       s.ratings_negative,
       coalesce(s.ratings_positive, 0) + coalesce(s.ratings_negative, 0) AS votes,
       CASE WHEN coalesce(s.ratings_positive, 0) + coalesce(s.ratings_negative, 0) > 0
            THEN round(1 + 4 * s.ratings_positive::numeric
                           / (s.ratings_positive + s.ratings_negative), 2)
       END AS rating,
       CASE WHEN coalesce(s.ratings_positive, 0) + coalesce(s.ratings_negative, 0) > 0 THEN
            round(1 + 4 * (
                (p.share + 1.9208 / p.n - 1.96 * sqrt((p.share * (1 - p.share) + 0.9604 / p.n) / p.n))
                / (1 + 3.8416 / p.n))::numeric, 2)
       END AS rating_lower,
       s.digital_percent,
       s.digital_flag,
       s.free_of_charge,
       s.source_url,
       s.raw_sha256,
       s.captured_at,
       CASE s.time_estimate ->> 'unit'
            WHEN 'minutos' THEN 1.0 / 1440
            WHEN 'horas' THEN 1.0 / 24
            WHEN 'dias-corridos' THEN 1
            WHEN 'dias-uteis' THEN 7.0 / 5
            WHEN 'semanas' THEN 7
            WHEN 'meses' THEN 30
            WHEN 'anos' THEN 365
       END * (s.time_estimate ->> 'max')::numeric AS time_max_days
FROM selo_staging.current_load c
JOIN selo.service_snapshot s ON s.load_id = c.load_id
CROSS JOIN LATERAL (
    SELECT greatest(coalesce(s.ratings_positive, 0) + coalesce(s.ratings_negative, 0), 1)::float8 AS n,
           coalesce(s.ratings_positive, 0)::float8
           / greatest(coalesce(s.ratings_positive, 0) + coalesce(s.ratings_negative, 0), 1) AS share
) AS p
WHERE NOT c.official;
