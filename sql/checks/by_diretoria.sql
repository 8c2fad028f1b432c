-- by_diretoria: one row per (agency, edition, kind, diretoria); diretorias add up to the edition.
SELECT 'duplicate grain' AS problem, agency_siorg, edition, source_kind || ' ' || diretoria AS at
FROM analytics.by_diretoria GROUP BY 2, 3, 4 HAVING count(*) > 1
UNION ALL
SELECT 'diretorias do not add up to the edition', d.agency_siorg, d.edition, d.source_kind
FROM (SELECT agency_siorg, edition, source_kind, sum(services) AS n
      FROM analytics.by_diretoria GROUP BY 1, 2, 3) d
JOIN analytics.edition_summary e USING (agency_siorg, edition, source_kind)
WHERE d.n <> e.services
UNION ALL
SELECT 'share out of 0..1', agency_siorg, edition, diretoria
FROM analytics.by_diretoria WHERE share_digital NOT BETWEEN 0 AND 1;
