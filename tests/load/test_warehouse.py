"""The warehouse's guarantees, checked on PostgreSQL: migrations, ledger, append-only history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from load import migrate
from load.ledger import EditionSpec, LoadError, open_load

SPEC = EditionSpec("2001-09", 45013, date(2001, 7, 31), "scraped", "test")


def test_migrations_are_idempotent(engine: Engine) -> None:
    head = migrate.head_revision()
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == head


def test_a_failed_load_is_recorded_and_never_published(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="boom"), open_load(engine, SPEC, "r1") as lease:
        raise RuntimeError("boom")
    with engine.connect() as conn:
        load = conn.execute(
            text("SELECT status, error, finished_at FROM selo.load WHERE id = :id"),
            {"id": lease.load_id},
        ).one()
        current = conn.execute(
            text("SELECT current_load_id FROM selo.edition WHERE id = :id"),
            {"id": lease.edition_id},
        ).scalar()
    assert load.status == "failed" and "RuntimeError: boom" in load.error and load.finished_at
    assert current is None


def test_one_edition_is_built_by_one_run_at_a_time(engine: Engine) -> None:
    spec = EditionSpec("2002-09", 45013, date(2002, 7, 31), "scraped", "test")
    with (
        open_load(engine, spec, "r1"),
        pytest.raises(LoadError, match="being built by another run"),
        open_load(engine, spec, "r1"),
    ):
        pass


def test_a_killed_run_is_marked_abandoned_by_the_next(engine: Engine) -> None:
    spec = EditionSpec("2003-09", 45013, date(2003, 7, 31), "scraped", "test")
    with open_load(engine, spec, "r1") as first:
        pass  # leaves the load 'running', as a run killed before publishing would
    with open_load(engine, spec, "r1"), engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM selo.load WHERE id = :id"), {"id": first.load_id}
        ).scalar_one()
    assert status == "abandoned"


def test_an_edition_keeps_its_cutoff(engine: Engine) -> None:
    with open_load(engine, SPEC, "r1"):
        pass
    moved = EditionSpec(SPEC.code, SPEC.agency_siorg, date(2001, 6, 30), "scraped", "test")
    with pytest.raises(LoadError, match="cut-off"), open_load(engine, moved, "r1"):
        pass


@pytest.mark.parametrize(
    "statement", ["UPDATE selo.{t} SET load_id = load_id", "DELETE FROM selo.{t}"]
)
@pytest.mark.parametrize("table", ["service_snapshot", "record_issue", "fetch_log"])
def test_loaded_rows_are_append_only(engine: Engine, table: str, statement: str) -> None:
    with engine.begin() as conn:
        edition_id = conn.execute(
            text(
                "INSERT INTO selo.edition (code, agency_siorg, cutoff, source_kind) "
                "VALUES ('1999-09', 1, '1999-07-31', 'scraped') "
                "ON CONFLICT (agency_siorg, code, source_kind) DO UPDATE SET code = excluded.code "
                "RETURNING id"
            )
        ).scalar_one()
        load_id = conn.execute(
            text(
                "INSERT INTO selo.load (edition_id, source, rules_version, selo_version) "
                "VALUES (:e, 'test', 'r', 'v') RETURNING id"
            ),
            {"e": edition_id},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO selo.raw_document (sha256, body, size) VALUES ('h', 'x', 1) "
                "ON CONFLICT DO NOTHING"
            )
        )
        conn.execute(
            text(
                "INSERT INTO selo.service_snapshot (load_id, service_id, name, source_format, "
                "level, rule, confidence, rules_version, evidence, channel_kinds, steps, "
                "time_estimate, parse_warnings) VALUES (:l, 1, 'n', 'api-json', 'C', 'r', 1, "
                "'r', '[]', '{}', '[]', '{}', '{}')"
            ),
            {"l": load_id},
        )
        conn.execute(
            text(
                "INSERT INTO selo.record_issue (load_id, record, stage, reason) "
                "VALUES (:l, 'x', 'parse', 'y')"
            ),
            {"l": load_id},
        )
        conn.execute(
            text(
                "INSERT INTO selo.fetch_log (load_id, seq, url, fetched_at, status, headers, "
                "sha256) VALUES (:l, 1, 'u', now(), 200, '{}', 'h')"
            ),
            {"l": load_id},
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement.format(t=table) + " WHERE load_id = :l"), {"l": load_id})
