"""The analyst layer on PostgreSQL: published numbers, invariants of every mart, read-only role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from load import migrate
from load.queries import ANALYST_VIEWS, analyst_frame
from load.views import SQL_DIR, apply_views, grant_analyst
from selo.cli import app

runner = CliRunner()
CHECKS = sorted((SQL_DIR / "checks").glob("*.sql"))


@pytest.fixture(scope="module")
def warehouse(database_url: str, engine: Engine) -> Engine:
    for args in (
        ("backfill", "--editions", "all", "--source", "published"),
        ("backfill", "--editions", "2018-07", "--source", "legacy"),
        ("run", "--source", "replay", "--edition", "2026-09"),
        ("run", "--source", "replay", "--edition", "2026-09"),  # a second load: never twice
    ):
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == 0, result.stderr
    return engine


def test_views_apply_idempotently(warehouse: Engine) -> None:
    first = apply_views(warehouse)
    assert apply_views(warehouse) == first
    migrate.upgrade(warehouse)  # at head with current views: a no-op
    assert first[0].startswith("staging/") and first[-1] == "marts/99_grants.sql"


def test_edition_summary_reproduces_the_published_numbers(warehouse: Engine) -> None:
    summary = analyst_frame(warehouse, "edition_summary", agency=45013).set_index(
        ["edition", "source_kind"]
    )
    published = summary.xs("published", level="source_kind")
    assert published["services"].to_dict() == {
        "2020-11": 16,
        "2021-04": 32,
        "2021-09": 40,
        "2022-09": 44,
    }
    seal_2022 = published.loc["2022-09"]
    assert (seal_2022["a1"], seal_2022["a2"], seal_2022["a3"]) == (12, 1, 31)
    assert float(seal_2022["share_a3_figures"]) == 0.75  # 33 of 44 by the figure list
    assert float(seal_2022["share_digital"]) == 1.0
    # Two loads of 2026-09, one visible: only the current published load counts.
    assert summary.loc[("2026-09", "scraped"), "services"] == 44


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_invariant_holds(warehouse: Engine, check: Path) -> None:
    with warehouse.connect() as conn:
        violations = conn.exec_driver_sql(check.read_text()).all()
    assert violations == [], f"{check.name}: {violations[:5]}"


def test_history_computes_the_actions(warehouse: Engine) -> None:
    history = analyst_frame(warehouse, "service_history", agency=45013)
    official = history[history.series == "official"].set_index(["service_key", "edition"])
    # Lineage 21 left the seal after 2021-04 (Table 2: Excluído).
    assert official.loc[("45013:L21", "2021-09"), "action"] == "Excluído"
    # Lineage 35 entered in 2021-09 (Table 2: Incluído).
    assert official.loc[("45013:L35", "2021-09"), "action"] == "Incluído"
    # Lineage 2 went from B (2020-11) to A3 (2021-04).
    row = official.loc[("45013:L2", "2021-04")]
    assert (row.action, row.previous_level, row.level) == ("Alterado", "B", "A3")


def test_every_view_reads_as_a_dataframe(warehouse: Engine) -> None:
    for view in ANALYST_VIEWS:
        frame = analyst_frame(warehouse, view, agency=45013)
        assert len(frame) > 0, view
    with pytest.raises(ValueError, match="unknown view"):
        analyst_frame(warehouse, "load")


@pytest.fixture
def as_analyst(warehouse: Engine) -> Iterator[Engine]:
    grant_analyst(warehouse)
    yield warehouse


@pytest.mark.parametrize("view", ANALYST_VIEWS)
def test_the_analyst_role_reads_every_view(as_analyst: Engine, view: str) -> None:
    with as_analyst.connect() as conn:
        conn.execute(text("SET ROLE selo_analyst"))
        assert conn.execute(text(f"SELECT count(*) FROM analytics.{view}")).scalar_one() >= 0


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM selo.service_snapshot",
        "SELECT * FROM selo.raw_document",
        "SELECT * FROM selo_staging.service",
        "INSERT INTO selo.edition (code, agency_siorg, cutoff, source_kind) "
        "VALUES ('x', 1, '2020-01-01', 'scraped')",
        "CREATE TABLE analytics.mine (x int)",
        "CREATE VIEW analytics.mine AS SELECT 1",
    ],
)
def test_the_analyst_role_cannot_read_raw_tables_or_write(
    as_analyst: Engine, statement: str
) -> None:
    with as_analyst.connect() as conn:
        conn.execute(text("SET ROLE selo_analyst"))
        with pytest.raises(DBAPIError, match="permission denied"):
            conn.execute(text(statement))
        conn.rollback()


def test_selo_grant_gives_a_login_the_role(warehouse: Engine, database_url: str) -> None:
    with warehouse.begin() as conn:
        conn.execute(
            text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                "'selo_test_reader') THEN CREATE ROLE selo_test_reader LOGIN; END IF; END $$"
            )
        )
    result = runner.invoke(app, ["grant", "selo_test_reader", "--database-url", database_url])
    assert result.exit_code == 0, result.stderr
    assert 'GRANT "selo_analyst" TO "selo_test_reader"' in result.stdout
    with warehouse.connect() as conn:
        member = conn.execute(
            text("SELECT pg_has_role('selo_test_reader', 'selo_analyst', 'MEMBER')")
        ).scalar_one()
    assert member
