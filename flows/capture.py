"""The July capture, and the September edition built from it.

At the cut-off, :func:`take_capture` fetches and archives the agency's raw catalogue: the
listing, every API record and every gov.br service page (what citizens saw: the seal is "a
photograph of the Gov.br portal"). Nothing is classified. In September, :func:`extract_capture`
hands those documents to the usual pipeline, so the edition reflects July, not September.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.archive import ArchivedResponse, RawArchive
from extract.catalogue import (
    ExtractError,
    FetchedRecord,
    fetch_agency_catalogue,
    fetch_service_pages,
)
from flows.sources import (
    Extracted,
    Reporter,
    SilentReporter,
    SourceSpec,
    catalogue_transport,
)
from load import migrate
from load.capture import (
    CapturedDocument,
    capture_documents,
    latest_capture,
    open_capture,
    write_capture,
)
from load.db import make_engine
from selo.settings import Settings
from transform.models import RecordError
from transform.parse_api import parse_record_bytes
from transform.pipeline import RecordIssue, SourceDocument


@dataclass(frozen=True, slots=True)
class CaptureOutcome:
    capture_id: int
    agency: int
    edition: str
    records: int
    pages: int
    failed: int


def _document(kind: str, record: FetchedRecord) -> CapturedDocument:
    archived: ArchivedResponse | None = record.archived
    return CapturedDocument(
        kind=kind,
        service_id=record.service_id,
        url=record.url,
        fetched_at=archived.fetched_at if archived else None,
        status=archived.status if archived else None,
        headers=dict(archived.headers) if archived else {},
        sha256=archived.sha256 if archived else None,
        error=record.error,
    )


def _page_url(record: FetchedRecord) -> str | None:
    if record.body is None:
        return None
    try:
        return parse_record_bytes(record.body, f"service {record.service_id}").url
    except RecordError:
        return None


def take_capture(
    agency: int,
    edition: str,
    cutoff_text: str,
    source: SourceSpec,
    settings: Settings,
    database_url: str,
    *,
    reporter: Reporter | None = None,
    run_id: str,
    flow_run_id: str | None = None,
) -> CaptureOutcome:
    """Fetch and archive one agency's catalogue (records and pages) as a July capture."""
    from datetime import date

    reporter = reporter or SilentReporter()
    engine = make_engine(database_url)
    archive = RawArchive(settings.archive_dir, run_id)
    transport = catalogue_transport(source)
    paced = source.kind == "live"
    try:
        migrate.upgrade(engine)
        with open_capture(
            engine,
            agency,
            edition,
            date.fromisoformat(cutoff_text),
            source.describe(settings.api_base),
            archive_run=run_id,
            flow_run_id=flow_run_id,
        ) as lease:
            fetch = fetch_agency_catalogue(
                settings.http,
                settings.api_base,
                agency,
                archive,
                transport=transport,
                paced=paced,
                on_listed=reporter.listed,
                on_progress=lambda r: reporter.fetched(r.service_id, r.error),
            )
            pages = [(r.service_id, url) for r in fetch.records if (url := _page_url(r))]
            page_results = fetch_service_pages(
                settings.http, pages, archive, transport=transport, paced=paced
            )
            archive.sync()
            listing = CapturedDocument(
                "listing",
                None,
                fetch.listing.url,
                fetch.listing.fetched_at,
                fetch.listing.status,
                dict(fetch.listing.headers),
                fetch.listing.sha256,
            )
            documents = [
                listing,
                *(_document("record", r) for r in fetch.records),
                *(_document("page", r) for r in page_results),
            ]
            counts = write_capture(engine, lease, documents, archive.read_body)
    finally:
        engine.dispose()
    return CaptureOutcome(lease.capture_id, agency, edition, **counts)


def extract_capture(database_url: str, agency: int, edition: str, archive: RawArchive) -> Extracted:
    """The documents of the newest complete capture of (agency, edition), ready to transform.

    A record that could not be fetched in July is replaced by its service page when the page
    was captured; otherwise it is a fetch issue, as in a live run.
    """
    engine = make_engine(database_url)
    try:
        capture_id = latest_capture(engine, agency, edition)
        if capture_id is None:
            raise ExtractError(f"no complete July capture of edition {edition} for agency {agency}")
        stored = capture_documents(engine, capture_id)
    finally:
        engine.dispose()
    pages = {d.service_id: d for d in stored if d.kind == "page" and d.body and not d.error}
    documents: list[SourceDocument] = []
    issues: list[RecordIssue] = []
    records = [d for d in stored if d.kind == "record"]
    for d in records:
        label = f"service {d.service_id}"
        chosen = d if d.body is not None and not d.error else pages.get(d.service_id)
        if chosen is None or chosen.body is None:
            issues.append(RecordIssue(label, "fetch", d.error or "no body", d.service_id))
            continue
        documents.append(
            SourceDocument(
                record=label,
                body=chosen.body,
                url=chosen.url,
                sha256=chosen.sha256,
                service_id=d.service_id,
                captured_at=chosen.fetched_at,
            )
        )
    return Extracted(archive, tuple(documents), len(records), tuple(issues))
