"""Bring a database to the current schema (idempotent: a no-op at head)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from load.schema import SCHEMA


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
    config = alembic_config()
    if current_revision(engine) == head_revision(config):
        return
    with engine.begin() as conn:
        # One migration at a time even when two runs start together.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('selo.migrate'))"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
