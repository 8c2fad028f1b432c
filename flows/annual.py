"""The Prefect 3 flow ``annual_edition``: the September run, tracked by a Prefect server.

It composes the same stages as the CLI's direct run (:func:`flows.edition.build_edition`),
each wrapped as one batched task: a task per stage, never a task per service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.edition import EditionRequest, SourceSpec, build_edition
from flows.tasks import TRACKED_STAGES, LoggingReporter
from selo.settings import load_settings


@flow(name="annual_edition", log_prints=True)
def annual_edition(
    edition: str | None = None,
    agency: int | None = None,
    source: str = "live",
    database_url: str | None = None,
    allow_partial: bool = False,
    cutoff: date | None = None,
) -> dict[str, Any]:
    """Build and publish one edition of the seal for one agency (default: this year's, ANS)."""
    settings = load_settings().with_overrides(database_url=database_url)
    agency_siorg = agency or settings.agency_siorg
    spec = SourceSpec.parse(source, allowed=("live", "replay"))
    request = (
        EditionRequest.for_code(edition, agency_siorg, spec, cutoff)
        if edition
        else EditionRequest.current(agency_siorg, spec, date.today())
    )
    outcome = build_edition(
        request,
        settings,
        stages=TRACKED_STAGES,
        reporter=LoggingReporter(),
        flow_run_id=str(flow_run.get_id()),
        allow_partial=allow_partial,
    )
    get_run_logger().info(
        "edition %s published as load %d: %d services %s, %d not loaded",
        outcome.code,
        outcome.load_id,
        outcome.services,
        outcome.levels,
        len(outcome.not_loaded),
    )
    return outcome.to_json()
