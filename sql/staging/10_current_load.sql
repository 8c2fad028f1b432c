-- current_load: one row per edition that has a published (current, complete) load.
-- Grain: edition id. Every view downstream sees only these loads: a running, failed or
-- superseded load is never visible to analysts.
CREATE OR REPLACE VIEW selo_staging.current_load AS
SELECT e.id AS edition_id,
       e.agency_siorg,
       e.code AS edition,
       e.cutoff,
       e.source_kind,
       e.source_kind = 'published' AS official,
       l.id AS load_id,
       l.finished_at AS loaded_at,
       l.rules_version
FROM selo.edition e
JOIN selo.load l ON l.id = e.current_load_id AND l.status = 'complete';
