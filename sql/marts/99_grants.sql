-- The analyst role reads the marts and nothing else (no raw table, no staging view, no write).
-- Created by migration 0003 when the connected user may create roles; skipped otherwise.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'selo_analyst') THEN
        GRANT USAGE ON SCHEMA analytics TO selo_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO selo_analyst;
    END IF;
END $$;
