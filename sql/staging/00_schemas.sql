-- Schemas of the analyst layer. Both are managed by selo and rebuilt on every apply
-- (load/views.py drops and recreates them): never keep objects of your own in them.
--   selo_staging  thin views over the raw tables, current published loads only
--   analytics     the marts analysts query (and the only schema selo_analyst may read)
CREATE SCHEMA IF NOT EXISTS selo_staging;
CREATE SCHEMA IF NOT EXISTS analytics;
