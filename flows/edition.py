"""Building one edition: extract -> transform -> load, composed once.

:func:`build_edition` is the only composition. The CLI calls it with plain stage functions when no
Prefect server is configured (no ephemeral server to pay for); the Prefect flow
:func:`flows.annual.annual_edition` calls the very same function with the stages wrapped
as tasks, so a run under a Prefect server or deployment is fully tracked.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from extract.archive import RawArchive
from extract.catalogue import (
    CatalogueFetch,
    ExtractError,
    FetchedRecord,
    fetch_agency_catalogue,
)
from extract.replay import DEFAULT_REPLAY_DIR, ReplayCatalogue
from load import migrate
from load.db import make_engine, redact
from load.embedded import ensure_server
from load.ledger import EditionSpec, LoadLease, open_load
from load.writer import LoadSummary, write_edition
from selo.settings import Settings
from transform.maturity import RULES_VERSION
from transform.pipeline import RecordIssue, SourceDocument, TransformedEdition, transform_documents

_EDITION_CODE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Reporter(Protocol):
    """Where progress goes: a progress bar in the CLI, the log under Prefect."""

    def listed(self, services: int) -> None: ...
    def fetched(self, record: FetchedRecord) -> None: ...


class SilentReporter:
    def listed(self, services: int) -> None:
        pass

    def fetched(self, record: FetchedRecord) -> None:
        pass


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """``live`` (servicos.gov.br) or ``replay[:PATH]`` (recorded records served locally)."""

    kind: str
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        kind, _, rest = text.partition(":")
        if kind == "live" and not rest:
            return cls("live")
        if kind == "replay":
            path = Path(rest).expanduser() if rest else DEFAULT_REPLAY_DIR
            if not path.is_dir():
                raise ValueError(f"replay source {str(path)!r} is not a directory")
            return cls("replay", path.resolve())
        raise ValueError(f"unknown source {text!r}: use live or replay[:PATH]")

    def describe(self, api_base: str) -> str:
        return f"replay:{self.path}" if self.kind == "replay" else f"live:{api_base}"


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
        # The seal judges services as they stood at the July cut-off of the edition's year.
        return cls(code, agency, cutoff or date(int(match.group(1)), 7, 31), source)

    @classmethod
    def current(cls, agency: int, source: SourceSpec, today: date) -> EditionRequest:
        return cls.for_code(f"{today.year}-09", agency, source)


@dataclass(frozen=True, slots=True)
class Extracted:
    fetch: CatalogueFetch
    archive: RawArchive


@dataclass(frozen=True, slots=True)
class EditionOutcome:
    """What a run did, as plain data: the CLI prints it, the Prefect flow returns it."""

    code: str
    agency: int
    load_id: int
    services: int
    levels: dict[str, int]
    unclassified: list[tuple[int, str]]  # (service id, reason)
    not_loaded: list[tuple[str, str, str]]  # (record, stage, reason)
    database: str
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        request: EditionRequest,
        summary: LoadSummary,
        transformed: TransformedEdition,
        database: str,
        timings: dict[str, float],
    ) -> EditionOutcome:
        return cls(
            code=request.code,
            agency=request.agency,
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


# -- the stages (plain functions; flows.annual wraps them as tasks) --------------------------


def extract_stage(
    request: EditionRequest, settings: Settings, archive: RawArchive, reporter: Reporter
) -> Extracted:
    transport = None
    if request.source.kind == "replay":
        assert request.source.path is not None
        transport = ReplayCatalogue.from_directory(request.source.path).transport()
    fetch = fetch_agency_catalogue(
        settings.http,
        settings.api_base,
        request.agency,
        archive,
        transport=transport,
        paced=request.source.kind == "live",
        on_progress=reporter.fetched,
        on_listed=reporter.listed,
    )
    return Extracted(fetch, archive)


def transform_stage(extracted: Extracted) -> TransformedEdition:
    documents = []
    fetch_issues = []
    for record in extracted.fetch.records:
        label = f"service {record.service_id}"
        if record.body is None or record.error:
            fetch_issues.append(
                RecordIssue(label, "fetch", record.error or "no body", record.service_id)
            )
            continue
        documents.append(
            SourceDocument(
                record=label,
                body=record.body,
                url=record.url,
                sha256=record.archived.sha256 if record.archived else None,
                service_id=record.service_id,
            )
        )
    transformed = transform_documents(documents)
    return replace(transformed, issues=tuple(fetch_issues) + transformed.issues)


def load_stage(
    database_url: str, lease: LoadLease, transformed: TransformedEdition, extracted: Extracted
) -> LoadSummary:
    engine = make_engine(database_url)
    try:
        return write_edition(
            engine, lease, transformed, extracted.archive.entries(), extracted.archive.read_body
        )
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class Stages:
    extract: Callable[[EditionRequest, Settings, RawArchive, Reporter], Extracted] = extract_stage
    transform: Callable[[Extracted], TransformedEdition] = transform_stage
    load: Callable[[str, LoadLease, TransformedEdition, Extracted], LoadSummary] = load_stage


def _check_fetch(fetch: CatalogueFetch, request: EditionRequest, allow_partial: bool) -> None:
    if not fetch.service_ids:
        raise ExtractError(
            f"the catalogue lists no services for agency {request.agency}; nothing to publish"
        )
    failed = fetch.failed
    if failed and (not allow_partial or len(failed) == len(fetch.records)):
        shown = "; ".join(f"service {r.service_id}: {r.error}" for r in failed[:5])
        more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
        raise ExtractError(
            f"{len(failed)} of {len(fetch.records)} records could not be fetched: {shown}{more}. "
            "Fetched pages are archived; re-run, or pass --allow-partial to publish without them"
        )


def resolve_database_url(settings: Settings) -> str:
    """The configured server, or the embedded one under the user's data directory."""
    return settings.database_url or ensure_server(settings.embedded_pgdata)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def build_edition(
    request: EditionRequest,
    settings: Settings,
    *,
    stages: Stages = Stages(),
    reporter: Reporter | None = None,
    flow_run_id: str | None = None,
    allow_partial: bool = False,
) -> EditionOutcome:
    """Build and publish one edition; raise (after marking the load failed) if it cannot.

    A record that cannot be *fetched* fails the run unless ``allow_partial``: a network fault is
    worth a re-run, and publishing without the record would silently shrink the edition. A record
    that cannot be *read* is reported and the others are published: re-running would not help.
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
            source_kind="scraped",
            source=request.source.describe(settings.api_base),
        )
        run_id = new_run_id()
        archive = RawArchive(settings.archive_dir, run_id)
        with open_load(
            engine, spec, RULES_VERSION, archive_run=run_id, flow_run_id=flow_run_id
        ) as lease:
            lap("ledger")
            extracted = stages.extract(request, settings, archive, reporter)
            lap("extract")
            _check_fetch(extracted.fetch, request, allow_partial)
            transformed = stages.transform(extracted)
            lap("transform")
            summary = stages.load(database_url, lease, transformed, extracted)
            lap("load")
    finally:
        engine.dispose()
    return EditionOutcome.of(request, summary, transformed, redact(database_url), timings)
