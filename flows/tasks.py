"""The stages as Prefect tasks, shared by every flow: one task per stage, never per service."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.edition import Stages, extract_stage, load_stage, transform_stage

# Stage inputs carry open archives and bytes: nothing to cache or persist between runs.
extract_task = task(name="extract", cache_policy=NO_CACHE)(extract_stage)
transform_task = task(name="transform", cache_policy=NO_CACHE)(transform_stage)
load_task = task(name="load", cache_policy=NO_CACHE)(load_stage)

TRACKED_STAGES = Stages(extract=extract_task, transform=transform_task, load=load_task)


class LoggingReporter:
    """Progress for a tracked run: a log line every tenth of the services."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def listed(self, services: int) -> None:
        self.total = services
        get_run_logger().info("listed %d services", services)

    def fetched(self, service: int | str, error: str | None) -> None:
        self.done += 1
        step = max(1, self.total // 10)
        if error:
            get_run_logger().warning("%s: %s", service, error)
        if self.done % step == 0 or self.done == self.total:
            get_run_logger().info("fetched %d/%d", self.done, self.total)
