"""Faults over real HTTP: a local replay server injects timeouts, 5xx, 429 (with and without
Retry-After), truncated bodies, connection resets and slow bodies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from extract.catalogue import ExtractError
from extract.replay import DEFAULT_REPLAY_DIR
from flows.edition import EditionRequest, SourceSpec, build_edition
from selo.settings import Settings, load_settings

from .server import FaultPlan, fault_server

RECORDS = DEFAULT_REPLAY_DIR / "services"


def _settings(database_url: str, api_base: str, retries: int = 5) -> Settings:
    settings = load_settings().with_overrides(database_url=database_url, api_base=api_base)
    return replace(
        settings,
        http=replace(
            settings.http,
            min_interval=0,
            backoff_factor=0.01,
            retries=retries,
            read_timeout=0.5,
            connect_timeout=1,
        ),
    )


def _loads(engine: Engine, code: str) -> list[tuple[str, int | None]]:
    with engine.connect() as conn:
        return [
            (r.status, r.current_load_id)
            for r in conn.execute(
                text(
                    "SELECT l.status, e.current_load_id FROM selo.load l JOIN selo.edition e "
                    "ON e.id = l.edition_id WHERE e.code = :c ORDER BY l.id"
                ),
                {"c": code},
            )
        ]


def test_a_run_under_20_percent_faults_finishes_with_every_service(
    database_url: str, engine: Engine
) -> None:
    plan = FaultPlan(rate=0.2, attempts=1, timeout_seconds=1.0)
    with fault_server(DEFAULT_REPLAY_DIR, plan) as base:
        request = EditionRequest.for_code("1994-09", 45013, SourceSpec.parse("live"))
        outcome = build_edition(request, _settings(database_url, base))
    assert outcome.services == len(list(RECORDS.glob("*.json"))) == 44
    assert not outcome.not_loaded
    faulted = sum(plan.injected.values())
    assert 44 * 0.1 <= faulted <= 44 * 0.35, plan.injected  # about a fifth of the records
    assert len(plan.injected) >= 4, plan.injected  # several kinds of fault, all survived


def test_retry_after_is_honoured(database_url: str, tmp_path: Path) -> None:
    # Every record answers 429 with Retry-After: 1 once, then succeeds.
    plan = FaultPlan(rate=1.0, attempts=1, kinds=("429-retry-after",))
    faulty = Path(__file__).resolve().parents[1] / "fixtures" / "replay-faulty"
    with fault_server(faulty, plan) as base:
        request = EditionRequest.for_code("1991-09", 45013, SourceSpec.parse("live"))
        outcome = build_edition(request, _settings(database_url, base))
    assert outcome.services == 4  # the five records minus the truncated one (a parse issue)
    waited = [t[1] - t[0] for path, t in plan.times.items() if "/orgao/" not in path]
    assert len(waited) == 5
    assert all(w >= plan.retry_after - 0.05 for w in waited), waited


def test_a_service_that_keeps_failing_never_disappears(database_url: str, engine: Engine) -> None:
    plan = FaultPlan(always=frozenset({"/api/v1/servicos/2232"}), always_kind="503")
    request = EditionRequest.for_code("1993-09", 45013, SourceSpec.parse("live"))
    with fault_server(DEFAULT_REPLAY_DIR, plan) as base:
        settings = _settings(database_url, base, retries=2)
        with pytest.raises(
            ExtractError, match=r"1 of 44 records could not be fetched: service 2232"
        ):
            build_edition(request, settings)
        # Unpublished, with the reason in the ledger.
        assert _loads(engine, "1993-09") == [("failed", None)]
        # --allow-partial publishes the others, and the gap stays visible to analysts.
        outcome = build_edition(request, settings, allow_partial=True)
    assert outcome.services == 43
    with engine.connect() as conn:
        gaps = conn.execute(
            text(
                "SELECT record, stage, reason FROM analytics.edition_gaps WHERE edition = '1993-09'"
            )
        ).all()
    assert [(g.record, g.stage) for g in gaps] == [("service 2232", "fetch")]
    assert "503" in gaps[0].reason


def test_the_published_edition_never_changes_while_a_run_fails(
    database_url: str, engine: Engine
) -> None:
    request = EditionRequest.for_code("1992-09", 45013, SourceSpec.parse("live"))
    with fault_server(DEFAULT_REPLAY_DIR, FaultPlan()) as base:
        first = build_edition(request, _settings(database_url, base))
    plan = FaultPlan(always=frozenset({"/api/v1/servicos/3335"}), always_kind="500")
    with fault_server(DEFAULT_REPLAY_DIR, plan) as base, pytest.raises(ExtractError):
        build_edition(request, _settings(database_url, base, retries=1))
    assert _loads(engine, "1992-09") == [
        ("complete", first.load_id),
        ("failed", first.load_id),
    ]


def test_the_server_injects_what_it_says(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    plan = FaultPlan(always=frozenset({"/api/v1/servicos/2232"}), always_kind="429-retry-after")
    with fault_server(DEFAULT_REPLAY_DIR, plan) as base:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/v1/servicos/2232", timeout=5)
        assert refused.value.code == 429 and refused.value.headers["Retry-After"] == "1"
        with urllib.request.urlopen(f"{base}/api/v1/servicos/3335", timeout=5) as ok:
            assert ok.read() == (RECORDS / "3335.json").read_bytes()
