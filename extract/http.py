"""The catalogue client's politeness and resilience policy.

Layers, outermost first: ``httpx.AsyncClient`` (headers, timeouts, redirects) ->
``RetryTransport`` (exponential backoff with jitter, ``Retry-After``, timeouts and network
errors) -> :class:`PacedTransport` (concurrency bound, per-host pacing, body buffering up to
``HttpSettings.max_body_bytes``) -> the real network transport. Pacing sits *inside* the
retries so every retry attempt is paced too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from httpx_retries import Retry, RetryTransport

from selo.settings import HttpSettings

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_MAX_BODY_BYTES = HttpSettings().max_body_bytes


class BodyTooLarge(httpx.TransportError):
    """A response body past the cap; reading stopped there. Not retried: it would come again."""

    def __init__(self, limit: int, request: httpx.Request) -> None:
        super().__init__(f"body larger than {_size(limit)}", request=request)
        self.limit = limit


def _size(count: int) -> str:
    """``16 MiB`` for whole mebibytes, else the byte count."""
    return f"{count // 2**20} MiB" if count % 2**20 == 0 else f"{count} bytes"


class PacedTransport(httpx.AsyncBaseTransport):
    """Bounds requests in flight; spaces request starts ``min_interval`` apart per host."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        concurrency: int,
        min_interval: float,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._inner = inner
        self._max_body_bytes = max(1, max_body_bytes)
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._min_interval = max(0.0, min_interval)
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._next_start: dict[str, float] = {}

    async def _wait_turn(self, host: str) -> None:
        if self._min_interval == 0:
            return
        # Reserve a slot under the lock, sleep outside it: waiters for other hosts never queue
        # behind this one, and reserved slots are strictly min_interval apart.
        async with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self._min_interval
        if start > now:
            await self._sleep(start - now)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # The semaphore is taken first so a request starts at the slot it reserved, not later.
        async with self._semaphore:
            await self._wait_turn(request.url.netloc.decode("ascii"))
            response = await self._inner.handle_async_request(request)
            return await _buffered(response, request, self._max_body_bytes)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _buffered(response: httpx.Response, request: httpx.Request, limit: int) -> httpx.Response:
    """Read the raw body here, so a timeout or a cut connection mid-body reaches the retry layer.

    RetryTransport only sees what happens before it returns; the client reads the body later.
    Past ``limit`` bytes (or a ``Content-Length`` over it) reading stops and
    :class:`BodyTooLarge` is raised: a hostile or broken server never fills the memory.
    The cap is on the bytes received; a compressed body is decoded later, by the client.
    """
    if response.is_stream_consumed:  # already in memory (mock transports)
        if len(response.content) > limit:
            raise BodyTooLarge(limit, request)
        return response
    chunks: list[bytes] = []
    received = 0
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit, request)
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(limit, request)
            chunks.append(chunk)
    finally:
        await response.aclose()
    raw = b"".join(chunks)
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=httpx.ByteStream(raw),
        extensions=response.extensions,
    )


class _Retry(Retry):
    """``Retry`` whose waits go through an injectable sleep (tests record them instead)."""

    sleep_with: Sleep | None = None  # None: asyncio.sleep

    def increment(self) -> Retry:
        new = super().increment()
        if isinstance(new, _Retry):
            new.sleep_with = self.sleep_with
        return new

    async def asleep(self, response: httpx.Response | Exception) -> None:
        headers = response.headers if isinstance(response, httpx.Response) else {}
        # Same wait as Retry.asleep (Retry-After, else jittered backoff); only the sleep differs.
        seconds = self._calculate_sleep(headers)
        await (self.sleep_with or asyncio.sleep)(seconds)
        self.elapsed_sleep += seconds


def build_client(
    http: HttpSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    paced: bool = True,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
    concurrency: int | None = None,
    retry_statuses: tuple[int, ...] = RETRY_STATUSES,
    accept: str = "application/json",
) -> httpx.AsyncClient:
    """The one client every outside request goes through.

    ``paced=False`` keeps the concurrency bound but drops per-host pacing (local replay).
    ``sleep`` / ``clock`` replace ``asyncio.sleep`` / ``time.monotonic`` (tests).
    ``concurrency`` overrides the settings' bound; ``retry_statuses`` is what the retry layer
    retries (the Wayback client handles 429 under its own, stricter policy).
    """
    wait = sleep or asyncio.sleep
    paced_transport = PacedTransport(
        transport or httpx.AsyncHTTPTransport(),
        concurrency=concurrency or http.concurrency,
        min_interval=http.min_interval if paced else 0.0,
        clock=clock or time.monotonic,
        sleep=wait,
        max_body_bytes=http.max_body_bytes,
    )
    retry = _Retry(
        total=http.retries,
        backoff_factor=http.backoff_factor,
        backoff_jitter=1.0,
        # Retry rejects 0; a millisecond cap is the same as "do not wait".
        max_backoff_wait=max(http.max_backoff, 0.001),
        status_forcelist=retry_statuses,
        respect_retry_after_header=True,
    )
    retry.sleep_with = wait
    return httpx.AsyncClient(
        transport=RetryTransport(transport=paced_transport, retry=retry),
        headers={"User-Agent": http.user_agent, "Accept": accept},
        timeout=httpx.Timeout(http.read_timeout, connect=http.connect_timeout),
        follow_redirects=True,
    )


def describe_error(exc: httpx.HTTPError) -> str:
    """One line naming what went wrong with a request, for per-record error reports."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, BodyTooLarge):
        return detail
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {detail}"
    if isinstance(exc, httpx.NetworkError):
        return f"network error: {detail}"
    return f"{type(exc).__name__}: {detail}"
