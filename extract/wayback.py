"""Backfilling past editions from Wayback Machine captures.

A past edition is judged from the catalogue as it stood at that edition's July cut-off. The
live catalogue only knows today, so the backfill asks the Internet Archive's Wayback Machine
for the last capture of each service made on or before the cut-off:

1. **CDX lookup** — ``GET https://web.archive.org/cdx/search/cdx?url=<url>&to=<YYYYMMDD>235959
   &filter=statuscode:200&output=json&limit=-1&fl=timestamp,original,statuscode,mimetype,digest,length``.
   ``limit=-1`` returns the *last* matching row: the newest HTTP-200 capture on or before the
   cut-off. The answer is a JSON array whose first row is the header; ``[]`` (or an empty body)
   means no capture. The ``url`` is sent without its scheme: the CDX index ignores the scheme,
   so captures made over ``http://`` and ``https://`` both count.
2. **Raw capture** — ``GET https://web.archive.org/web/<timestamp>id_/<original>``; the ``id_``
   flag returns the original bytes, without the Wayback toolbar or rewritten links.

For one agency (:func:`capture_agency`) the agency listing
``https://servicos.gov.br/api/v1/servicos/orgao/<SIORG>`` is looked up first; its ``resposta``
ids, merged with the ``known`` targets (e.g. the services of a published edition), are the
services to look for. Each service is tried at its API record URL
(``https://servicos.gov.br/api/v1/servicos/<id>``) and then at its page
(``https://www.gov.br/pt-br/servicos/<slug>``); the first URL with a capture wins. A service
with no capture anywhere is reported *missing* (``capture is None``, ``error is None``): the
backfill never invents a record.

**Every response is archived before it is looked at** (:class:`~extract.archive.RawArchive`):
CDX answers, captures of any status, and every 429. The archived URL of a capture contains its
timestamp (``/web/<timestamp>id_/...``; :func:`parse_raw_url` reads it back), so an edition
can be re-derived from the archive without the network.

A capture is checked before it is trusted; each problem becomes a :class:`CaptureResult`
``error``, never an exception: a status other than 200; a truncated body (``Content-Length``
larger than the bytes received, or JSON that does not parse); an error page kept as if it were
content (the Wayback "Hrm. The Wayback Machine has not archived that URL." page, a gov.br
"Página não encontrada" / 404 template, or HTML where JSON was expected).

Politeness (:class:`WaybackPolicy`; environment variables in brackets)
---------------------------------------------------------------------
The Internet Archive rate-limits by IP address. Repeated 429 answers get the address blocked
for an hour, and each further block doubles. So this client is deliberately slow:

- one request at a time to web.archive.org;
- at most one CDX call every ``cdx_interval`` = 2 s [``SELO_WAYBACK_CDX_INTERVAL``], across the
  whole run (about 0.5 calls/s), and one capture download every ``capture_interval`` = 1 s;
- a 429 makes *every* following request wait (the block is per address, not per URL): at least
  ``min_429_wait`` = 60 s [``SELO_WAYBACK_MIN_429_WAIT``], or the ``Retry-After`` if longer;
  each further consecutive 429 doubles the wait (60, 120, 240, ... s, capped at
  ``max_429_wait`` = 3600 s); any other answer resets the doubling;
- after ``max_429`` = 4 consecutive 429s [``SELO_WAYBACK_MAX_429``] that URL is given up (an
  error for that service; the others continue). Giving up does not reset the doubling: the next
  request still waits for the next, longer, turn;
- a ``Retry-After`` longer than ``max_429_wait`` stops the run with :class:`WaybackRateLimited`
  rather than either hammering a server that asked for quiet or hanging for hours. Everything
  fetched so far is already archived.

5xx answers, timeouts and network errors are retried by the usual ``httpx-retries`` stack with
the catalogue client's :class:`~selo.settings.HttpSettings` backoff; 429 is deliberately not in
that stack's status list, since the policy above is stricter than a generic backoff.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from extract.archive import ArchivedResponse, RawArchive
from extract.catalogue import ExtractError, listing_url, record_url
from extract.http import Clock, Sleep, build_client, describe_error
from selo.settings import DEFAULT_API_BASE, HttpSettings, SettingsError
from transform.parse_api import trailing_id
from transform.text import repair, unescape_markdown

WAYBACK = "https://web.archive.org"
CDX_ENDPOINT = f"{WAYBACK}/cdx/search/cdx"
CDX_FIELDS = "timestamp,original,statuscode,mimetype,digest,length"
SERVICE_PAGE = "https://www.gov.br/pt-br/servicos/{slug}"
# 429 is left out on purpose: WaybackPolicy handles it, more patiently than a generic backoff.
RETRY_STATUSES = (500, 502, 503, 504)

_TIMESTAMP = re.compile(r"\d{14}")
_RAW_URL = re.compile(r"https?://web\.archive\.org/web/(\d{14})id_/(.+)", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_WAYBACK_MISSING = re.compile(
    rb"Wayback Machine (?:has not|hasn't) archived that URL"
    rb"|<h2[^>]*>\s*Hrm\.\s*</h2>",
    re.IGNORECASE,
)
_NOT_FOUND = re.compile(
    r"p[áa]gina n[ãa]o (?:foi )?encontrada|not found|erro 404|^404\b", re.IGNORECASE
)
# Enough of a page to find its title and headline; error templates are small.
_SNIFF_BYTES = 65_536


class WaybackError(ExtractError):
    """A CDX lookup that cannot be used; the message names the URL looked up."""


class WaybackRateLimited(ExtractError):
    """web.archive.org asked for a longer pause than the policy allows: the run stops."""


# ---------------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True, slots=True)
class WaybackPolicy:
    """How gently to use web.archive.org (see the module documentation for the why)."""

    cdx_interval: float = 2.0  # seconds between two CDX calls, across the run
    capture_interval: float = 1.0  # seconds between two capture downloads
    min_429_wait: float = 60.0  # first wait after a 429 (or Retry-After, if longer)
    max_429_wait: float = 3600.0  # cap of the doubling
    max_429: int = 4  # consecutive 429s on one request before giving it up

    def __post_init__(self) -> None:
        for name in ("cdx_interval", "capture_interval", "min_429_wait", "max_429_wait"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"WaybackPolicy.{name}={value!r} must be a non-negative number")
        if self.max_429_wait < self.min_429_wait:
            raise ValueError(
                f"WaybackPolicy.max_429_wait={self.max_429_wait!r} is below "
                f"min_429_wait={self.min_429_wait!r}"
            )
        if self.max_429 < 1:
            raise ValueError(f"WaybackPolicy.max_429={self.max_429!r} must be at least 1")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WaybackPolicy:
        """Defaults overridden by ``SELO_WAYBACK_CDX_INTERVAL``, ``SELO_WAYBACK_MIN_429_WAIT``
        and ``SELO_WAYBACK_MAX_429``; a bad value raises :class:`SettingsError` naming it."""
        defaults = cls()
        min_wait = _env_seconds(env, "SELO_WAYBACK_MIN_429_WAIT", defaults.min_429_wait)
        return cls(
            cdx_interval=_env_seconds(env, "SELO_WAYBACK_CDX_INTERVAL", defaults.cdx_interval),
            capture_interval=defaults.capture_interval,
            min_429_wait=min_wait,
            # A raised floor lifts the cap with it rather than contradicting it.
            max_429_wait=max(defaults.max_429_wait, min_wait),
            max_429=_env_count(env, "SELO_WAYBACK_MAX_429", defaults.max_429),
        )

    def wait_after_429(self, strikes: int, retry_after: float | None) -> float:
        """The pause after the ``strikes``-th consecutive 429 (1-based)."""
        doubled = self.min_429_wait * 2.0 ** min(max(strikes - 1, 0), 64)
        return max(min(doubled, self.max_429_wait), retry_after or 0.0)


def _env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"{name}={raw!r} must be a non-negative number of seconds")
    return value


def _env_count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r} must be at least 1")
    return value


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True, slots=True)
class Capture:
    """One Wayback capture, as the CDX index lists it."""

    original: str  # the URL as it was captured (scheme included)
    timestamp: str  # 14 digits, UTC: YYYYMMDDhhmmss
    mimetype: str | None = None
    digest: str | None = None  # base32 SHA-1 of the captured body

    def __post_init__(self) -> None:
        if not _TIMESTAMP.fullmatch(self.timestamp):
            raise ValueError(f"capture timestamp {self.timestamp!r} is not 14 digits")
        try:
            self.captured_at  # noqa: B018 - the digits must form a real date and time
        except ValueError:
            raise ValueError(f"capture timestamp {self.timestamp!r} is not a date") from None

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)

    @property
    def raw_url(self) -> str:
        """The original bytes of the capture, without the Wayback toolbar (``id_``)."""
        return f"{WAYBACK}/web/{self.timestamp}id_/{self.original}"


def parse_raw_url(url: str) -> tuple[str, str] | None:
    """``(timestamp, original)`` from a raw capture URL (e.g. an archived response's ``url``)."""
    match = _RAW_URL.fullmatch(url.strip())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True, slots=True)
class CaptureTarget:
    """One thing to find in the Wayback Machine; ``urls`` are tried in order.

    ``service_id`` is ``None`` for the agency listing (or a service known only by its page).
    """

    service_id: int | None
    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """What the Wayback Machine gave for one target.

    - found: ``capture``, ``archived`` and ``body`` set, ``error`` None;
    - missing: no capture on or before the cut-off at any URL (``capture`` and ``error`` None);
    - failed: ``error`` says why (``capture``/``archived`` set when it got that far).
    """

    target: CaptureTarget
    url: str | None  # the URL (as looked up) whose capture was used
    capture: Capture | None = None
    archived: ArchivedResponse | None = None
    body: bytes | None = None
    error: str | None = None
    tried: tuple[str, ...] = ()  # every URL looked up, in order (provenance)

    @property
    def missing(self) -> bool:
        return self.capture is None and self.error is None


@dataclass(frozen=True)
class WaybackFetch:
    listing: CaptureResult | None
    results: tuple[CaptureResult, ...] = field(default=())

    @property
    def missing(self) -> tuple[CaptureResult, ...]:
        """Targets with no capture on or before the cut-off (reported, never invented)."""
        return tuple(r for r in self.results if r.missing)

    @property
    def failed(self) -> tuple[CaptureResult, ...]:
        """Results with an error, the listing first: a failed listing may hide services."""
        listing = (self.listing,) if self.listing is not None and self.listing.error else ()
        return listing + tuple(r for r in self.results if r.error is not None)


# ---------------------------------------------------------------------------------------------
# The client


def build_wayback_http(
    http: HttpSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
) -> httpx.AsyncClient:
    """The catalogue client's stack (:func:`extract.http.build_client`) minus 429 retries.

    One request in flight; pacing between requests is :class:`WaybackClient`'s job, the
    per-host ``min_interval`` here only spaces the 5xx/timeout retries.
    """
    return build_client(
        http,
        transport=transport,
        sleep=sleep,
        clock=clock,
        concurrency=1,
        retry_statuses=RETRY_STATUSES,
        accept="*/*",
    )


class WaybackClient:
    """CDX lookups and capture downloads under a :class:`WaybackPolicy`.

    ``archive``, if given, receives the CDX answers (captures go to ``fetch``'s archive).
    One instance per run: the pacing and the 429 doubling are its state.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: WaybackPolicy | None = None,
        *,
        archive: RawArchive | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._policy = policy or WaybackPolicy()
        self._archive = archive
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._lock = asyncio.Lock()
        self._next_cdx = -math.inf
        self._next_capture = -math.inf
        self._not_before = -math.inf  # set by a 429: nothing goes out before it
        self._strikes = 0  # consecutive 429s, across requests

    @property
    def policy(self) -> WaybackPolicy:
        return self._policy

    async def _wait_turn(self, cdx: bool) -> None:
        now = self._clock()
        slot = self._next_cdx if cdx else self._next_capture
        start = max(now, slot, self._not_before)
        if start > now:
            await self._sleep(start - now)
        if cdx:
            self._next_cdx = start + self._policy.cdx_interval
        else:
            self._next_capture = start + self._policy.capture_interval

    async def _get(
        self, url: str, *, cdx: bool, archive: RawArchive | None, params: dict[str, str] | None
    ) -> tuple[httpx.Response, ArchivedResponse | None, int]:
        """One request under the policy: ``(last response, its archive entry, 429s seen)``.

        Raises ``httpx.HTTPError`` when no response arrives (after the transport's retries).
        """
        async with self._lock:  # one request at a time to web.archive.org
            refused = 0
            while True:
                await self._wait_turn(cdx)
                response = await self._client.get(url, params=params)
                archived = archive.store_response(response, _now()) if archive else None
                if response.status_code != 429:
                    self._strikes = 0
                    return response, archived, refused
                refused += 1
                self._strikes += 1
                retry_after = _retry_after(response)
                if retry_after is not None and retry_after > self._policy.max_429_wait:
                    raise WaybackRateLimited(
                        f"{response.url}: web.archive.org asked to wait {retry_after:.0f} s "
                        f"(Retry-After), more than max_429_wait={self._policy.max_429_wait:.0f} s;"
                        " stopping (everything fetched so far is archived), try again later"
                    )
                wait = self._policy.wait_after_429(self._strikes, retry_after)
                self._not_before = self._clock() + wait
                if refused >= self._policy.max_429:
                    return response, archived, refused

    async def last_capture(self, url: str, cutoff: date) -> Capture | None:
        """The last HTTP-200 capture of ``url`` on or before ``cutoff`` (UTC), or None.

        Raises :class:`WaybackError` when the CDX answer cannot be used.
        """
        params = {
            "url": _without_scheme(url),
            "to": f"{cutoff:%Y%m%d}235959",
            "filter": "statuscode:200",
            "output": "json",
            "limit": "-1",
            "fl": CDX_FIELDS,
        }
        where = f"CDX lookup for {url}"
        try:
            response, _, refused = await self._get(
                CDX_ENDPOINT, cdx=True, archive=self._archive, params=params
            )
        except httpx.HTTPError as exc:
            raise WaybackError(f"{where}: unreachable ({describe_error(exc)})") from exc
        if response.status_code != 200:
            raise WaybackError(f"{where}: {_status_error(response, refused)}")
        if (truncated := _truncation(response)) is not None:
            raise WaybackError(f"{where}: {truncated}")
        capture = _parse_cdx(response.content, where)
        if capture is not None and capture.timestamp[:8] > f"{cutoff:%Y%m%d}":
            raise WaybackError(
                f"{where}: capture {capture.timestamp} is after the cut-off {cutoff.isoformat()}"
            )
        return capture

    async def fetch(
        self, capture: Capture, archive: RawArchive, *, target: CaptureTarget | None = None
    ) -> CaptureResult:
        """Download and check one capture; problems become ``error``, never exceptions
        (except :class:`WaybackRateLimited`, which stops the run)."""
        target = target or CaptureTarget(None, (capture.original,))
        result = CaptureResult(target, capture.original, capture)
        try:
            response, archived, refused = await self._get(
                capture.raw_url, cdx=False, archive=archive, params=None
            )
        except httpx.HTTPError as exc:
            return replace(result, error=describe_error(exc))
        served = parse_raw_url(str(response.url))
        if served is not None and served[0] != capture.timestamp:
            # The Wayback Machine redirects to the nearest capture it has: record the one served.
            capture = replace(capture, timestamp=served[0])
        result = replace(result, capture=capture, archived=archived)
        if response.status_code != 200:
            return replace(result, error=_status_error(response, refused))
        problem = _truncation(response) or _content_problem(capture, response.content)
        if problem is not None:
            return replace(result, error=problem)
        return replace(result, body=response.content)

    async def capture(
        self, target: CaptureTarget, cutoff: date, archive: RawArchive
    ) -> CaptureResult:
        """The first of ``target.urls`` with a capture on or before ``cutoff``, fetched.

        A lookup that fails stops the search for this target (an error, not a fall-through to
        a lesser source); no capture anywhere is a *missing* result.
        """
        tried: list[str] = []
        for url in target.urls:
            tried.append(url)
            try:
                found = await self.last_capture(url, cutoff)
            except WaybackError as exc:
                return CaptureResult(target, url, error=str(exc), tried=tuple(tried))
            if found is not None:
                result = await self.fetch(found, archive, target=target)
                result = replace(result, url=url, tried=tuple(tried))
                served = result.capture
                if served is not None and served.captured_at.date() > cutoff:
                    late = f"redirected to capture {served.timestamp}, after the cut-off {cutoff}"
                    return replace(result, body=None, error=late)
                return result
        return CaptureResult(target, None, tried=tuple(tried))


# ---------------------------------------------------------------------------------------------
# One agency


def service_page_url(slug: str) -> str:
    return SERVICE_PAGE.format(slug=slug)


def api_record_url(service_id: int) -> str:
    return record_url(DEFAULT_API_BASE, service_id)


def agency_listing_url(agency: int) -> str:
    return listing_url(DEFAULT_API_BASE, agency)


def listing_targets(body: bytes, where: str) -> list[CaptureTarget]:
    """The services of a captured ``{"resposta": [...]}`` listing, in listing order.

    Each target is the item's API record URL, then its gov.br page if the item has a ``url``.
    Raises :class:`WaybackError` on any item it cannot read (a silently skipped item would
    shrink the universe the seal is computed over).
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WaybackError(f"{where}: listing is not valid JSON ({exc})") from None
    items = payload.get("resposta") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        shape = f"keys {sorted(payload)}" if isinstance(payload, dict) else type(payload).__name__
        raise WaybackError(f"{where}: expected an object with a 'resposta' list, got {shape}")
    targets: list[CaptureTarget] = []
    for index, item in enumerate(items):
        service_id = trailing_id(item.get("id") if isinstance(item, dict) else None)
        if service_id is None:
            raise WaybackError(f"{where}: resposta[{index}] has no readable 'id': {item!r:.200}")
        urls = [api_record_url(service_id)]
        if (page := _page_url(item.get("url"))) is not None:
            urls.append(page)
        targets.append(CaptureTarget(service_id, tuple(urls)))
    return targets


def merge_targets(*groups: Iterable[CaptureTarget]) -> tuple[CaptureTarget, ...]:
    """One target per service id, first-seen order, every URL kept (API record URL first).

    Targets without an id are kept as given (after those with one), minus exact repeats.
    """
    by_id: dict[int, list[str]] = {}
    anonymous: dict[tuple[str, ...], None] = {}
    for group in groups:
        for target in group:
            if target.service_id is None:
                anonymous.setdefault(_dedupe(target.urls))
                continue
            urls = by_id.setdefault(target.service_id, [api_record_url(target.service_id)])
            urls.extend(target.urls)
    merged = [CaptureTarget(i, _dedupe(urls)) for i, urls in by_id.items()]
    merged += [CaptureTarget(None, urls) for urls in anonymous if urls]
    return tuple(merged)


def capture_agency(
    http: HttpSettings,
    policy: WaybackPolicy,
    agency: int,
    cutoff: date,
    known: Sequence[CaptureTarget],
    archive: RawArchive,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    on_listed: Callable[[int], None] | None = None,
    on_progress: Callable[[CaptureResult], None] | None = None,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
) -> WaybackFetch:
    """Every service of ``agency`` as captured on or before ``cutoff``; runs its own event loop.

    The listing capture (if any) and ``known`` together decide which services to look for;
    ``on_listed`` gets their number, ``on_progress`` each result as it arrives. Lookups run
    one after another, in a deterministic order (listing order, then ``known`` order).
    """

    async def run() -> WaybackFetch:
        async with build_wayback_http(
            http, transport=transport, sleep=sleep, clock=clock
        ) as client:
            wayback = WaybackClient(client, policy, archive=archive, sleep=sleep, clock=clock)
            listing_target = CaptureTarget(None, (agency_listing_url(agency),))
            listing = await wayback.capture(listing_target, cutoff, archive)
            listed: list[CaptureTarget] = []
            if listing.body is not None:
                try:
                    listed = listing_targets(listing.body, listing.url or "listing")
                except WaybackError as exc:
                    listing = replace(listing, body=None, error=str(exc))
            targets = merge_targets(listed, known)
            if on_listed is not None:
                on_listed(len(targets))
            results: list[CaptureResult] = []
            for target in targets:
                result = await wayback.capture(target, cutoff, archive)
                if on_progress is not None:
                    on_progress(result)
                results.append(result)
        return WaybackFetch(listing, tuple(results))

    return asyncio.run(run())


# ---------------------------------------------------------------------------------------------
# Helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _without_scheme(url: str) -> str:
    return _SCHEME.sub("", url.strip(), count=1)


def _url_key(url: str) -> str:
    rest = _without_scheme(url)
    host, _, path = rest.partition("/")
    return f"{host.lower()}/{path}".rstrip("/")


def _dedupe(urls: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for url in urls:
        if url.strip():
            seen.setdefault(_url_key(url), url.strip())
    return tuple(seen.values())


def _page_url(raw: Any) -> str | None:
    """The canonical gov.br page of a catalogue item's ``url`` (its slug), if it is one."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    parts = urlsplit(unescape_markdown(repair(raw.strip())))
    if not parts.hostname or not parts.hostname.endswith("gov.br"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[-2] not in ("servicos", "servico"):
        return None
    return service_page_url(segments[-1])


def _status_error(response: httpx.Response, refused: int) -> str:
    if response.status_code == 429:
        return f"HTTP 429 (rate limited) {refused} times in a row; gave up"
    retry = response.extensions.get("retry")
    attempts = getattr(retry, "attempts_made", 0)
    suffix = f" after {attempts} retries" if attempts else ""
    return f"HTTP {response.status_code}{suffix}"


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None  # unreadable: the policy's own wait applies
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _now()).total_seconds())


def _truncation(response: httpx.Response) -> str | None:
    declared = response.headers.get("content-length", "").strip()
    # With a content-encoding the declared length is of the encoded body; nothing to compare.
    if not declared.isdigit() or "content-encoding" in response.headers:
        return None
    got = len(response.content)
    return f"truncated body: {got} of {declared} bytes" if got < int(declared) else None


def _parse_cdx(body: bytes, where: str) -> Capture | None:
    if not body.strip():
        return None
    try:
        rows = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WaybackError(f"{where}: CDX answer is not valid JSON ({exc})") from None
    if not isinstance(rows, list):
        raise WaybackError(f"{where}: CDX answer is a {type(rows).__name__}, not a list of rows")
    if not rows:
        return None
    header = rows[0]
    if not isinstance(header, list) or not all(isinstance(h, str) for h in header):
        raise WaybackError(f"{where}: CDX header row is not a list of names: {header!r:.200}")
    missing = {"timestamp", "original"} - set(header)
    if missing:
        raise WaybackError(f"{where}: CDX header row lacks {sorted(missing)}: {header!r:.200}")
    if len(rows) == 1:
        return None
    row = rows[-1]  # limit=-1 asks for one row; should there be more, the last is the newest
    if (
        not isinstance(row, list)
        or len(row) != len(header)
        or not all(isinstance(v, str) for v in row)
    ):
        raise WaybackError(f"{where}: CDX row does not match the header: {row!r:.200}")
    values = dict(zip(header, row, strict=True))
    status = values.get("statuscode")
    if status is not None and status != "200":
        raise WaybackError(f"{where}: CDX returned a capture with status {status!r}")

    def optional(name: str) -> str | None:
        value = values.get(name)
        return None if value in (None, "", "-") else value

    try:
        return Capture(
            original=values["original"],
            timestamp=values["timestamp"],
            mimetype=optional("mimetype"),
            digest=optional("digest"),
        )
    except ValueError as exc:
        raise WaybackError(f"{where}: {exc}") from None


def _expects_json(capture: Capture) -> bool:
    mimetype = (capture.mimetype or "").lower()
    return "json" in mimetype or "/api/" in urlsplit(capture.original).path


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--"))


def _text_of(raw: bytes) -> str:
    text = _TAGS.sub(" ", raw.decode("utf-8", errors="replace"))
    return " ".join(text.split())


def _error_page(body: bytes) -> str | None:
    """What kind of error page ``body`` is, if it is one."""
    head = body[:_SNIFF_BYTES]
    if _WAYBACK_MISSING.search(head):
        return "the Wayback 'Hrm.' page (the Wayback Machine has not archived that URL)"
    for pattern in (_TITLE, _H1):
        match = pattern.search(head)
        if match and _NOT_FOUND.search(text := _text_of(match.group(1))):
            return f"a 'not found' page ({text[:120]!r})"
    return None


def _content_problem(capture: Capture, body: bytes) -> str | None:
    if not body.strip():
        return "empty body"
    if (page := _error_page(body)) is not None:
        return f"capture is an error page: {page}"
    if not _expects_json(capture):
        return None
    if _looks_like_html(body):
        title = _TITLE.search(body[:_SNIFF_BYTES])
        named = f" titled {_text_of(title.group(1))[:120]!r}" if title else ""
        return f"expected JSON, got an HTML page{named}"
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"truncated or malformed JSON body ({exc})"
    if not isinstance(payload, dict):
        return f"expected a JSON object, got {type(payload).__name__}"
    return None
