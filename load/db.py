"""Engines and database URLs."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """Any postgres URL -> the psycopg 3 driver SQLAlchemy should use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"selo needs PostgreSQL, got a {parsed.get_backend_name()!r} URL")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    return create_engine(normalise_url(url), pool_pre_ping=True)


def redact(url: str) -> str:
    """The URL with its password hidden, for messages and the ledger."""
    return make_url(url).render_as_string(hide_password=True)
