from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING

import httpx
import respx

from extract.http import PacedTransport, build_client
from selo.settings import HttpSettings

if TYPE_CHECKING:
    from conftest import RecordingSleep

API = "https://catalogo.test"  # the api fixture's base_url


def _get(client: httpx.AsyncClient, *paths: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with client:
            return list(await asyncio.gather(*(client.get(API + p) for p in paths)))

    return asyncio.run(run())


def test_retries_503_then_succeeds_with_jittered_backoff(
    api: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = api.get("/x").mock(side_effect=[httpx.Response(503), httpx.Response(200, json={})])
    client = build_client(replace(http, backoff_factor=0.5), sleep=sleep)

    [response] = _get(client, "/x")

    assert response.status_code == 200
    assert route.call_count == 2
    # First retry: backoff_factor * 2**1, scaled by full jitter.
    assert len(sleep.waits) == 1 and 0.0 <= sleep.waits[0] <= 1.0


def test_429_retry_after_is_honoured(
    api: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = api.get("/x").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200)]
    )
    client = build_client(replace(http, backoff_factor=0.5), sleep=sleep)

    [response] = _get(client, "/x")

    assert response.status_code == 200
    assert route.call_count == 2
    assert sleep.waits == [1.0]


def test_timeout_is_retried(
    api: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = api.get("/x").mock(
        side_effect=[httpx.ConnectTimeout("slow"), httpx.ReadTimeout("slower"), httpx.Response(200)]
    )
    [response] = _get(build_client(http, sleep=sleep), "/x")

    assert response.status_code == 200
    assert route.call_count == 3


def test_exhausted_retries_return_the_last_5xx(
    api: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = api.get("/x").mock(
        side_effect=[httpx.Response(500), httpx.Response(502), httpx.Response(504, text="last")]
    )
    client = build_client(replace(http, retries=2), sleep=sleep)

    [response] = _get(client, "/x")

    assert (response.status_code, response.text) == (504, "last")
    assert route.call_count == 3
    assert len(sleep.waits) == 2


def test_client_error_is_not_retried(api: respx.MockRouter, http: HttpSettings) -> None:
    route = api.get("/x").respond(404)
    [response] = _get(build_client(http), "/x")
    assert response.status_code == 404
    assert route.call_count == 1


def test_identifying_headers_are_sent(api: respx.MockRouter, http: HttpSettings) -> None:
    route = api.get("/x").respond(200)
    _get(build_client(http), "/x")
    request = route.calls.last.request
    assert request.headers["User-Agent"] == "selo-tests/1.0"
    assert request.headers["Accept"] == "application/json"


class _CutStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"partial"'
        raise httpx.ReadTimeout("body stalled")


def test_body_phase_timeout_is_retried(http: HttpSettings) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(200, stream=_CutStream())
        return httpx.Response(200, json={"ok": True})

    [response] = _get(build_client(http, transport=httpx.MockTransport(handler)), "/x")

    assert response.json() == {"ok": True}
    assert calls == 2


def _start_recorder(
    clock: RecordingSleep,
) -> tuple[list[tuple[str, float]], httpx.MockTransport]:
    starts: list[tuple[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append((request.url.host, clock.now))
        return httpx.Response(200)

    return starts, httpx.MockTransport(handler)


def test_pacing_spaces_starts_per_host(sleep: RecordingSleep) -> None:
    starts, inner = _start_recorder(sleep)
    paced = PacedTransport(inner, concurrency=8, min_interval=0.25, clock=sleep.clock, sleep=sleep)
    urls = ["https://a.test/1", "https://a.test/2", "https://b.test/1", "https://a.test/3"]

    async def run() -> None:
        async with httpx.AsyncClient(transport=paced) as client:
            await asyncio.gather(*(client.get(u) for u in urls))

    asyncio.run(run())

    a_starts = sorted(t for host, t in starts if host == "a.test")
    assert len(a_starts) == 3 and len(starts) == 4
    assert all(b - a >= 0.25 for a, b in pairwise(a_starts))
    # Only a.test's 2nd and 3rd requests waited: b.test was never held back.
    assert len(sleep.waits) == 2


def test_pacing_in_real_time(http: HttpSettings) -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(time.monotonic())
        return httpx.Response(200)

    client = build_client(replace(http, min_interval=0.05), transport=httpx.MockTransport(handler))
    _get(client, "/1", "/2", "/3")

    gaps = [b - a for a, b in pairwise(starts)]
    assert len(gaps) == 2 and all(g >= 0.045 for g in gaps)


def test_unpaced_client_does_not_wait(http: HttpSettings, sleep: RecordingSleep) -> None:
    starts, inner = _start_recorder(sleep)
    client = build_client(
        replace(http, min_interval=5.0), transport=inner, paced=False, sleep=sleep
    )
    _get(client, "/1", "/2", "/3")
    assert len(starts) == 3 and sleep.waits == []


def test_concurrency_is_bounded(http: HttpSettings) -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        return httpx.Response(200)

    client = build_client(replace(http, concurrency=2), transport=httpx.MockTransport(handler))
    responses = _get(client, *(f"/{i}" for i in range(8)))

    assert [r.status_code for r in responses] == [200] * 8
    assert peak == 2
