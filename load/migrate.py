"""Bring a database to the current schema (idempotent: a no-op at head)."""

from __future__ import annotations

import hashlib
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from load.schema import SCHEMA
from load.views import apply_views, view_files


def alembic_config() -> Config:
    config = Config(str(files("load").joinpath("alembic.ini")))
    config.set_main_option("script_location", "load:migrations")
    return config


def head_revision(config: Config | None = None) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config or alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT to_regclass(:name)"), {"name": f"{SCHEMA}.alembic_version"}
        ).scalar()
        if exists is None:
            return None
        return conn.execute(text(f"SELECT version_num FROM {SCHEMA}.alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Migrate to head, then (re)apply the views of ``sql/`` when the schema moved."""
    config = alembic_config()
    if current_revision(engine) == head_revision(config) and _views_current(engine):
        return
    with engine.begin() as conn:
        # One migration at a time even when two runs start together.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('selo.migrate'))"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    apply_views(engine)
    _record_views(engine)


def _views_digest() -> str:
    h = hashlib.sha256()
    for path in view_files():
        h.update(str(path.relative_to(path.parents[1])).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _views_current(engine: Engine) -> bool:
    # The applied views' digest is kept as a comment on the schema: cheap to read every run.
    with engine.connect() as conn:
        comment = conn.execute(
            text("SELECT obj_description(to_regnamespace(:s), 'pg_namespace')"), {"s": SCHEMA}
        ).scalar()
    return comment == f"selo views {_views_digest()}"


def _record_views(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"COMMENT ON SCHEMA {SCHEMA} IS 'selo views {_views_digest()}'"))
