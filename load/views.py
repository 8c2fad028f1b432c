"""The analyst views in ``sql/``, applied idempotently after the migrations.

Each file holds ``CREATE OR REPLACE VIEW`` statements; files run in name order, all in one
transaction, so a broken view never leaves the others half-applied.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def view_files(directory: Path = SQL_DIR) -> list[Path]:
    return sorted(directory.glob("*.sql"))


def apply_views(engine: Engine, directory: Path = SQL_DIR) -> list[str]:
    """Create or replace every view; return the files applied."""
    files = view_files(directory)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('selo.views'))"))
        for path in files:
            conn.exec_driver_sql(path.read_text(encoding="utf-8"))
    return [p.name for p in files]
