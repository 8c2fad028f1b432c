"""Shared fixtures: a fresh PostgreSQL database per test session, isolated selo settings.

The database lives on the local server (``SELO_TEST_ADMIN_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``); never SQLite in its place.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from load import migrate
from load.db import make_engine

# Prefect keeps its state in a folder the test session owns, and reports nothing home.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="selo-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

ADMIN_URL = os.environ.get("SELO_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    name = f"selo_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({exc}); start it or set "
            "SELO_TEST_ADMIN_URL",
            returncode=3,
        )
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads the developer's own selo configuration or data directory."""
    data_dir = tmp_path_factory.mktemp("selo-data")
    for name in list(os.environ):
        if name.startswith("SELO_") and name != "SELO_TEST_ADMIN_URL":
            monkeypatch.delenv(name)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("SELO_DATA_DIR", str(data_dir))
    return data_dir
