-- edition_gaps: what an edition is missing, and why. Grain: agency x edition x source kind x
-- record. Every record that could not be fetched, captured or read in the edition's current
-- load (published with --allow-partial, or read errors), so a gap is never silent.
CREATE OR REPLACE VIEW analytics.edition_gaps AS
SELECT c.agency_siorg,
       c.edition,
       c.source_kind,
       i.record,
       i.service_id,
       i.stage,
       i.reason,
       c.load_id
FROM selo_staging.current_load c
JOIN selo.record_issue i ON i.load_id = c.load_id
WHERE i.stage <> 'identity';
