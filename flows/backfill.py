"""Backfill past editions: Wayback captures, the legacy archive, the published seal.

``backfill_editions`` builds each edition with :func:`flows.edition.build_edition`, exactly like
the annual run (same ledger, same atomic publish), one after the other. Re-running is idempotent:
an edition whose input equals its current load's is recorded as an ``unchanged`` attempt and
nothing new is loaded. One edition's failure is reported and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from extract.wayback import WaybackRateLimited
from flows.edition import (
    EditionOutcome,
    EditionRequest,
    Reporter,
    SourceSpec,
    Stages,
    build_edition,
)
from selo.settings import Settings, load_settings
from transform.reference import EDITIONS

BACKFILL_SOURCES = ("wayback", "legacy", "published")


def parse_editions(text: str | Sequence[str], source: SourceSpec) -> list[str]:
    """``2020-11,2022-09`` (or a list); ``all`` means every published edition."""
    codes = [c.strip() for c in (text.split(",") if isinstance(text, str) else text) if c.strip()]
    if codes == ["all"]:
        return list(EDITIONS)
    if not codes:
        raise ValueError("no edition given: --editions CODE[,CODE...] (or all)")
    if source.kind == "published":
        unknown = [c for c in codes if c not in EDITIONS]
        if unknown:
            raise ValueError(
                f"no published edition {', '.join(unknown)}: the seal has {', '.join(EDITIONS)}"
            )
    return codes


@dataclass(frozen=True)
class BackfillResult:
    outcomes: list[EditionOutcome]
    failures: list[tuple[str, str]]  # (edition, one-line reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcomes": [o.to_json() for o in self.outcomes],
            "failures": [{"edition": e, "error": r} for e, r in self.failures],
        }


def backfill_editions(
    codes: Sequence[str],
    source: SourceSpec,
    settings: Settings,
    *,
    stages: Stages = Stages(),  # noqa: B008 - a frozen dataclass of functions
    reporter: Callable[[str], Reporter | None] = lambda code: None,
    flow_run_id: str | None = None,
    allow_partial: bool = False,
) -> BackfillResult:
    outcomes: list[EditionOutcome] = []
    failures: list[tuple[str, str]] = []
    for code in codes:
        try:
            request = EditionRequest.for_code(code, settings.agency_siorg, source)
            outcomes.append(
                build_edition(
                    request,
                    settings,
                    stages=stages,
                    reporter=reporter(code),
                    flow_run_id=flow_run_id,
                    allow_partial=allow_partial,
                    skip_unchanged=True,
                )
            )
        except WaybackRateLimited as exc:
            # The archive asked us to stay away: going on to the next edition would only
            # earn a longer block. What was fetched is archived; re-run later.
            failures.append((code, " ".join(f"{type(exc).__name__}: {exc}".split())))
            failures += [
                (c, "not attempted: rate-limited by the Wayback Machine")
                for c in codes[codes.index(code) + 1 :]
            ]
            break
        except Exception as exc:  # one edition's failure never stops the others
            failures.append((code, " ".join(f"{type(exc).__name__}: {exc}".split())))
    return BackfillResult(outcomes, failures)


@flow(name="backfill", log_prints=True)
def backfill(
    editions: str | list[str],
    source: str,
    database_url: str | None = None,
    agency: int | None = None,
    allow_partial: bool = False,
) -> dict[str, Any]:
    """Build and publish past editions from wayback, legacy[:PATH] or published[:PATH]."""
    from flows.tasks import TRACKED_STAGES, LoggingReporter

    settings = load_settings().with_overrides(database_url=database_url, agency_siorg=agency)
    spec = SourceSpec.parse(source, allowed=BACKFILL_SOURCES)
    result = backfill_editions(
        parse_editions(editions, spec),
        spec,
        settings,
        stages=TRACKED_STAGES,
        reporter=lambda code: LoggingReporter(),
        flow_run_id=str(flow_run.get_id()),
        allow_partial=allow_partial,
    )
    logger = get_run_logger()
    for outcome in result.outcomes:
        logger.info(
            "edition %s (%s): load %d, %d services%s",
            outcome.code,
            outcome.kind,
            outcome.load_id,
            outcome.services,
            " (unchanged)" if outcome.unchanged else "",
        )
    for code, reason in result.failures:
        logger.error("edition %s failed: %s", code, reason)
    if result.failures:
        raise RuntimeError(f"{len(result.failures)} edition(s) failed: {result.failures}")
    return result.to_json()
