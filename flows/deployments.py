"""The deployments selo serves: the July capture and the September edition.

The seal is cut in July and published in September (the seed's "Ficha técnica": data collected
at the July cut-off). Both schedules run in America/Sao_Paulo; every parameter can be overridden
per run (``prefect deployment run 'september-edition/september-edition' -p edition=2026-09``).
``selo serve`` serves them; ``selo serve --list`` shows them with their next runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim

TIMEZONE = "America/Sao_Paulo"


@dataclass(frozen=True, slots=True)
class DeploymentSpec:
    name: str  # also the flow's name: runs are addressed as "<name>/<name>"
    entrypoint: str  # module:function of the flow
    cron: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def next_runs(self, count: int = 3, after: datetime | None = None) -> list[datetime]:
        """The next scheduled runs, in local (São Paulo) time."""
        zone = ZoneInfo(TIMEZONE)
        start = (after or datetime.now(zone)).astimezone(zone)
        runs: Iterator[datetime] = CronSim(self.cron, start)
        return list(islice(runs, count))


DEPLOYMENTS = (
    DeploymentSpec(
        name="july-capture",
        entrypoint="flows.operations:july_capture",
        # The cut-off day, late: the photograph of the portal as July ends.
        cron="0 22 31 7 *",
        description="Fetch and archive the raw catalogue (records and pages) at the July cut-off.",
        parameters={"agencies": None, "edition": None, "source": "live"},
    ),
    DeploymentSpec(
        name="september-edition",
        entrypoint="flows.operations:september_edition",
        cron="0 6 1 9 *",
        description=(
            "Classify the July capture (or Wayback captures when it is missing), publish the "
            "edition and render the seal's report."
        ),
        parameters={"agency": None, "edition": None},
    ),
)


def _flow(spec: DeploymentSpec) -> Callable[..., Any]:
    from importlib import import_module

    module, _, name = spec.entrypoint.partition(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def deployments() -> list[Any]:
    """The Prefect ``RunnerDeployment`` s, ready for ``prefect.serve``."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    return [
        _flow(spec).to_deployment(  # type: ignore[attr-defined]
            name=spec.name,
            schedules=[Cron(spec.cron, timezone=TIMEZONE)],
            parameters=spec.parameters,
            description=spec.description,
            tags=["selo"],
            # A module path, not a file path: runs find the flow wherever selo is installed.
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        for spec in DEPLOYMENTS
    ]


def serve() -> None:
    """Serve every deployment until interrupted (needs a Prefect server: PREFECT_API_URL)."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments())
