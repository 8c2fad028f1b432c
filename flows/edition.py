"""Building one edition: extract -> transform -> load, composed once.

:func:`build_edition` is the only composition, for every source (the annual catalogue run and
every backfill). The CLI calls it with plain stage functions when no Prefect server is configured
(no ephemeral server to pay for); the Prefect flows (:mod:`flows.annual`, :mod:`flows.backfill`)
call the very same function with the stages wrapped as tasks, so a tracked run is fully recorded.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine

from extract.archive import RawArchive
from extract.catalogue import ExtractError
from flows.sources import (
    Extracted,
    Reporter,
    SilentReporter,
    SourceSpec,
    extract_catalogue,
    extract_legacy,
    extract_published,
    extract_reprocess,
    extract_wayback,
)
from load import migrate
from load.db import make_engine, redact
from load.embedded import ensure_server
from load.ledger import EditionSpec, LoadLease, mark_unchanged, open_load
from load.queries import current_digest, earlier_records, unfinished_archive_runs
from load.writer import LoadSummary, write_edition, write_published
from selo.settings import Settings
from transform.identity import catalogue_name_for, match_published
from transform.lineage import (
    KeyAssignment,
    PublishedEdition,
    assign_keys,
    find_name_changes,
    published_edition,
    separate_reused,
)
from transform.maturity import RULES_VERSION
from transform.parse import parse_document
from transform.pipeline import TransformedEdition, transform_documents
from transform.reference import (
    crosswalk,
    parse_figures_csv,
    parse_published_csv,
    published_rows,
)

T = TypeVar("T")

_EDITION_CODE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

__all__ = ["Reporter", "SilentReporter", "SourceSpec"]  # re-exported for callers


@dataclass(frozen=True, slots=True)
class EditionRequest:
    code: str
    agency: int
    cutoff: date
    source: SourceSpec

    @classmethod
    def for_code(
        cls, code: str, agency: int, source: SourceSpec, cutoff: date | None = None
    ) -> EditionRequest:
        match = _EDITION_CODE.match(code)
        if not match:
            raise ValueError(f"edition code {code!r} is not of the form YYYY-MM (e.g. 2026-09)")
        if cutoff is None and source.kind == "published":
            from transform.reference import EDITION_CUTOFFS

            cutoff = EDITION_CUTOFFS.get(code)
        # The seal judges services as they stood at the July cut-off of the edition's year.
        return cls(code, agency, cutoff or date(int(match.group(1)), 7, 31), source)

    @classmethod
    def current(cls, agency: int, source: SourceSpec, today: date) -> EditionRequest:
        return cls.for_code(f"{today.year}-09", agency, source)


@dataclass(frozen=True, slots=True)
class EditionOutcome:
    """What a run did, as plain data: the CLI prints it, the Prefect flows return it."""

    code: str
    agency: int
    kind: str  # scraped | archived | published
    load_id: int
    services: int
    levels: dict[str, int]
    unclassified: list[tuple[int, str]]  # (service id, reason)
    not_loaded: list[tuple[str, str, str]]  # (record, stage, reason)
    database: str
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # the input equals the current load's: nothing new was loaded
    figure_levels: dict[str, int] | None = None  # published 2022: the figure list's counts

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EditionOutcome:
        return cls(
            **{
                **data,
                "unclassified": [tuple(x) for x in data["unclassified"]],
                "not_loaded": [tuple(x) for x in data["not_loaded"]],
            }
        )


Transformed = TransformedEdition | PublishedEdition


# -- the stages (plain functions; flows.annual and flows.backfill wrap them as tasks) --------


def extract_stage(
    request: EditionRequest, settings: Settings, archive: RawArchive, reporter: Reporter
) -> Extracted:
    kind = request.source.kind
    if kind in ("live", "replay"):
        return extract_catalogue(request.source, settings, request.agency, archive, reporter)
    if kind == "legacy":
        return extract_legacy(request.source, request.agency, archive, reporter)
    if kind == "wayback":
        return extract_wayback(
            settings, settings.wayback, request.agency, request.cutoff, archive, reporter
        )
    if kind == "capture":
        from flows.capture import extract_capture

        return extract_capture(
            resolve_database_url(settings), request.agency, request.code, archive
        )
    if request.source.reprocessing is not None:
        # The warehouse's own archive of the edition's current load: no network.
        return extract_reprocess(
            resolve_database_url(settings), request.source.reprocessing.load_id, archive
        )
    return extract_published(request.source, archive, reporter)


def transform_stage(request: EditionRequest, extracted: Extracted) -> Transformed:
    if request.source.kind == "published":
        return _transform_published(request, extracted)
    transformed = transform_documents(extracted.documents, parse=parse_document)
    results = tuple(
        r for r in transformed.results if r.service.agency_siorg in (None, request.agency)
    )
    keys = assign_keys(
        [r.service for r in results],
        published_rows(),
        crosswalk(),
        snapshot=request.source.crosswalk_snapshot(request.cutoff),
        agency=request.agency,
    )
    return TransformedEdition(
        results,
        extracted.issues + transformed.issues + keys.issues,
        keys=keys.keys,
        other_agencies=len(transformed.results) - len(results),
    )


def _transform_published(request: EditionRequest, extracted: Extracted) -> PublishedEdition:
    table, *rest = extracted.documents
    rows = parse_published_csv(table.body.decode("utf-8"), table.record)
    figures = parse_figures_csv(rest[0].body.decode("utf-8"), rest[0].record) if rest else ()
    links = {}
    for snapshot, documents in extracted.reference.items():
        services = transform_documents(documents, parse=parse_document).results
        report = match_published(
            rows,
            [catalogue_name_for(r.service) for r in services],
            crosswalk(),
            snapshot=snapshot,
        ).for_edition(request.code)
        links[snapshot] = {
            row.lineage: report.service_id_for(row) for row in rows if row.edition == request.code
        }
    return published_edition(request.code, rows, figures, agency=request.agency, links=links)


def load_stage(
    database_url: str,
    lease: LoadLease,
    transformed: Transformed,
    extracted: Extracted,
    digest: str,
) -> LoadSummary:
    engine = make_engine(database_url)
    try:
        responses = extracted.archive.entries()
        if isinstance(transformed, PublishedEdition):
            return write_published(
                engine, lease, transformed, responses, extracted.archive.read_body, digest
            )
        # The id is evidence, not identity: an id whose name here is unlike every name it had
        # in other editions may name another service now (2234 in 2018 vs 2026).
        changes = find_name_changes(
            {r.service.id: r.service.name for r in transformed.results},
            earlier_records(engine, lease.spec.agency_siorg, exclude_edition=lease.edition_id),
        )
        assigned = KeyAssignment(
            dict(transformed.keys), tuple(i for i in transformed.issues if i.stage == "identity")
        )
        keys = separate_reused(
            assigned,
            changes,
            agency=lease.spec.agency_siorg,
            edition=lease.spec.code,
        )
        return write_edition(
            engine,
            lease,
            transformed.with_keys(keys.keys, keys.issues),
            responses,
            extracted.archive.read_body,
            digest,
        )
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class Stages:
    extract: Callable[[EditionRequest, Settings, RawArchive, Reporter], Extracted] = extract_stage
    transform: Callable[[EditionRequest, Extracted], Transformed] = transform_stage
    load: Callable[[str, LoadLease, Transformed, Extracted, str], LoadSummary] = load_stage


def resolve_database_url(settings: Settings) -> str:
    """The configured server, or the embedded one under the user's data directory."""
    return settings.database_url or ensure_server(settings.embedded_pgdata)


@contextmanager
def warehouse(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured (or embedded) warehouse, migrated, disposed of afterwards."""
    engine = make_engine(resolve_database_url(settings))
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def input_digest(request: EditionRequest, extracted: Extracted) -> str:
    """What the edition is built from: the documents' hashes, the source and the rules."""
    h = hashlib.sha256()
    # A reprocess reads again the documents of a load first built by another source: the
    # same documents and rules give that load's digest (reprocessing is idempotent).
    reprocessing = request.source.reprocessing
    kind = reprocessing.origin if reprocessing is not None else request.source.kind
    h.update(f"{kind}|{request.cutoff}|{RULES_VERSION}".encode())
    for document in sorted(extracted.documents, key=lambda d: d.record):
        body_hash = document.sha256 or hashlib.sha256(document.body).hexdigest()
        h.update(f"|{document.record}={body_hash}".encode())
    for issue in sorted(extracted.issues, key=lambda i: i.record):
        h.update(f"|{issue.record}!{issue.stage}".encode())
    return h.hexdigest()


def _check_fetch(extracted: Extracted, request: EditionRequest, allow_partial: bool) -> None:
    if not extracted.listed:
        raise ExtractError(
            f"the source lists no services for agency {request.agency}; nothing to publish"
        )
    if not extracted.documents and not [i for i in extracted.issues if i.stage == "fetch"]:
        reasons = "; ".join(f"{i.record}: {i.reason}" for i in extracted.issues[:3])
        raise ExtractError(
            f"none of the {extracted.listed} services could be read from the source"
            + (f" ({reasons})" if reasons else "")
            + "; nothing to publish"
        )
    failed = [i for i in extracted.issues if i.stage == "fetch"]
    if failed and (not allow_partial or not extracted.documents):
        shown = "; ".join(f"{i.record}: {i.reason}" for i in failed[:5])
        more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
        raise ExtractError(
            f"{len(failed)} of {extracted.listed} records could not be fetched: {shown}{more}. "
            "Fetched pages are archived; re-run, or pass --allow-partial to publish without them"
        )


_STAGE_ATTRIBUTE = "selo_stage"


def _stage(name: str, run: Callable[..., T], *args: Any) -> T:
    """Run one stage; an exception leaving it names the stage (see :func:`failed_stage`)."""
    try:
        return run(*args)
    except Exception as exc:
        if not hasattr(exc, _STAGE_ATTRIBUTE):
            setattr(exc, _STAGE_ATTRIBUTE, name)
        raise


def failed_stage(exc: BaseException) -> str | None:
    """Which stage of :func:`build_edition` raised ``exc`` (None: outside the stages)."""
    stage = getattr(exc, _STAGE_ATTRIBUTE, None)
    return stage if isinstance(stage, str) else None


def build_edition(
    request: EditionRequest,
    settings: Settings,
    *,
    stages: Stages = Stages(),
    reporter: Reporter | None = None,
    flow_run_id: str | None = None,
    allow_partial: bool = False,
    skip_unchanged: bool = False,
) -> EditionOutcome:
    """Build and publish one edition; raise (after marking the load failed) if it cannot.

    A record that cannot be *fetched* fails the run unless ``allow_partial``: a network fault is
    worth a re-run, and publishing without the record would silently shrink the edition. A record
    that cannot be *read* is reported and the others are published: re-running would not help.
    With ``skip_unchanged`` (backfills), an input identical to the current load's is recorded as
    an ``unchanged`` attempt and nothing new is loaded: re-running a backfill is idempotent.
    """
    reporter = reporter or SilentReporter()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    database_url = resolve_database_url(settings)
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        lap("database")
        spec = EditionSpec(
            code=request.code,
            agency_siorg=request.agency,
            cutoff=request.cutoff,
            source_kind=request.source.edition_kind,
            source=request.source.describe(settings.api_base),
        )
        run_id = new_run_id()
        archive = RawArchive(settings.archive_dir, run_id)
        with open_load(
            engine, spec, RULES_VERSION, archive_run=run_id, flow_run_id=flow_run_id
        ) as lease:
            # A killed or failed run of this edition already archived most of what it fetched.
            archive.resume_from(
                unfinished_archive_runs(engine, lease.edition_id, exclude_load=lease.load_id)
            )
            lap("ledger")
            extracted = _stage("extract", stages.extract, request, settings, archive, reporter)
            archive.sync()  # everything fetched is on disk before anything is loaded
            lap("extract")
            _stage("extract", _check_fetch, extracted, request, allow_partial)
            digest = input_digest(request, extracted)
            if skip_unchanged:
                current = current_digest(engine, lease.edition_id)
                if current is not None and current[1] == digest:
                    mark_unchanged(engine, lease, current[0], digest)
                    return _unchanged_outcome(engine, request, current[0], database_url, timings)
            transformed = _stage("transform", stages.transform, request, extracted)
            lap("transform")
            summary = _stage(
                "load", stages.load, database_url, lease, transformed, extracted, digest
            )
            lap("load")
    finally:
        engine.dispose()
    return _outcome(request, summary, transformed, redact(database_url), timings)


def _outcome(
    request: EditionRequest,
    summary: LoadSummary,
    transformed: Transformed,
    database: str,
    timings: dict[str, float],
) -> EditionOutcome:
    if isinstance(transformed, PublishedEdition):
        return EditionOutcome(
            code=request.code,
            agency=request.agency,
            kind="published",
            load_id=summary.load_id,
            services=summary.services,
            levels=summary.levels,
            unclassified=[],
            not_loaded=[(i.record, i.stage, i.reason) for i in transformed.issues],
            database=database,
            timings=timings,
            figure_levels=transformed.level_counts(figures=True)
            if any(s.figure_level for s in transformed.services)
            else None,
        )
    return EditionOutcome(
        code=request.code,
        agency=request.agency,
        kind=request.source.edition_kind,
        load_id=summary.load_id,
        services=summary.services,
        levels=summary.levels,
        unclassified=[
            (r.service.id, r.classification.reason or "")
            for r in transformed.results
            if r.classification.level is None
        ],
        not_loaded=[(i.record, i.stage, i.reason) for i in transformed.issues],
        database=database,
        timings=timings,
    )


def _unchanged_outcome(
    engine: Engine,
    request: EditionRequest,
    load_id: int,
    database_url: str,
    timings: dict[str, float],
) -> EditionOutcome:
    from load.queries import load_levels

    levels, services = load_levels(engine, load_id)
    return EditionOutcome(
        code=request.code,
        agency=request.agency,
        kind=request.source.edition_kind,
        load_id=load_id,
        services=services,
        levels=levels,
        unclassified=[],
        not_loaded=[],
        database=redact(database_url),
        timings=timings,
        unchanged=True,
    )
