"""The embedded PostgreSQL used when no database URL is given.

pgserver bundles PostgreSQL 16 in a wheel. The server is left running after the command ends
(its data stays under the user's data directory), so the next run connects in milliseconds
instead of paying a start; ``selo embedded stop`` shuts it down. Never SQLite in its place:
the warehouse relies on Postgres (JSONB, COPY, advisory locks, triggers).
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE = "selo"


class EmbeddedError(RuntimeError):
    pass


def ensure_server(pgdata: Path) -> str:
    """Start (or reuse) the embedded server in ``pgdata``; return a URL to the ``selo`` database."""
    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        try:
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        except Exception as exc:
            raise EmbeddedError(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}"
            ) from exc
    admin_uri: str = server.get_uri()
    _create_database(admin_uri, DATABASE)
    return server.get_uri(DATABASE)  # type: ignore[no-any-return]


def stop_server(pgdata: Path) -> bool:
    """Stop the embedded server if one runs in ``pgdata``; return whether one was running."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH

    owner = pgdata.stat().st_uid
    # Run as the data directory's owner: as root, pgserver runs the server as its own user.
    run_as: int | None = owner if os.geteuid() == 0 and owner != 0 else None
    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        capture_output=True,
        text=True,
        check=False,
        user=run_as,
    )
    if result.returncode != 0:
        raise EmbeddedError(f"could not stop the embedded PostgreSQL: {result.stderr.strip()}")
    return True


def _create_database(admin_uri: str, name: str) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
