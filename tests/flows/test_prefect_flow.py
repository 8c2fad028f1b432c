"""The Prefect flow composes the same stages, tracked: a task per stage, its id in the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

pytestmark = pytest.mark.prefect


def test_annual_edition_flow_publishes_and_is_tracked(
    harness: None, database_url: str, engine: Engine
) -> None:
    from prefect import get_client

    from flows.annual import annual_edition

    result = annual_edition(edition="2023-09", source="replay", database_url=database_url)
    assert result["services"] == 44 and sum(result["levels"].values()) == 44
    with engine.connect() as conn:
        flow_run_id = conn.execute(
            text("SELECT flow_run_id FROM selo.load WHERE id = :id"), {"id": result["load_id"]}
        ).scalar_one()
    assert flow_run_id

    async def task_names() -> list[str]:
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            return sorted(run.name.rsplit("-", 1)[0] for run in runs)

    import asyncio

    assert asyncio.run(task_names()) == ["extract", "load", "transform"]


def test_backfill_flow_builds_each_edition_and_is_idempotent(
    harness: None, database_url: str
) -> None:
    from flows.backfill import backfill

    first = backfill(editions="2017-07", source="legacy", database_url=database_url)
    again = backfill(editions=["2017-07"], source="legacy", database_url=database_url)
    (built,) = first["outcomes"]
    (repeated,) = again["outcomes"]
    assert built["services"] == 16 and not built["unchanged"]
    assert repeated["unchanged"] and repeated["load_id"] == built["load_id"]
