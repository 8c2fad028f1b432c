"""The yearly operations as Prefect flows: the July capture and the September edition.

- ``july-capture``: at the cut-off, fetch and archive the raw catalogue of the configured
  agencies (records and service pages); nothing is classified yet.
- ``september-edition``: classify the July capture, load, publish and render the report. If no
  July capture exists (a missed run), fall back to Wayback captures on or before the cut-off, and
  say so in the log and in the run's artifact.

Each run leaves a markdown artifact with its summary; a failed run's artifact names the stage
that failed and the records that caused it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.capture import CaptureOutcome, take_capture
from flows.edition import (
    EditionOutcome,
    EditionRequest,
    SourceSpec,
    build_edition,
    failed_stage,
    new_run_id,
    resolve_database_url,
    warehouse,
)
from flows.tasks import TRACKED_STAGES, LoggingReporter
from load.capture import latest_capture
from load.db import make_engine
from selo.settings import load_settings

capture_task = task(name="capture", cache_policy=NO_CACHE)(take_capture)


def _edition(edition: str | None) -> str:
    return edition or f"{date.today().year}-09"


def _artifact(key: str, markdown: str, description: str) -> None:
    # Artifact keys allow lowercase letters, numbers and dashes only.
    create_markdown_artifact(markdown, key=key.lower().replace("_", "-"), description=description)


@flow(name="july-capture", log_prints=True)
def july_capture(
    agencies: list[int] | None = None,
    edition: str | None = None,
    source: str = "live",
    database_url: str | None = None,
) -> dict[str, Any]:
    """Fetch and archive each agency's catalogue at the cut-off (no classification)."""
    settings = load_settings().with_overrides(database_url=database_url)
    code = _edition(edition)
    spec = SourceSpec.parse(source, allowed=("live", "replay"))
    request = EditionRequest.for_code(code, settings.agency_siorg, spec)
    db = resolve_database_url(settings)
    logger = get_run_logger()
    captured: list[CaptureOutcome] = []
    failures: list[tuple[int, str]] = []
    for agency in agencies or [settings.agency_siorg]:
        try:
            captured.append(
                capture_task(
                    agency,
                    code,
                    request.cutoff.isoformat(),
                    spec,
                    settings,
                    db,
                    reporter=LoggingReporter(),
                    run_id=new_run_id(),
                    flow_run_id=str(flow_run.get_id()),
                )
            )
        except Exception as exc:  # one agency's failure never stops the others
            failures.append((agency, f"{type(exc).__name__}: {exc}"))
            logger.error("agency %s: capture failed: %s", agency, exc)
    lines = [
        f"# July capture of edition {code} (cut-off {request.cutoff})",
        "",
        "| agency | capture | records | pages | failed |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {c.agency} | {c.capture_id} | {c.records} | {c.pages} | {c.failed} |"
            for c in captured
        ),
        *(f"| {agency} | **failed** | | | {reason} |" for agency, reason in failures),
    ]
    _artifact(f"july-capture-{code}", "\n".join(lines), f"July capture {code}")
    if failures:
        raise RuntimeError(f"{len(failures)} agenc(ies) not captured: {failures}")
    return {"edition": code, "captures": [asdict(c) for c in captured]}


@flow(name="september-edition", log_prints=True)
def september_edition(
    agency: int | None = None,
    edition: str | None = None,
    database_url: str | None = None,
    report_dir: str | None = None,
    allow_partial: bool = False,
) -> dict[str, Any]:
    """Classify the July capture (or, failing it, Wayback captures), publish, render the report."""
    settings = load_settings().with_overrides(database_url=database_url)
    agency_siorg = agency or settings.agency_siorg
    code = _edition(edition)
    db = resolve_database_url(settings)
    settings = settings.with_overrides(database_url=db)
    logger = get_run_logger()
    with warehouse(settings) as engine:
        capture_id = latest_capture(engine, agency_siorg, code)
    if capture_id is not None:
        source = SourceSpec("capture")
        origin = f"the July capture {capture_id}"
    else:
        source = SourceSpec("wayback")
        origin = "Wayback Machine captures on or before the cut-off"
        logger.warning(
            "no July capture of edition %s for agency %s: falling back to %s",
            code,
            agency_siorg,
            origin,
        )
    request = EditionRequest.for_code(code, agency_siorg, source)
    try:
        outcome = build_edition(
            request,
            settings,
            stages=TRACKED_STAGES,
            reporter=LoggingReporter(),
            flow_run_id=str(flow_run.get_id()),
            allow_partial=allow_partial,
        )
    except Exception as exc:
        stage = failed_stage(exc) or "setup"
        _artifact(
            f"september-edition-{code}",
            f"# Edition {code} of agency {agency_siorg}: **failed**\n\n"
            f"Built from {origin}. Stage **{stage}** failed:\n\n> {exc}\n\n"
            "Nothing was published; the previous edition stays current.",
            f"September edition {code} failed in {stage}",
        )
        raise
    report = _render_report(
        outcome, db, Path(report_dir).expanduser() if report_dir else settings.report_dir
    )
    _artifact(f"september-edition-{code}", _summary_markdown(outcome, origin, report), code)
    return outcome.to_json() | {"built_from": origin, "report": str(report) if report else None}


def _render_report(outcome: EditionOutcome, database_url: str, report_dir: Path) -> Path:
    """The seal's static site for the edition just published."""
    from selo.report import build_report

    engine = make_engine(database_url)
    try:
        summary = build_report(
            engine,
            outcome.code,
            report_dir / f"{outcome.agency}-{outcome.code}",
            agency=outcome.agency,
        )
    finally:
        engine.dispose()
    return summary.index


def _summary_markdown(outcome: EditionOutcome, origin: str, report: Path | None) -> str:
    levels = " | ".join(str(outcome.levels.get(k, 0)) for k in ("A1", "A2", "A3", "B", "C"))
    lines = [
        f"# Edition {outcome.code} of agency {outcome.agency}: load {outcome.load_id}",
        "",
        f"Built from {origin}; {outcome.services} services.",
        "",
        "| A1 | A2 | A3 | B | C | unclassified |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {levels} | {outcome.levels.get('unclassified', 0)} |",
    ]
    if outcome.not_loaded:
        lines += ["", "Not loaded:", ""]
        lines += [f"- {record} ({stage}): {reason}" for record, stage, reason in outcome.not_loaded]
    if report:
        lines += ["", f"Report: `{report}`"]
    return "\n".join(lines)
