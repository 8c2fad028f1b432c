"""The ``selo`` command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from selo.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from flows.edition import EditionOutcome, EditionRequest

app = typer.Typer(
    name="selo",
    help="Build the ANS 'Selo de Maturidade Digital' from the Gov.br service catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
embedded_app = typer.Typer(help="The embedded PostgreSQL used when no database URL is given.")
app.add_typer(embedded_app, name="embedded")

# soft_wrap: long lines (URLs, reasons) stay whole when piped, instead of breaking at 80 columns.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:
    # Piped or redirected: tables at full width rather than squeezed into 80 columns.
    out.width = 160

T = TypeVar("T")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SELO_DATABASE_URL",
        help="PostgreSQL URL; without it selo starts its own embedded server.",
        show_envvar=True,
    ),
]


def _fail(message: str) -> typer.Exit:
    # One line on stderr, non-zero exit: what scripts and CI expect.
    err.print(f"selo: error: {' '.join(message.split())}", markup=False, soft_wrap=True)
    return typer.Exit(code=1)


def _guarded(action: Callable[[], T]) -> T:
    """Run a command body, turning any failure into a one-line reason and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return action()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        raise _fail("interrupted; nothing was published by this run") from None
    except (SQLAlchemyError, OSError) as exc:
        if os.environ.get("SELO_DEBUG"):
            raise
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise _fail(f"{type(exc).__name__}: {detail}") from None
    except Exception as exc:
        if os.environ.get("SELO_DEBUG"):
            raise
        raise _fail(str(exc) or type(exc).__name__) from None


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings().with_overrides(**overrides)
    except SettingsError as exc:
        raise _fail(str(exc)) from None


@app.command()
def run(
    edition: Annotated[
        str | None,
        typer.Option(help="Edition code YYYY-MM; default: this year's September edition."),
    ] = None,
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
    source: Annotated[
        str, typer.Option(help="live (servicos.gov.br) or replay[:PATH] (recorded records).")
    ] = "live",
    database_url: DatabaseOption = None,
    cutoff: Annotated[
        str | None,
        typer.Option(help="Cut-off date YYYY-MM-DD; default: July 31 of the edition's year."),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Publish even if some records could not be fetched (they are listed).",
        ),
    ] = False,
    prefect: Annotated[
        bool | None,
        typer.Option(
            "--prefect/--no-prefect",
            help="Run as a tracked Prefect flow. Default: only when PREFECT_API_URL is set.",
        ),
    ] = None,
) -> None:
    """Build and publish one edition: list, fetch, archive, parse, classify, load."""
    settings = _settings(database_url=database_url, agency_siorg=agency)
    tracked = prefect if prefect is not None else settings.prefect_api_url is not None

    def body() -> EditionOutcome:
        from flows.edition import EditionRequest, SourceSpec, build_edition

        spec = SourceSpec.parse(source, allowed=("live", "replay"))
        cut = date.fromisoformat(cutoff) if cutoff else None
        code = edition or f"{date.today().year}-09"
        request = EditionRequest.for_code(code, settings.agency_siorg, spec, cut)
        if tracked:
            return _run_tracked(request, settings, allow_partial)
        with _FetchProgress() as progress:
            return build_edition(request, settings, reporter=progress, allow_partial=allow_partial)

    _print_summary(_guarded(body))


def _run_tracked(
    request: EditionRequest, settings: Settings, allow_partial: bool
) -> EditionOutcome:
    """Run through Prefect so the server records the flow and its tasks."""
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.annual import annual_edition
    from flows.edition import EditionOutcome

    err.print("running as a Prefect flow (tracked)")
    result = annual_edition(
        edition=request.code,
        agency=request.agency,
        source=request.source.describe(settings.api_base)
        if request.source.kind == "replay"
        else "live",
        database_url=settings.database_url,
        allow_partial=allow_partial,
        cutoff=request.cutoff,
    )
    return EditionOutcome.from_json(result)


class _FetchProgress:
    """A progress bar on stderr while records are fetched."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("fetching records"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            # Only on a terminal: piped stderr keeps to one line per message.
            disable=not err.is_terminal,
        )
        self._task = self._progress.add_task("fetch", total=None)
        self.failed = 0

    def __enter__(self) -> _FetchProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def listed(self, services: int) -> None:
        self._progress.update(self._task, total=services)

    def fetched(self, service: int | str, error: str | None) -> None:
        if error:
            self.failed += 1
            label = f"service {service}" if isinstance(service, int) else service
            self._progress.console.print(f"{label}: {error}", markup=False, style="yellow")
        self._progress.advance(self._task)


def _print_summary(outcome: EditionOutcome) -> None:
    levels = outcome.levels
    classified = sum(v for k, v in levels.items() if k != "unclassified")
    digital = levels.get("A1", 0) + levels.get("A2", 0) + levels.get("A3", 0)

    out.print(
        f"Edition {outcome.code} ({outcome.kind}) of agency {outcome.agency}: "
        f"published as load {outcome.load_id}",
        markup=False,
    )
    table = Table()
    table.add_column("level")
    table.add_column("services", justify="right")
    table.add_column("share", justify="right")
    for key in ("A1", "A2", "A3", "B", "C", "unclassified"):
        n = levels.get(key, 0)
        table.add_row(key, str(n), f"{n / outcome.services:.0%}" if outcome.services else "-")
    table.add_section()
    table.add_row("total", str(outcome.services), "")
    out.print(table)
    if outcome.figure_levels:
        figures = ", ".join(f"{k} {v}" for k, v in outcome.figure_levels.items() if v)
        out.print(f"by the seed's figure list instead of Table 2: {figures}", markup=False)
    share = f"{digital / classified:.1%}" if classified else "n/a"
    out.print(f"share digital (A1+A2+A3 of classified services): {share}")
    for service_id, reason in outcome.unclassified:
        out.print(f"unclassified: service {service_id}: {reason}", markup=False)
    for record, stage, reason in outcome.not_loaded:
        out.print(f"not loaded: {record} ({stage}): {reason}", markup=False)
    if outcome.timings:
        split = ", ".join(f"{k} {v:.2f}s" for k, v in outcome.timings.items())
        out.print(f"time: {split}", markup=False)
    out.print(f"database: {outcome.database}", markup=False)


@app.command()
def backfill(
    editions: Annotated[
        str,
        typer.Option(
            help="Edition codes, comma-separated (YYYY-MM), or 'all' (the published editions)."
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            help="wayback (captures on or before each cut-off), legacy[:PATH] (v3 XML records) "
            "or published[:PATH] (the published seal's CSVs)."
        ),
    ],
    database_url: DatabaseOption = None,
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option("--allow-partial", help="Publish even if some captures failed to download."),
    ] = False,
    prefect: Annotated[
        bool | None,
        typer.Option(
            "--prefect/--no-prefect",
            help="Run as the tracked Prefect flow 'backfill'. "
            "Default: when PREFECT_API_URL is set.",
        ),
    ] = None,
) -> None:
    """Build and publish past editions; re-running is idempotent."""
    settings = _settings(database_url=database_url, agency_siorg=agency)
    tracked = prefect if prefect is not None else settings.prefect_api_url is not None

    def body() -> Any:
        from flows.backfill import (
            BACKFILL_SOURCES,
            BackfillResult,
            backfill_editions,
            parse_editions,
        )
        from flows.edition import EditionOutcome, SourceSpec

        spec = SourceSpec.parse(source, allowed=BACKFILL_SOURCES)
        codes = parse_editions(editions, spec)
        if tracked:
            os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            from flows.backfill import backfill as backfill_flow

            err.print("running as a Prefect flow (tracked)")
            data = backfill_flow(
                editions=codes,
                source=source,
                database_url=settings.database_url,
                agency=settings.agency_siorg,
                allow_partial=allow_partial,
            )
            return BackfillResult(
                [EditionOutcome.from_json(o) for o in data["outcomes"]],
                [(f["edition"], f["error"]) for f in data["failures"]],
            )
        progress = _FetchProgress()
        with progress:
            return backfill_editions(
                codes,
                spec,
                settings,
                reporter=lambda code: progress,
                allow_partial=allow_partial,
            )

    result = _guarded(body)
    for outcome in result.outcomes:
        if outcome.unchanged:
            out.print(
                f"Edition {outcome.code} ({outcome.kind}): unchanged since load {outcome.load_id}; "
                "nothing new loaded",
                markup=False,
            )
        else:
            _print_summary(outcome)
        out.print()
    if result.failures:
        for code, reason in result.failures:
            err.print(f"selo: edition {code} failed: {reason}", markup=False)
        raise typer.Exit(code=1)


@app.command()
def history(
    database_url: DatabaseOption = None,
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Each service's level in every edition: official (published) and automatic side by side."""
    settings = _settings(database_url=database_url, agency_siorg=agency)

    def body() -> Any:
        from flows.edition import warehouse
        from load.queries import service_history

        with warehouse(settings) as engine:
            return service_history(engine, settings.agency_siorg)

    columns, services = _guarded(body)
    if as_json:
        data = {"editions": columns, "services": [s.to_json() for s in services]}
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    if not services:
        out.print("no published editions yet: run `selo run` and `selo backfill`")
        return
    table = Table(title="Levels by edition (official = the published seal, auto = selo)")
    table.add_column("service")
    table.add_column("dir.")
    for column in columns:
        table.add_column(column.replace(" ", "\n"), justify="center")
    for s in services:
        cells = []
        for column in columns:
            cell = s.cells.get(column)
            if cell is None:
                cells.append("")
                continue
            text = cell.level or "?"
            if cell.figure_level:
                text += f" (fig. {cell.figure_level})"
            cells.append(text)
        table.add_row(f"{s.service_key} {s.label[:48]}", s.diretoria or "", *cells)
    out.print(table)


@app.command()
def editions(
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every edition with its status, counts per level and its loads."""
    settings = _settings(database_url=database_url)

    def body() -> list[Any]:
        from flows.edition import warehouse
        from load.queries import list_editions

        with warehouse(settings) as engine:
            return list_editions(engine)

    found = _guarded(body)
    if as_json:
        out.print_json(json.dumps([e.to_json() for e in found], ensure_ascii=False))
        return
    if not found:
        out.print("no editions yet: run `selo run`")
        return
    table = Table(title="Editions")
    for column in (
        "edition",
        "agency",
        "kind",
        "cut-off",
        "status",
        "services",
        "A1",
        "A2",
        "A3",
        "B",
        "C",
        "uncl.",
    ):
        table.add_column(
            column, justify="right" if column not in ("edition", "kind", "status") else "left"
        )
    for e in found:
        table.add_row(
            e.code,
            str(e.agency_siorg),
            e.source_kind,
            e.cutoff.isoformat(),
            e.status,
            str(e.services),
            *(str(e.levels[k]) for k in ("A1", "A2", "A3", "B", "C", "unclassified")),
        )
    out.print(table)
    loads = Table(title="Loads")
    for column in ("load", "edition", "status", "started", "finished", "rows", "issues", "source"):
        loads.add_column(column)
    for e in found:
        for load in e.loads:
            loads.add_row(
                f"{load.id}{' *' if load.current else ''}",
                e.code,
                load.status,
                f"{load.started:%Y-%m-%d %H:%M:%S}",
                f"{load.finished:%Y-%m-%d %H:%M:%S}" if load.finished else "-",
                "-" if load.rows is None else str(load.rows),
                "-" if load.issues is None else str(load.issues),
                load.source,
            )
    out.print(loads)
    out.print("* current load of its edition")


@app.command()
def classify(
    files: Annotated[
        list[Path],
        typer.Argument(help="Records: catalogue API JSON, legacy v3 XML or gov.br service pages."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Classify recorded records and show level, rule and evidence (no database needed)."""
    from transform.maturity import classify_service
    from transform.models import RecordError
    from transform.parse import parse_document

    results: list[dict[str, Any]] = []
    failures = 0
    for path in files:
        try:
            service = parse_document(path.read_bytes(), str(path))
        except (OSError, RecordError) as exc:
            failures += 1
            err.print(f"selo: {path}: {exc}", markup=False)
            continue
        c = classify_service(service)
        results.append(
            {
                "file": str(path),
                "service_id": service.id,
                "name": service.name,
                "format": service.source_format.value,
                "level": c.level.value if c.level else None,
                "rule": c.rule,
                "confidence": c.confidence,
                "rules_version": c.rules_version,
                "reason": c.reason,
                "evidence": c.evidence_json(),
            }
        )
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
    else:
        for r in results:
            out.print(
                f"[bold]{r['service_id']}[/] {r['name']}\n"
                f"  level {r['level'] or 'unclassified'} by {r['rule']} "
                f"(confidence {r['confidence']:.2f}, rules {r['rules_version']})"
            )
            if r["reason"]:
                out.print(f"  reason: {r['reason']}", markup=False)
            for e in r["evidence"]:
                where = " ".join(
                    part
                    for part in (
                        f"step {e['step']}" if e.get("step") else "",
                        e.get("channel") or "",
                    )
                    if part
                )
                span = f" «{e['span']}»" if e.get("span") else ""
                where = f"{where}: " if where else ""
                out.print(f"  - [{e['rule']}] {where}{e['note']}{span}", markup=False)
    if failures:
        raise typer.Exit(code=1)


@app.command()
def agreement(
    edition: Annotated[
        str, typer.Option(help="Published edition: 2020-11, 2021-04, 2021-09, 2022-09.")
    ],
    snapshot: Annotated[
        str | None,
        typer.Option(
            help="Recorded records to classify: govbr-2026-10 or legacy-2018 "
            "(default: legacy-2018 for 2020-11, govbr-2026-10 otherwise)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Compare automatic levels with the published seal: kappa, confusion, every disagreement."""
    from flows.agreement import measure_agreement

    run = _guarded(lambda: measure_agreement(edition, snapshot))
    report = run.report
    if as_json:
        data = report.to_json() | {
            "snapshot": run.snapshot,
            "matching": run.matching.counts(),
            "not_loaded": [
                {"record": i.record, "stage": i.stage, "reason": i.reason}
                for i in run.transformed.issues
            ],
        }
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    _print_agreement(run)


def _print_agreement(run: Any) -> None:
    report = run.report
    rate = "n/a" if report.agreement is None else f"{report.agreement:.1%}"
    kappa = "n/a" if report.kappa is None else f"{report.kappa:.3f}"
    out.print(
        f"Edition {report.edition} (cut-off {report.edition_cutoff}) against the {run.snapshot} "
        f"records (captured {report.record_date})",
        markup=False,
    )
    out.print(
        f"compared {report.compared} of {report.total} published services · "
        f"agreement {rate} ({report.agreed}) · Cohen's kappa {kappa}",
        markup=False,
    )
    columns = [*report.confusion[next(iter(report.confusion))]]
    table = Table(title="Confusion: official (rows) by automatic (columns)")
    table.add_column("official")
    for column in columns:
        table.add_column(column, justify="right")
    table.add_column("recall", justify="right")
    for official, row in report.confusion.items():
        stats = report.per_level[official]
        recall = "-" if stats.recall is None else f"{stats.recall:.0%}"
        table.add_row(official, *(str(row[c]) if row[c] else "·" for c in columns), recall)
    out.print(table)
    if report.disagreements:
        out.print(
            f"{len(report.disagreements)} disagreement(s), by reason: "
            + ", ".join(f"{k} {v}" for k, v in report.reason_counts().items() if v),
            markup=False,
        )
    for d in report.disagreements:
        automatic = d.automatic.value if d.automatic else "unclassified"
        out.print(
            f"- {d.service_id} «{d.name}»: published {d.official.value}, automatic {automatic} "
            f"by {d.rule} [{d.reason_class.value}]",
            markup=False,
        )
        out.print(f"    {d.explanation}", markup=False)
        for e in d.evidence[:3]:
            span = f" «{e['span']}»" if e.get("span") else ""
            out.print(f"    · {e['note']}{span}", markup=False)
    for c in report.contradictions:
        out.print(
            f"contradiction in the seed: lineage {c.lineage} «{c.name}»: "
            f"Table 2 {c.table_level.value}, figure {c.figure} {c.figure_level.value}",
            markup=False,
        )
    for kind, entries in (
        ("no record matched", report.unmatched),
        ("ambiguous match", report.ambiguous),
        ("conflicting match", report.conflicts),
    ):
        for entry in entries:
            names = " / ".join(entry.get("names", [])) or entry.get("name", "")
            detail = entry.get("note") or ", ".join(
                f"{c['service_id']} ({c['score']})" for c in entry.get("candidates", [])[:3]
            )
            out.print(
                f"not compared ({kind}): lineage {entry.get('lineage', '?')} «{names}»: {detail}",
                markup=False,
            )
    for issue in run.transformed.issues:
        out.print(f"record not read: {issue.record} ({issue.stage}): {issue.reason}", markup=False)


@app.command()
def grant(
    login: Annotated[
        str | None,
        typer.Argument(help="A database user to give read access to the analyst views."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create the read-only role selo_analyst (views of schema analytics only) and grant it."""
    settings = _settings(database_url=database_url)

    def body() -> list[str]:
        from sqlalchemy.exc import ProgrammingError

        from flows.edition import warehouse
        from load.views import grant_analyst

        try:
            with warehouse(settings) as engine:
                return grant_analyst(engine, login)
        except ProgrammingError as exc:
            raise RuntimeError(
                f"{exc.orig}: connect as a user who may create roles, or ask a DBA to run "
                "CREATE ROLE selo_analyst NOLOGIN; GRANT USAGE ON SCHEMA analytics TO "
                "selo_analyst; GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO selo_analyst"
            ) from None

    for statement in _guarded(body):
        out.print(statement, markup=False)


@app.command()
def report(
    edition: Annotated[str, typer.Option(help="Edition code YYYY-MM to report on.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the static site into.")],
    database_url: DatabaseOption = None,
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
) -> None:
    """Write a static site of one edition, readable offline: summary, evolution, table, seals."""
    from selo.report.cli import report_command

    report_command(edition, out_dir, database_url, agency)


@app.command()
def reprocess(
    edition: Annotated[str, typer.Option(help="Edition code YYYY-MM to classify again.")],
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="scraped or archived, when the edition exists as both."),
    ] = None,
    database_url: DatabaseOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="A new load even when documents and rules are those of the current."
        ),
    ] = False,
) -> None:
    """Classify an edition again from its archived documents, with the current rules."""
    from selo.ops_cli import reprocess_command

    reprocess_command(edition, agency, kind, database_url, force)


@app.command()
def diff(
    edition: Annotated[str, typer.Option(help="Edition code YYYY-MM.")],
    from_load: Annotated[
        int | None,
        typer.Option("--from", help="Load to compare from; default: the one before --to."),
    ] = None,
    to_load: Annotated[
        int | None, typer.Option("--to", help="Load to compare to; default: the current one.")
    ] = None,
    agency: Annotated[
        int | None,
        typer.Option(help="SIORG code of the agency (default 45013, ANS).", envvar="SELO_AGENCY"),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="scraped or archived, when the edition exists as both."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """What changed between two loads of an edition: levels, rules, services added or removed."""
    from selo.ops_cli import diff_command

    diff_command(edition, from_load, to_load, agency, kind, as_json, database_url)


@app.command()
def capture(
    edition: Annotated[
        str | None,
        typer.Option(help="Edition code YYYY-MM; default: this year's September edition."),
    ] = None,
    agency: Annotated[
        list[int] | None,
        typer.Option(help="SIORG code(s) of the agencies (default 45013, ANS); repeatable."),
    ] = None,
    source: Annotated[
        str, typer.Option(help="live (servicos.gov.br) or replay[:PATH] (recorded records).")
    ] = "live",
    database_url: DatabaseOption = None,
) -> None:
    """Take the July capture now: fetch and archive records and service pages, no classifying."""
    settings = _settings(database_url=database_url)

    def body() -> list[Any]:
        from flows.capture import take_capture
        from flows.edition import EditionRequest, SourceSpec, new_run_id, resolve_database_url

        spec = SourceSpec.parse(source, allowed=("live", "replay"))
        code = edition or f"{date.today().year}-09"
        cutoff = EditionRequest.for_code(code, settings.agency_siorg, spec).cutoff
        db = resolve_database_url(settings)
        return [
            take_capture(a, code, cutoff.isoformat(), spec, settings, db, run_id=new_run_id())
            for a in agency or [settings.agency_siorg]
        ]

    for c in _guarded(body):
        out.print(
            f"capture {c.capture_id} of edition {c.edition} for agency {c.agency}: "
            f"{c.records} records, {c.pages} pages, {c.failed} failed",
            markup=False,
        )


@app.command()
def serve(
    list_only: Annotated[
        bool, typer.Option("--list", help="List the deployments and their next runs, then exit.")
    ] = False,
    runs: Annotated[int, typer.Option(help="How many next runs to list.")] = 3,
) -> None:
    """Serve the scheduled deployments (july-capture, september-edition) to a Prefect server."""
    from flows.deployments import DEPLOYMENTS, TIMEZONE

    if list_only:
        table = Table(title=f"Deployments (times in {TIMEZONE})")
        for column in ("deployment", "flow", "cron", "parameters", "next runs"):
            table.add_column(column)
        for spec in DEPLOYMENTS:
            table.add_row(
                spec.name,
                spec.entrypoint,
                spec.cron,
                json.dumps(spec.parameters),
                "\n".join(f"{t:%Y-%m-%d %H:%M %Z}" for t in spec.next_runs(runs)),
            )
        out.print(table)
        return
    settings = _settings()
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if settings.prefect_api_url is None:
        err.print(
            "PREFECT_API_URL is not set: serving against a temporary local Prefect server "
            "(schedules last as long as this process)",
            markup=False,
        )
    from flows.deployments import serve as serve_deployments

    _guarded(serve_deployments)


@app.command()
def rules() -> None:
    """The classifier's named rules, in the order they decide, with what each one means."""
    from transform.maturity import RULES, RULES_VERSION

    table = Table(title=f"Rules {RULES_VERSION}")
    for column in ("scope", "rule", "what it decides"):
        table.add_column(column)
    for name, (scope, doc) in RULES.items():
        table.add_row(scope, name, doc)
    out.print(table)


@embedded_app.command("stop")
def embedded_stop() -> None:
    """Stop the embedded PostgreSQL (its data stays; the next run starts it again)."""
    settings = _settings()
    from load.embedded import stop_server

    stopped = _guarded(lambda: stop_server(settings.embedded_pgdata))
    out.print("stopped" if stopped else f"not running ({settings.embedded_pgdata})")


@embedded_app.command("url")
def embedded_url() -> None:
    """Start the embedded PostgreSQL if needed and print its URL (for psql or pandas)."""
    settings = _settings()
    from load.embedded import ensure_server

    out.print(_guarded(lambda: ensure_server(settings.embedded_pgdata)), markup=False)


def main() -> None:
    app(prog_name="selo")


if __name__ == "__main__":  # pragma: no cover
    main()
