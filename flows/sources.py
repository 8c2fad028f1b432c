"""Where an edition's documents come from, and how each source is extracted.

- ``live`` (scraped): the catalogue API at servicos.gov.br;
- ``replay[:PATH]`` (scraped): recorded API records served to the real client;
- ``legacy[:PATH]`` (archived): legacy v3 XML records (2015-2018) from files;
- ``wayback`` (archived): Wayback Machine captures on or before the cut-off;
- ``published[:PATH]`` (published): the published seal, Table 2 and the 2022 figure list (CSV);
- ``reprocess`` (the edition's own kind): an edition's current load, read back from the
  warehouse (its archived bodies, no network) to classify it again with the current rules.

Every document is archived (url, time, status, headers, body, sha256) before it is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import httpx
from sqlalchemy import Engine

from extract.archive import ArchivedResponse, RawArchive
from extract.catalogue import fetch_agency_catalogue
from extract.replay import DEFAULT_REPLAY_DIR, ReplayCatalogue
from extract.snapshots import SNAPSHOTS
from extract.wayback import (
    Capture,
    CaptureResult,
    CaptureTarget,
    WaybackPolicy,
    capture_agency,
    parse_raw_url,
)
from load.db import make_engine
from load.diff import REPROCESS_SOURCE, read_load_archive
from load.ledger import LoadError
from selo.settings import Settings
from transform.parse import parse_document
from transform.pipeline import RecordIssue, SourceDocument

LEGACY_DEFAULT = SNAPSHOTS["legacy-2018"].directory
PUBLISHED_FILES = ("published_editions.csv", "published_figures_2022.csv")

KINDS = {
    "live": "scraped",
    "replay": "scraped",
    "legacy": "archived",
    "wayback": "archived",
    "published": "published",
    "capture": "scraped",  # the July capture, classified in September
}


class Reporter(Protocol):
    """Where progress goes: a progress bar in the CLI, the log under Prefect."""

    def listed(self, services: int) -> None: ...
    def fetched(self, service: int | str, error: str | None) -> None: ...


class SilentReporter:
    def listed(self, services: int) -> None:
        pass

    def fetched(self, service: int | str, error: str | None) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Reprocessing:
    """What a ``reprocess`` source reads again (see :func:`extract_reprocess`)."""

    load_id: int  # the edition's current load, read back from the warehouse
    edition_kind: str  # scraped | archived: a reprocessed edition keeps its kind
    origin: str  # the source kind that first fetched the documents: live, replay, wayback...


@dataclass(frozen=True, slots=True)
class SourceSpec:
    kind: str  # live | replay | legacy | wayback | published | reprocess
    path: Path | None = None
    reprocessing: Reprocessing | None = None  # kind reprocess only

    @classmethod
    def reprocess(cls, load_id: int, edition_kind: str, origin: str) -> SourceSpec:
        return cls("reprocess", reprocessing=Reprocessing(load_id, edition_kind, origin))

    @classmethod
    def parse(cls, text: str, allowed: tuple[str, ...] = tuple(KINDS)) -> SourceSpec:
        kind, _, rest = text.partition(":")
        if kind not in KINDS or kind not in allowed:
            raise ValueError(f"unknown source {text!r}: use {' or '.join(_forms(allowed))}")
        if kind in ("live", "wayback", "capture"):
            if rest:
                raise ValueError(f"source {kind} takes no path (got {text!r})")
            return cls(kind)
        default = {
            "replay": DEFAULT_REPLAY_DIR,
            "legacy": LEGACY_DEFAULT,
            "published": None,
        }[kind]
        path = Path(rest).expanduser() if rest else default
        if path is not None and not path.exists():
            raise ValueError(f"{kind} source {str(path)!r} does not exist")
        if kind == "replay" and path is not None and not path.is_dir():
            raise ValueError(f"replay source {str(path)!r} is not a directory")
        return cls(kind, path.resolve() if path else None)

    @property
    def edition_kind(self) -> str:
        if self.reprocessing is not None:
            return self.reprocessing.edition_kind
        return KINDS[self.kind]

    def describe(self, api_base: str) -> str:
        if self.reprocessing is not None:
            return REPROCESS_SOURCE.format(load_id=self.reprocessing.load_id)
        if self.kind == "live":
            return f"live:{api_base}"
        if self.kind == "wayback":
            return "wayback:https://web.archive.org"
        if self.kind == "capture":
            return "capture:the newest complete July capture"
        return f"{self.kind}:{self.path or 'package reference data'}"

    def crosswalk_snapshot(self, cutoff: date) -> str:
        """Which catalogue snapshot's crosswalk entries apply to this source's ids."""
        kind = self.reprocessing.origin if self.reprocessing is not None else self.kind
        if kind == "legacy" or (kind == "wayback" and cutoff.year < 2019):
            return "legacy-2018"
        return "govbr-2026-10"


def _forms(allowed: tuple[str, ...]) -> list[str]:
    forms = {
        "live": "live",
        "replay": "replay[:PATH]",
        "legacy": "legacy[:PATH]",
        "wayback": "wayback",
        "published": "published[:PATH]",
        "capture": "capture",
    }
    return [forms[k] for k in allowed]


@dataclass(frozen=True)
class Extracted:
    """What an extract stage hands on: archived documents, and what could not be had."""

    archive: RawArchive
    documents: tuple[SourceDocument, ...]
    listed: int  # services the source says exist (documents + issues)
    issues: tuple[RecordIssue, ...] = ()  # stage "fetch" fails a run; "capture" is reported
    # For the published source: catalogue documents of each recorded snapshot, to link
    # published names to catalogue ids.
    reference: dict[str, tuple[SourceDocument, ...]] = field(default_factory=dict)


def catalogue_transport(spec: SourceSpec) -> httpx.AsyncBaseTransport | None:
    """The replay source's transport (recorded records); None: the real network."""
    if spec.kind == "replay" and spec.path is not None:
        return ReplayCatalogue.from_directory(spec.path).transport()
    return None


def extract_catalogue(
    spec: SourceSpec, settings: Settings, agency: int, archive: RawArchive, reporter: Reporter
) -> Extracted:
    transport = catalogue_transport(spec)
    fetch = fetch_agency_catalogue(
        settings.http,
        settings.api_base,
        agency,
        archive,
        transport=transport,
        paced=spec.kind == "live",
        on_progress=lambda r: reporter.fetched(r.service_id, r.error),
        on_listed=reporter.listed,
    )
    documents = []
    issues = []
    for record in fetch.records:
        label = f"service {record.service_id}"
        if record.body is None or record.error:
            issues.append(RecordIssue(label, "fetch", record.error or "no body", record.service_id))
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
    return Extracted(archive, tuple(documents), len(fetch.service_ids), tuple(issues))


def extract_files(
    paths: list[Path], archive: RawArchive, reporter: Reporter, *, label: Callable[[Path], str]
) -> tuple[SourceDocument, ...]:
    """Local files, archived like any fetched response (a file:// URL, status 200)."""
    reporter.listed(len(paths))
    documents = []
    now = datetime.now(UTC)
    for path in paths:
        body = path.read_bytes()
        archived = archive.store(path.resolve().as_uri(), 200, {}, body, now)
        documents.append(
            SourceDocument(record=label(path), body=body, url=archived.url, sha256=archived.sha256)
        )
    return tuple(documents)


def extract_legacy(
    spec: SourceSpec, agency: int, archive: RawArchive, reporter: Reporter
) -> Extracted:
    assert spec.path is not None
    paths = sorted(spec.path.rglob("*.xml")) if spec.path.is_dir() else [spec.path]
    if not paths:
        raise ValueError(f"legacy source {spec.path} holds no .xml records")
    documents = extract_files(paths, archive, reporter, label=lambda p: p.name)
    return Extracted(archive, documents, len(documents))


def extract_published(spec: SourceSpec, archive: RawArchive, reporter: Reporter) -> Extracted:
    """The published seal's CSVs: from PATH (a folder or the Table 2 file) or the package."""
    if spec.path is not None and spec.path.is_file():
        paths = [spec.path]  # Table 2 alone: no figure list
    else:
        folder = spec.path or Path(str(resources.files("transform.reference")))
        paths = [folder / name for name in PUBLISHED_FILES if (folder / name).exists()]
        if not paths or paths[0].name != PUBLISHED_FILES[0]:
            raise ValueError(f"published source {folder} has no {PUBLISHED_FILES[0]}")
    documents = extract_files(paths, archive, reporter, label=lambda p: p.name)
    # The recorded catalogue snapshots shipped with selo (read, not fetched) link published
    # names to catalogue ids.
    reference = {name: tuple(snapshot.documents()) for name, snapshot in SNAPSHOTS.items()}
    return Extracted(archive, documents, len(documents), reference=reference)


def wayback_targets(agency: int) -> list[CaptureTarget]:
    """Every service the recorded snapshots know, with its API URL and its gov.br page(s)."""
    urls: dict[int, list[str]] = {}
    for snapshot in SNAPSHOTS.values():
        for document in snapshot.documents():
            try:
                service = parse_document(document.body, document.record)
            except ValueError:
                continue
            if service.agency_siorg not in (None, agency):
                continue
            found = urls.setdefault(
                service.id, [f"https://servicos.gov.br/api/v1/servicos/{service.id}"]
            )
            if service.slug:
                page = f"https://www.gov.br/pt-br/servicos/{service.slug}"
                if page not in found:
                    found.append(page)
    return [CaptureTarget(service_id, tuple(found)) for service_id, found in sorted(urls.items())]


def _label(result: CaptureResult) -> int | str:
    return result.target.service_id if result.target.service_id is not None else result.tried[0]


def extract_wayback(
    settings: Settings,
    policy: WaybackPolicy,
    agency: int,
    cutoff: date,
    archive: RawArchive,
    reporter: Reporter,
) -> Extracted:
    fetch = capture_agency(
        settings.http,
        policy,
        agency,
        cutoff,
        wayback_targets(agency),
        archive,
        on_listed=reporter.listed,
        on_progress=lambda r: reporter.fetched(_label(r), r.error),
    )
    documents = []
    issues = []
    if fetch.listing is not None and fetch.listing.error:
        # Without the listing the known services are still captured; the gap is reported.
        issues.append(
            RecordIssue(
                fetch.listing.url or f"agency {agency} listing",
                "capture",
                f"agency listing unusable: {fetch.listing.error}",
            )
        )
    for result in fetch.results:
        service_id = result.target.service_id
        label = f"service {service_id}" if service_id is not None else result.target.urls[0]
        if result.capture is None and result.error is None:
            issues.append(
                RecordIssue(
                    label,
                    "capture",
                    f"no capture on or before {cutoff} (tried {', '.join(result.tried)})",
                    service_id,
                )
            )
            continue
        if result.error or result.body is None or result.capture is None:
            issues.append(RecordIssue(label, "fetch", result.error or "no body", service_id))
            continue
        archived: ArchivedResponse | None = result.archived
        documents.append(
            SourceDocument(
                record=label,
                body=result.body,
                url=result.capture.original,
                sha256=archived.sha256 if archived else None,
                service_id=service_id,
                captured_at=result.capture.captured_at,
            )
        )
    return Extracted(archive, tuple(documents), len(fetch.results), tuple(issues))


def extract_reprocess(database: Engine | str, load_id: int, archive: RawArchive) -> Extracted:
    """Load ``load_id``'s documents again, from the warehouse: no network, nothing archived.

    Each loaded service comes back as ``service <id>`` (a local file by its file name, as
    :func:`extract_files` names it) with its archived body, source URL and capture time; each
    record that failed to parse comes back with its archived body, to be read (and reported)
    again; records that were never fetched or captured stay reported as they were. Named and
    hashed as the first extract named them, the same documents under the same rules give the
    same input digest. The load must still be its edition's current one: this runs under the
    edition's lock, so a run that published in between is never silently overtaken.
    """
    engine = make_engine(database) if isinstance(database, str) else database
    try:
        found = read_load_archive(engine, load_id)
    finally:
        if isinstance(database, str):
            engine.dispose()
    if found.current_load_id != load_id:
        raise LoadError(
            f"load {load_id} is no longer its edition's current load (load "
            f"{found.current_load_id} is); reprocess again to read the current one"
        )
    documents = []
    for d in found.documents:
        url, captured_at, record = d.url, d.captured_at, d.record
        if url and url.startswith("file:"):  # a local file is named by its name (extract_files)
            record = Path(unquote(urlsplit(url).path)).name
        raw = parse_raw_url(url) if url and captured_at is None else None
        if raw is not None:  # a raw Wayback capture: the original URL, captured then
            capture = Capture(original=raw[1], timestamp=raw[0])
            url, captured_at = capture.original, capture.captured_at
        documents.append(
            SourceDocument(
                record=record,
                body=d.body,
                url=url,
                sha256=d.sha256,
                service_id=d.service_id,
                captured_at=captured_at,
            )
        )
    issues = tuple(RecordIssue(i.record, i.stage, i.reason, i.service_id) for i in found.issues)
    return Extracted(archive, tuple(documents), len(documents) + len(issues), issues)
