-- published: one row per (current official load, service key): what ANS printed.
-- Grain: edition id x service key.
CREATE OR REPLACE VIEW selo_staging.published AS
SELECT c.edition_id,
       c.agency_siorg,
       c.edition,
       c.cutoff,
       c.source_kind,
       p.load_id,
       p.service_key,
       p.lineage,
       p.published_name AS name,
       p.diretoria,
       p.level,
       p.figure_level,
       p.table_action,
       p.duplicate_lineages,
       ARRAY(SELECT DISTINCT (jsonb_array_elements(v.value))::int
             FROM jsonb_each(p.catalogue_ids) AS v ORDER BY 1) AS service_ids
FROM selo_staging.current_load c
JOIN selo.published_service p ON p.load_id = c.load_id
WHERE c.official;
