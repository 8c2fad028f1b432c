"""The Gov.br service catalogue API: list an agency's services, then fetch every record.

A listing failure stops the edition (:class:`ExtractError`): without it we do not know which
services exist. A record failure does not: it becomes a :class:`FetchedRecord` with ``error``
so the edition can report the gap instead of silently scoring fewer services.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from extract.archive import ArchivedResponse, RawArchive
from extract.http import build_client, describe_error
from selo.settings import HttpSettings
from transform.parse_api import trailing_id

LISTING_PATH = "/api/v1/servicos/orgao/{siorg}"
RECORD_PATH = "/api/v1/servicos/{service_id}"


class ExtractError(RuntimeError):
    """A failure that stops an edition; the message names the URL and what is wrong."""


@dataclass(frozen=True, slots=True)
class FetchedRecord:
    service_id: int
    url: str
    archived: ArchivedResponse | None  # None when no response arrived at all
    body: bytes | None  # None on failure
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueFetch:
    listing: ArchivedResponse
    service_ids: tuple[int, ...]
    records: tuple[FetchedRecord, ...]

    @property
    def failed(self) -> tuple[FetchedRecord, ...]:
        return tuple(r for r in self.records if r.error is not None)


def listing_url(api_base: str, siorg: int) -> str:
    return api_base.rstrip("/") + LISTING_PATH.format(siorg=siorg)


def record_url(api_base: str, service_id: int) -> str:
    return api_base.rstrip("/") + RECORD_PATH.format(service_id=service_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _status_error(response: httpx.Response) -> str:
    retry = response.extensions.get("retry")
    attempts = getattr(retry, "attempts_made", 0)
    suffix = f" after {attempts} retries" if attempts else ""
    return f"HTTP {response.status_code}{suffix}"


def _truncation(response: httpx.Response) -> str | None:
    declared = response.headers.get("content-length")
    # With a content-encoding the declared length is of the encoded body; nothing to compare.
    if declared is None or "content-encoding" in response.headers or not declared.isdigit():
        return None
    got = len(response.content)
    return None if got == int(declared) else f"truncated body: {got} of {declared} bytes"


async def list_agency_services(
    client: httpx.AsyncClient, api_base: str, siorg: int, archive: RawArchive
) -> tuple[ArchivedResponse, list[int]]:
    """The agency's service ids, in listing order without repeats; the listing is archived first."""
    url = listing_url(api_base, siorg)
    if (reused := archive.reuse(url)) is not None:
        archived, content = reused
    else:
        try:
            response = await client.get(url)
        except httpx.HTTPError as exc:
            raise ExtractError(f"{url}: unreachable ({describe_error(exc)})") from exc
        archived = archive.store_response(response, _now())
        if response.status_code != 200:
            raise ExtractError(f"{url}: {_status_error(response)}")
        content = response.content
    try:
        payload = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{url}: not valid JSON ({exc})") from None
    items = payload.get("resposta") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        shape = f"keys {sorted(payload)}" if isinstance(payload, dict) else type(payload).__name__
        raise ExtractError(f"{url}: expected an object with a 'resposta' list, got {shape}")
    ids: dict[int, None] = {}
    for index, item in enumerate(items):
        service_id = trailing_id(item.get("id") if isinstance(item, dict) else None)
        if service_id is None:
            # Skipping it would silently shrink the universe the seal is computed over.
            raise ExtractError(f"{url}: resposta[{index}] has no readable 'id': {item!r:.200}")
        ids.setdefault(service_id)
    return archived, list(ids)


async def _fetch_one(
    client: httpx.AsyncClient, url: str, service_id: int, archive: RawArchive
) -> FetchedRecord:
    if (reused := archive.reuse(url)) is not None:
        entry, body = reused
        return FetchedRecord(service_id, url, entry, body)
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        return FetchedRecord(service_id, url, None, None, describe_error(exc))
    archived = archive.store_response(response, _now())
    if response.status_code != 200:
        return FetchedRecord(service_id, url, archived, None, _status_error(response))
    if (truncated := _truncation(response)) is not None:
        return FetchedRecord(service_id, url, archived, None, truncated)
    return FetchedRecord(service_id, url, archived, response.content)


async def fetch_service_records(
    client: httpx.AsyncClient,
    api_base: str,
    service_ids: Sequence[int],
    archive: RawArchive,
    on_progress: Callable[[FetchedRecord], None] | None = None,
) -> list[FetchedRecord]:
    """Fetch every record concurrently (the client's transport bounds it); input order kept."""
    targets = [(i, record_url(api_base, i)) for i in service_ids]
    return await fetch_urls(client, targets, archive, on_progress)


async def fetch_urls(
    client: httpx.AsyncClient,
    targets: Sequence[tuple[int, str]],
    archive: RawArchive,
    on_progress: Callable[[FetchedRecord], None] | None = None,
) -> list[FetchedRecord]:
    """Fetch (service id, url) targets concurrently, each archived before it is inspected."""

    async def one(service_id: int, url: str) -> FetchedRecord:
        record = await _fetch_one(client, url, service_id, archive)
        if on_progress is not None:
            on_progress(record)
        return record

    return list(await asyncio.gather(*(one(i, url) for i, url in targets)))


def fetch_service_pages(
    http: HttpSettings,
    pages: Sequence[tuple[int, str]],
    archive: RawArchive,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    paced: bool = True,
    on_progress: Callable[[FetchedRecord], None] | None = None,
) -> list[FetchedRecord]:
    """The gov.br service pages (what citizens saw), under the same politeness as the API."""

    async def run() -> list[FetchedRecord]:
        async with build_client(
            http, transport=transport, paced=paced, accept="text/html,application/xhtml+xml"
        ) as client:
            return await fetch_urls(client, pages, archive, on_progress)

    return asyncio.run(run())


def fetch_agency_catalogue(
    http: HttpSettings,
    api_base: str,
    siorg: int,
    archive: RawArchive,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    paced: bool = True,
    on_progress: Callable[[FetchedRecord], None] | None = None,
    on_listed: Callable[[int], None] | None = None,
) -> CatalogueFetch:
    """List and fetch one agency's catalogue; runs its own event loop (call it from sync code)."""

    async def run() -> CatalogueFetch:
        # Built inside the loop so the transport's semaphore and lock belong to it.
        async with build_client(http, transport=transport, paced=paced) as client:
            listing, ids = await list_agency_services(client, api_base, siorg, archive)
            if on_listed is not None:
                on_listed(len(ids))
            records = await fetch_service_records(client, api_base, ids, archive, on_progress)
        return CatalogueFetch(listing, tuple(ids), tuple(records))

    return asyncio.run(run())
