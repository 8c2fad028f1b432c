#!/bin/bash
# The Prefect server's own database, on the same PostgreSQL as selo's warehouse.
# The postgres image runs this once, when it initialises an empty data volume
# (mounted at /docker-entrypoint-initdb.d). It is idempotent: on a volume made before the stack
# existed, run it by hand: docker compose exec db bash /docker-entrypoint-initdb.d/10-prefect-database.sh
# The role owns its database, so Prefect's migrations may create the (trusted) pg_trgm extension.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v prefect_user="${PREFECT_DB_USER:-prefect}" \
    -v prefect_password="${PREFECT_DB_PASSWORD:?set PREFECT_DB_PASSWORD}" \
    -v prefect_db="${PREFECT_DB_NAME:-prefect}" <<'EOSQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'prefect_user', :'prefect_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'prefect_user')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'prefect_db', :'prefect_user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'prefect_db')\gexec
EOSQL
echo "prefect database ready: ${PREFECT_DB_NAME:-prefect} (owner ${PREFECT_DB_USER:-prefect})"
