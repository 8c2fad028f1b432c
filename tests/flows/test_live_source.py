"""The live source end to end, with servicos.gov.br replayed by strict respx routes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import respx
from sqlalchemy import Engine, text

from extract.catalogue import ExtractError
from extract.replay import DEFAULT_REPLAY_DIR
from flows.edition import EditionRequest, SourceSpec, build_edition
from selo.settings import load_settings

API = "https://servicos.gov.br"
IDS = (2232, 3335, 10828)


def _settings(database_url: str):  # type: ignore[no-untyped-def]
    settings = load_settings().with_overrides(database_url=database_url)
    # No pacing or backoff waits in tests; the policy itself is tested in tests/extract.
    return replace(settings, http=replace(settings.http, min_interval=0, backoff_factor=0))


def _routes(router: respx.MockRouter, failing: int | None = None) -> None:
    bodies = {i: (DEFAULT_REPLAY_DIR / "services" / f"{i}.json").read_bytes() for i in IDS}
    listing = {"resposta": [json.loads(b) for b in bodies.values()]}
    router.get(f"{API}/api/v1/servicos/orgao/45013").respond(json=listing)
    for service_id, body in bodies.items():
        route = router.get(f"{API}/api/v1/servicos/{service_id}")
        if service_id == failing:
            route.respond(503)
        else:
            route.respond(200, content=body, headers={"content-type": "application/json"})


def test_live_run_fetches_archives_and_publishes(database_url: str, engine: Engine) -> None:
    request = EditionRequest.for_code("2016-09", 45013, SourceSpec.parse("live"))
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        _routes(router)
        outcome = build_edition(request, _settings(database_url))
    assert outcome.services == 3 and not outcome.not_loaded
    with engine.connect() as conn:
        logged = conn.execute(
            text("SELECT url, status, headers FROM selo.fetch_log WHERE load_id = :l ORDER BY seq"),
            {"l": outcome.load_id},
        ).all()
        source = conn.execute(
            text("SELECT source FROM selo.load WHERE id = :l"), {"l": outcome.load_id}
        ).scalar_one()
    assert logged[0].url == f"{API}/api/v1/servicos/orgao/45013"
    assert sorted(r.url for r in logged[1:]) == sorted(f"{API}/api/v1/servicos/{i}" for i in IDS)
    assert {r.status for r in logged} == {200}
    assert source == f"live:{API}"


def test_a_record_that_cannot_be_fetched_fails_the_run(database_url: str, engine: Engine) -> None:
    request = EditionRequest.for_code("2015-09", 45013, SourceSpec.parse("live"))
    settings = _settings(database_url)
    settings = replace(settings, http=replace(settings.http, retries=1))
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        _routes(router, failing=3335)
        with pytest.raises(
            ExtractError, match=r"1 of 3 records could not be fetched: service 3335"
        ):
            build_edition(request, settings)
    with engine.connect() as conn:
        loads = conn.execute(
            text(
                "SELECT l.status, e.current_load_id FROM selo.load l "
                "JOIN selo.edition e ON e.id = l.edition_id WHERE e.code = '2015-09'"
            )
        ).all()
    assert [(r.status, r.current_load_id) for r in loads] == [("failed", None)]

    # With --allow-partial the others are published and the gap is listed. The failed run
    # already archived the listing and two records: only the missing record is asked again.
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        router.get(f"{API}/api/v1/servicos/3335").respond(503)
        outcome = build_edition(request, settings, allow_partial=True)
    assert outcome.services == 2
    assert [(r, s) for r, s, _ in outcome.not_loaded] == [("service 3335", "fetch")]
