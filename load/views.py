"""The analyst layer in ``sql/``, applied idempotently after the migrations.

``sql/staging/*.sql`` (schema ``selo_staging``) then ``sql/marts/*.sql`` (schema
``analytics``), each folder in file-name order, all in one transaction. Both schemas hold only
derived views, so they are dropped and rebuilt on every apply: a view whose columns changed is
replaced cleanly, and a broken file leaves the previous layer in place.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

_HERE = Path(__file__).resolve().parent
# Installed (a wheel): the package data load/sql. From a source checkout: the root sql/.
SQL_DIR = _HERE / "sql" if (_HERE / "sql").is_dir() else _HERE.parent / "sql"
LAYERS = ("staging", "marts")
SCHEMAS = ("analytics", "selo_staging")  # dropped in this order (marts depend on staging)


def view_files(directory: Path = SQL_DIR) -> list[Path]:
    return [path for layer in LAYERS for path in sorted((directory / layer).glob("*.sql"))]


def apply_views(engine: Engine, directory: Path = SQL_DIR) -> list[str]:
    """Rebuild every view; return the files applied."""
    files = view_files(directory)
    if not files:
        raise FileNotFoundError(f"no view definitions under {directory}")
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('selo.views'))"))
        for schema in SCHEMAS:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        # Straight to psycopg without parameters: the files are plain SQL, where "%" is text.
        driver = conn.connection.driver_connection
        assert driver is not None
        for path in files:
            driver.execute(path.read_text(encoding="utf-8"))
    return [f"{p.parent.name}/{p.name}" for p in files]


ANALYST_ROLE = "selo_analyst"


def grant_analyst(engine: Engine, login: str | None = None) -> list[str]:
    """Make sure the read-only role exists with its grants; optionally give it to ``login``.

    Returns the statements run. Raises with the statements a DBA should run when the connected
    user may not create roles.
    """
    from psycopg import sql as pgsql

    statements = [
        f"CREATE ROLE {ANALYST_ROLE} NOLOGIN",
        f"GRANT USAGE ON SCHEMA analytics TO {ANALYST_ROLE}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO {ANALYST_ROLE}",
    ]
    with engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ANALYST_ROLE}
        ).scalar()
        run = statements[1:] if exists else statements
        driver = conn.connection.driver_connection
        assert driver is not None
        for statement in run:
            driver.execute(statement)
        if login:
            grant = pgsql.SQL("GRANT {} TO {}").format(
                pgsql.Identifier(ANALYST_ROLE), pgsql.Identifier(login)
            )
            driver.execute(grant)
            run.append(grant.as_string(driver))
    return run
