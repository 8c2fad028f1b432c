"""The Prefect 3 flow ``annual_edition``: the September run, tracked by a Prefect server.

It composes the same stages as the CLI's direct run (:func:`flows.edition.build_edition`),
each wrapped as one batched task: a task per stage, never a task per service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from extract.catalogue import FetchedRecord
from flows.edition import (
    EditionRequest,
    SourceSpec,
    Stages,
    build_edition,
    extract_stage,
    load_stage,
    transform_stage,
)
from selo.settings import load_settings

# Stage inputs carry open archives and bytes: nothing to cache or persist between runs.
extract_task = task(name="extract", cache_policy=NO_CACHE)(extract_stage)
transform_task = task(name="transform", cache_policy=NO_CACHE)(transform_stage)
load_task = task(name="load", cache_policy=NO_CACHE)(load_stage)


class LoggingReporter:
    """Progress for a tracked run: a log line every tenth of the services."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def listed(self, services: int) -> None:
        self.total = services
        get_run_logger().info("listed %d services", services)

    def fetched(self, record: FetchedRecord) -> None:
        self.done += 1
        step = max(1, self.total // 10)
        if record.error:
            get_run_logger().warning("service %s: %s", record.service_id, record.error)
        if self.done % step == 0 or self.done == self.total:
            get_run_logger().info("fetched %d/%d", self.done, self.total)


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
    spec = SourceSpec.parse(source)
    request = (
        EditionRequest.for_code(edition, agency_siorg, spec, cutoff)
        if edition
        else EditionRequest.current(agency_siorg, spec, date.today())
    )
    outcome = build_edition(
        request,
        settings,
        stages=Stages(extract=extract_task, transform=transform_task, load=load_task),
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
