-- service_detail: everything behind one automatic level, for audits and the seal report.
-- Grain: agency x automatic edition x service id. Columns as in selo_staging.service, plus the
-- curated diretoria (of the first of the record's keys that has one).
CREATE OR REPLACE VIEW analytics.service_detail AS
SELECT s.agency_siorg, s.edition, s.cutoff, s.source_kind, s.service_id, s.service_keys, s.name,
       s.url, s.slug, s.level, s.rule, s.confidence, s.rules_version, s.evidence,
       s.unclassified_reason, s.channel_kinds, s.steps, s.time_estimate, s.time_max_days,
       s.ratings_positive, s.ratings_negative, s.votes, s.rating, s.digital_percent,
       k.diretoria, s.captured_at, s.source_url, s.raw_sha256, s.load_id
FROM selo_staging.service s
LEFT JOIN LATERAL (
    SELECT sk.diretoria FROM selo.service_key sk
    WHERE sk.key = ANY (s.service_keys) AND sk.diretoria IS NOT NULL
    ORDER BY sk.key LIMIT 1
) k ON true;
