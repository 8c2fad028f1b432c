from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import respx

from extract.archive import RawArchive
from extract.wayback import (
    Capture,
    CaptureResult,
    CaptureTarget,
    WaybackClient,
    WaybackError,
    WaybackPolicy,
    WaybackRateLimited,
    build_wayback_http,
    capture_agency,
    merge_targets,
    parse_raw_url,
)
from selo.settings import HttpSettings, SettingsError

if TYPE_CHECKING:
    from conftest import RecordingSleep

WAYBACK = "https://web.archive.org"
CDX = "/cdx/search/cdx"
SIORG = 45013
CUTOFF = date(2022, 7, 31)
LISTING = f"https://servicos.gov.br/api/v1/servicos/orgao/{SIORG}"
SLUG_2232 = "emitir-comprovante-de-dados-cadastrais-do-consumidor-junto-a-ans"
SLUG_2233 = "consultar-a-nota-de-operadoras-de-plano-de-saude"
FIELDS = ["timestamp", "original", "statuscode", "mimetype", "digest", "length"]
# A real record (ANS service 2232, recorded from the Gov.br catalogue) as the capture body.
RECORD_2232 = (
    Path(__file__).parents[2] / "extract/recorded/govbr-2026-10/services/2232.json"
).read_bytes()

PAGE_2233 = """<!DOCTYPE html>
<html lang="pt-br"><head><meta charset="utf-8">
<title>Consultar a nota de operadoras de plano de saúde — Português (Brasil)</title></head>
<body><h1 class="documentFirstHeading">Consultar a nota de operadoras de plano de saúde</h1>
<a id="etapas-servico"></a><div class="etapa"><p class="titulo-documento">Canais de prestação</p>
<span class="canal">Web</span></div></body></html>""".encode()

GOVBR_404 = """<!DOCTYPE html>
<html lang="pt-br"><head><meta charset="utf-8">
<title>Página não encontrada — Português (Brasil)</title></head>
<body><h1 class="documentFirstHeading">Página não encontrada</h1>
<p>Pedimos desculpas, mas a página que você procura não existe.</p></body></html>""".encode()

WAYBACK_HRM = b"""<!DOCTYPE html>
<html lang="en"><head><title>Wayback Machine</title></head>
<body><div id="positionHome"><section><div id="error">
<h2 class="blue">Hrm.</h2>
<p class="code">The Wayback Machine has not archived that URL.</p>
</div></section></div></body></html>"""

MAINTENANCE = """<!DOCTYPE html>
<html><head><title>Portal em manutenção</title></head>
<body><p>Voltamos em instantes.</p></body></html>""".encode()


def _cdx_row(timestamp: str, original: str, mimetype: str = "application/json") -> list[str]:
    return [timestamp, original, "200", mimetype, "N4NEIB2YLQ4KGJ2DMYZ5WXTYCZLAS3FU", "1875"]


def _found(timestamp: str, original: str, mimetype: str = "application/json") -> httpx.Response:
    return httpx.Response(200, json=[FIELDS, _cdx_row(timestamp, original, mimetype)])


def _none() -> httpx.Response:
    return httpx.Response(200, json=[])


def _api(service_id: int) -> str:
    return f"https://servicos.gov.br/api/v1/servicos/{service_id}"


def _page(slug: str) -> str:
    return f"https://www.gov.br/pt-br/servicos/{slug}"


def _bare(url: str) -> str:
    return url.split("://", 1)[1]


def _raw_path(timestamp: str, original: str) -> str:
    return f"/web/{timestamp}id_/{original}"


@pytest.fixture
def wayback() -> Iterator[respx.MockRouter]:
    """Strict respx router on web.archive.org: every request matched, every route used."""
    with respx.mock(base_url=WAYBACK, assert_all_called=True, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def policy() -> WaybackPolicy:
    return WaybackPolicy()


def _lookup(
    http: HttpSettings,
    sleep: RecordingSleep,
    url: str,
    *,
    policy: WaybackPolicy | None = None,
    archive: RawArchive | None = None,
) -> Capture | None:
    async def run() -> Capture | None:
        async with build_wayback_http(http, sleep=sleep, clock=sleep.clock) as client:
            wayback = WaybackClient(client, policy, archive=archive, sleep=sleep, clock=sleep.clock)
            return await wayback.last_capture(url, CUTOFF)

    return asyncio.run(run())


def _fetch(
    http: HttpSettings, sleep: RecordingSleep, capture: Capture, archive: RawArchive
) -> CaptureResult:
    async def run() -> CaptureResult:
        async with build_wayback_http(http, sleep=sleep, clock=sleep.clock) as client:
            wayback = WaybackClient(client, sleep=sleep, clock=sleep.clock)
            return await wayback.fetch(capture, archive)

    return asyncio.run(run())


# --- CDX lookups ------------------------------------------------------------------------------


def test_last_capture_reads_the_row_after_the_header_and_archives_the_answer(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    route = wayback.get(CDX).mock(return_value=_found("20220715120000", _api(2232)))

    capture = _lookup(http, sleep, _api(2232), archive=archive)

    assert capture == Capture(
        _api(2232), "20220715120000", "application/json", "N4NEIB2YLQ4KGJ2DMYZ5WXTYCZLAS3FU"
    )
    assert capture.captured_at == datetime(2022, 7, 15, 12, 0, tzinfo=UTC)
    assert capture.raw_url == f"{WAYBACK}/web/20220715120000id_/{_api(2232)}"
    assert dict(route.calls.last.request.url.params) == {
        "url": "servicos.gov.br/api/v1/servicos/2232",  # no scheme: http and https captures
        "to": "20220731235959",
        "filter": "statuscode:200",
        "output": "json",
        "limit": "-1",
        "fl": "timestamp,original,statuscode,mimetype,digest,length",
    }
    [entry] = archive.entries()
    assert entry.url.startswith(WAYBACK + CDX) and entry.status == 200


@pytest.mark.parametrize("body", [b"[]", b"", b"\n", json.dumps([FIELDS]).encode()])
def test_an_empty_cdx_answer_means_no_capture(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, body: bytes
) -> None:
    wayback.get(CDX).respond(200, content=body)

    assert _lookup(http, sleep, _api(2232)) is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"error": "x"}', "CDX answer is a dict, not a list of rows"),
        (b"<html><body>Internal error</body></html>", "CDX answer is not valid JSON"),
        (b'[["timestamp","original"],["20220715120000"]]', "CDX row does not match the header"),
        (b'[["urlkey","length"],["br,gov)/","12"]]', r"CDX header row lacks \['original'"),
        (b'[["timestamp","original"],["2022071512","https://x"]]', "is not 14 digits"),
        (b'[["timestamp","original"],["20221399120000","https://x"]]', "is not a date"),
        (b'[["timestamp","original"],["20230101000000","https://x"]]', "after the cut-off"),
    ],
)
def test_a_malformed_cdx_answer_is_a_clear_error_naming_the_url(
    wayback: respx.MockRouter,
    http: HttpSettings,
    sleep: RecordingSleep,
    body: bytes,
    problem: str,
) -> None:
    wayback.get(CDX).respond(200, content=body)

    with pytest.raises(WaybackError, match=problem) as caught:
        _lookup(http, sleep, _api(2232))
    assert str(caught.value).startswith(f"CDX lookup for {_api(2232)}: ")


def test_cdx_5xx_is_retried_by_the_transport(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = wayback.get(CDX).mock(side_effect=[httpx.Response(503), _none()])

    assert _lookup(http, sleep, _api(2232)) is None
    assert route.call_count == 2


# --- 429 policy -------------------------------------------------------------------------------


def test_429_waits_at_least_a_minute_honours_retry_after_and_doubles(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = wayback.get(CDX).mock(
        side_effect=[
            httpx.Response(429),
            httpx.Response(429, headers={"Retry-After": "300"}),  # longer than 120: honoured
            httpx.Response(429, headers={"Retry-After": "5"}),  # shorter than 240: the floor wins
            _found("20220715120000", _api(2232)),
        ]
    )

    capture = _lookup(http, sleep, _api(2232))

    assert capture is not None and capture.timestamp == "20220715120000"
    assert route.call_count == 4  # each 429 answered by the policy, never by httpx-retries
    assert sleep.waits == [60.0, 300.0, 240.0]


def test_429_is_not_retried_by_the_transport(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep
) -> None:
    route = wayback.get(CDX).respond(429)

    with pytest.raises(WaybackError, match=r"HTTP 429 \(rate limited\) 1 times in a row; gave up"):
        _lookup(http, sleep, _api(2232), policy=WaybackPolicy(max_429=1))
    assert route.call_count == 1


def test_retry_after_beyond_the_cap_stops_the_run(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    wayback.get(CDX).respond(429, headers={"Retry-After": "7200"})

    with pytest.raises(WaybackRateLimited, match="asked to wait 7200 s"):
        _lookup(http, sleep, _api(2232), archive=archive)
    assert [e.status for e in archive.entries()] == [429]


def test_giving_up_after_max_429_fails_that_service_and_the_others_continue(
    wayback: respx.MockRouter,
    http: HttpSettings,
    policy: WaybackPolicy,
    sleep: RecordingSleep,
    archive: RawArchive,
) -> None:
    wayback.get(CDX, params={"url": _bare(LISTING)}).mock(return_value=_none())
    refused = wayback.get(CDX, params={"url": _bare(_api(2232))}).respond(429)
    wayback.get(CDX, params={"url": _bare(_api(2233))}).mock(
        return_value=_found("20220701093012", _api(2233))
    )
    wayback.get(_raw_path("20220701093012", _api(2233))).respond(
        200, json={"id": _api(2233), "nome": "Consultar a nota de operadoras"}
    )
    known = (
        CaptureTarget(2232, (_api(2232), _page(SLUG_2232))),
        CaptureTarget(2233, (_api(2233),)),
    )

    fetch = capture_agency(
        http, policy, SIORG, CUTOFF, known, archive, sleep=sleep, clock=sleep.clock
    )

    gave_up, ok = fetch.results
    assert refused.call_count == 4
    assert gave_up.error == (
        f"CDX lookup for {_api(2232)}: HTTP 429 (rate limited) 4 times in a row; gave up"
    )
    assert gave_up.tried == (_api(2232),)  # a failed lookup is not a reason to try the page
    assert ok.error is None and ok.body is not None and ok.capture is not None
    assert fetch.failed == (gave_up,) and fetch.missing == ()
    # 60, 120, 240 between the four 429s; then the next request still waits its doubled turn.
    assert sleep.waits == [2.0, 60.0, 120.0, 240.0, 480.0]  # 2 s: CDX spacing after the listing
    assert [e.status for e in archive.entries()].count(429) == 4


# --- pacing -----------------------------------------------------------------------------------


def test_cdx_calls_are_spaced_across_the_run(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    cdx_times: list[float] = []
    capture_times: list[float] = []

    def cdx(request: httpx.Request) -> httpx.Response:
        cdx_times.append(sleep.now)
        if request.url.params["url"] == _bare(_api(2232)):
            return _found("20220715120000", _api(2232))
        return _none()

    def capture(request: httpx.Request) -> httpx.Response:
        capture_times.append(sleep.now)
        return httpx.Response(200, content=RECORD_2232)

    wayback.get(CDX).mock(side_effect=cdx)
    wayback.get(_raw_path("20220715120000", _api(2232))).mock(side_effect=capture)
    known = tuple(CaptureTarget(i, (_api(i),)) for i in (2232, 2233, 2234))
    policy = WaybackPolicy(cdx_interval=2.5)

    capture_agency(http, policy, SIORG, CUTOFF, known, archive, sleep=sleep, clock=sleep.clock)

    assert len(cdx_times) == 4  # listing + three services
    assert all(b - a >= 2.5 for a, b in pairwise(cdx_times))
    assert capture_times == [2.5]  # a download does not wait for the CDX spacing


# --- captures ---------------------------------------------------------------------------------


def test_a_good_capture_is_archived_with_its_timestamp_in_the_url(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    capture = Capture(_api(2232), "20220715120000", "application/json")
    wayback.get(_raw_path(capture.timestamp, capture.original)).respond(
        200, content=RECORD_2232, headers={"Content-Type": "application/json"}
    )

    result = _fetch(http, sleep, capture, archive)

    assert result.error is None and result.body == RECORD_2232
    assert result.archived is not None
    assert archive.read_body(result.archived.sha256) == RECORD_2232
    assert parse_raw_url(result.archived.url) == ("20220715120000", _api(2232))


def test_a_truncated_capture_is_an_error_not_an_exception(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    cut = RECORD_2232[:1000]
    by_length = Capture(_api(2232), "20220715120000", "application/json")
    by_json = Capture(_api(2232), "20210702000000", "application/json")
    wayback.get(_raw_path(by_length.timestamp, by_length.original)).respond(
        200, content=cut, headers={"Content-Length": str(len(RECORD_2232))}
    )
    wayback.get(_raw_path(by_json.timestamp, by_json.original)).respond(200, content=cut)

    short = _fetch(http, sleep, by_length, archive)
    broken = _fetch(http, sleep, by_json, archive)

    assert short.error == f"truncated body: 1000 of {len(RECORD_2232)} bytes"
    assert broken.error is not None and broken.error.startswith("truncated or malformed JSON")
    for result in (short, broken):
        assert result.body is None and result.archived is not None
        assert archive.read_body(result.archived.sha256) == cut  # kept as received


@pytest.mark.parametrize(
    ("original", "mimetype", "body", "problem"),
    [
        (_api(2232), "application/json", WAYBACK_HRM, "the Wayback 'Hrm.' page"),
        (_page(SLUG_2232), "text/html", GOVBR_404, "a 'not found' page ('Página não encontrada"),
        (_api(2232), "application/json", MAINTENANCE, "expected JSON, got an HTML page titled"),
        (_api(2232), "text/html", MAINTENANCE, "'Portal em manutenção'"),  # the URL says API
        (_api(2232), "application/json", b"[]", "expected a JSON object, got list"),
        (_page(SLUG_2232), "text/html", b"  \n", "empty body"),
    ],
)
def test_a_capture_of_an_error_page_is_an_error(
    wayback: respx.MockRouter,
    http: HttpSettings,
    sleep: RecordingSleep,
    archive: RawArchive,
    original: str,
    mimetype: str,
    body: bytes,
    problem: str,
) -> None:
    capture = Capture(original, "20220715120000", mimetype)
    wayback.get(_raw_path(capture.timestamp, original)).respond(200, content=body)

    result = _fetch(http, sleep, capture, archive)

    assert result.error is not None and problem in result.error
    assert result.body is None and result.archived is not None and result.archived.status == 200


def test_a_non_200_capture_is_archived_then_reported(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    capture = Capture(_api(2232), "20220715120000", "application/json")
    wayback.get(_raw_path(capture.timestamp, capture.original)).respond(404, content=WAYBACK_HRM)

    result = _fetch(http, sleep, capture, archive)

    assert result.error == "HTTP 404"
    assert [e.status for e in archive.entries()] == [404]


def test_a_good_service_page_passes(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    capture = Capture(_page(SLUG_2233), "20220720101010", "text/html")
    wayback.get(_raw_path(capture.timestamp, capture.original)).respond(200, content=PAGE_2233)

    assert _fetch(http, sleep, capture, archive).body == PAGE_2233


# --- one agency -------------------------------------------------------------------------------


def test_a_listing_capture_drives_the_targets(
    wayback: respx.MockRouter,
    http: HttpSettings,
    policy: WaybackPolicy,
    sleep: RecordingSleep,
    archive: RawArchive,
) -> None:
    listing_body = {
        "resposta": [
            {"id": _api(2232), "nome": "Emitir comprovante", "url": _page(SLUG_2232)},
            # Older records may point at the page over http.
            {"id": _api(2233), "url": "http://www.gov.br/pt-br/servicos/" + SLUG_2233},
        ]
    }
    cdx = {
        _bare(LISTING): _found("20220720080000", "http://servicos.gov.br" + LISTING[22:]),
        _bare(_api(2232)): _found("20220715120000", _api(2232)),
        _bare(_api(2233)): _none(),
        _bare(_page(SLUG_2233)): _found("20220720101010", _page(SLUG_2233), "text/html"),
        _bare(_api(9999)): _none(),
    }
    for url, response in cdx.items():
        wayback.get(CDX, params={"url": url}).mock(return_value=response)
    wayback.get(_raw_path("20220720080000", "http://servicos.gov.br" + LISTING[22:])).respond(
        200, json=listing_body
    )
    wayback.get(_raw_path("20220715120000", _api(2232))).respond(200, content=RECORD_2232)
    wayback.get(_raw_path("20220720101010", _page(SLUG_2233))).respond(200, content=PAGE_2233)
    known = (CaptureTarget(2233, (_api(2233),)), CaptureTarget(9999, (_api(9999),)))
    listed: list[int] = []
    progress: list[CaptureResult] = []

    fetch = capture_agency(
        http,
        policy,
        SIORG,
        CUTOFF,
        known,
        archive,
        on_listed=listed.append,
        on_progress=progress.append,
        sleep=sleep,
        clock=sleep.clock,
    )

    assert fetch.listing is not None and fetch.listing.error is None
    assert fetch.listing.capture is not None
    assert fetch.listing.capture.timestamp == "20220720080000"
    assert [r.target.service_id for r in fetch.results] == [2232, 2233, 9999]
    assert listed == [3] and progress == list(fetch.results)
    first, second, absent = fetch.results
    assert first.body == RECORD_2232 and first.url == _api(2232)
    assert first.target.urls == (_api(2232), _page(SLUG_2232))
    assert first.tried == (_api(2232),)
    assert second.body == PAGE_2233 and second.url == _page(SLUG_2233)
    assert second.tried == (_api(2233), _page(SLUG_2233))  # API first, then the page
    assert absent.capture is None and absent.error is None and absent.tried == (_api(9999),)
    assert fetch.missing == (absent,) and fetch.failed == ()
    # Every response archived: 5 CDX answers and 3 captures, their timestamps in the URL.
    entries = archive.entries()
    assert len(entries) == 8
    captures = [parse_raw_url(e.url) for e in entries if "/web/" in e.url]
    assert captures == [
        ("20220720080000", "http://servicos.gov.br" + LISTING[22:]),
        ("20220715120000", _api(2232)),
        ("20220720101010", _page(SLUG_2233)),
    ]


def test_no_listing_capture_falls_back_to_the_known_targets(
    wayback: respx.MockRouter,
    http: HttpSettings,
    policy: WaybackPolicy,
    sleep: RecordingSleep,
    archive: RawArchive,
) -> None:
    wayback.get(CDX, params={"url": _bare(LISTING)}).mock(return_value=_none())
    wayback.get(CDX, params={"url": _bare(_api(2232))}).mock(return_value=_none())
    wayback.get(CDX, params={"url": _bare(_page(SLUG_2232))}).mock(return_value=_none())

    fetch = capture_agency(
        http,
        policy,
        SIORG,
        CUTOFF,
        (CaptureTarget(2232, (_page(SLUG_2232),)),),
        archive,
        sleep=sleep,
        clock=sleep.clock,
    )

    assert fetch.listing is not None and fetch.listing.missing
    [result] = fetch.results
    assert result.missing and result.tried == (_api(2232), _page(SLUG_2232))
    assert fetch.missing == (result,) and fetch.failed == ()


def test_an_unreadable_listing_capture_is_a_failure_and_known_targets_still_run(
    wayback: respx.MockRouter,
    http: HttpSettings,
    policy: WaybackPolicy,
    sleep: RecordingSleep,
    archive: RawArchive,
) -> None:
    wayback.get(CDX, params={"url": _bare(LISTING)}).mock(
        return_value=_found("20220720080000", LISTING)
    )
    wayback.get(_raw_path("20220720080000", LISTING)).respond(200, json={"servicos": []})
    wayback.get(CDX, params={"url": _bare(_api(2232))}).mock(return_value=_none())

    fetch = capture_agency(
        http,
        policy,
        SIORG,
        CUTOFF,
        (CaptureTarget(2232, ()),),
        archive,
        sleep=sleep,
        clock=sleep.clock,
    )

    assert fetch.listing is not None and fetch.listing.error is not None
    assert "expected an object with a 'resposta' list" in fetch.listing.error
    assert fetch.failed == (fetch.listing,)
    assert [r.target.service_id for r in fetch.results] == [2232]


# --- targets, policy, captures ----------------------------------------------------------------


def test_merge_targets_keys_on_the_id_keeps_every_url_api_first() -> None:
    merged = merge_targets(
        [CaptureTarget(2, (_api(2), _page("novo"))), CaptureTarget(1, (_api(1),))],
        [
            CaptureTarget(1, (_page("um"), "http://servicos.gov.br/api/v1/servicos/1")),
            CaptureTarget(2, (_page("antigo"),)),
            CaptureTarget(None, (_page("sem-id"),)),
            CaptureTarget(None, (_page("sem-id"),)),
        ],
    )

    assert merged == (
        CaptureTarget(2, (_api(2), _page("novo"), _page("antigo"))),
        CaptureTarget(1, (_api(1), _page("um"))),
        CaptureTarget(None, (_page("sem-id"),)),
    )


def test_policy_from_env() -> None:
    policy = WaybackPolicy.from_env(
        {
            "SELO_WAYBACK_CDX_INTERVAL": "3.5",
            "SELO_WAYBACK_MIN_429_WAIT": "90",
            "SELO_WAYBACK_MAX_429": "2",
        }
    )
    assert policy == replace(WaybackPolicy(), cdx_interval=3.5, min_429_wait=90.0, max_429=2)
    assert WaybackPolicy.from_env({}) == WaybackPolicy()
    assert WaybackPolicy.from_env({"SELO_WAYBACK_MIN_429_WAIT": "7200"}).max_429_wait == 7200


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("SELO_WAYBACK_CDX_INTERVAL", "soon", "is not a number of seconds"),
        ("SELO_WAYBACK_CDX_INTERVAL", "-1", "must be a non-negative number"),
        ("SELO_WAYBACK_MIN_429_WAIT", "nan", "must be a non-negative number"),
        ("SELO_WAYBACK_MAX_429", "2.5", "is not a whole number"),
        ("SELO_WAYBACK_MAX_429", "0", "must be at least 1"),
    ],
)
def test_policy_from_env_names_the_bad_variable(name: str, value: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{name}='{value}' {problem}"):
        WaybackPolicy.from_env({name: value})


def test_policy_rejects_contradictions() -> None:
    with pytest.raises(ValueError, match="max_429_wait"):
        WaybackPolicy(min_429_wait=60, max_429_wait=30)
    with pytest.raises(ValueError, match="max_429"):
        WaybackPolicy(max_429=0)
    assert WaybackPolicy().wait_after_429(5, None) == 960.0
    assert WaybackPolicy().wait_after_429(9, None) == 3600.0


def test_capture_timestamps_are_checked_and_raw_urls_read_back() -> None:
    with pytest.raises(ValueError, match="14 digits"):
        Capture(_api(1), "2022")
    assert parse_raw_url(f"{WAYBACK}/web/20200101000000id_/{_page('x')}?a=1") == (
        "20200101000000",
        _page("x") + "?a=1",
    )
    assert parse_raw_url(_api(1)) is None


def test_a_redirect_to_another_capture_is_recorded_and_checked_against_the_cutoff(
    wayback: respx.MockRouter, http: HttpSettings, sleep: RecordingSleep, archive: RawArchive
) -> None:
    wayback.get(CDX, params={"url": _bare(_api(2232))}).mock(
        return_value=_found("20220715120000", _api(2232))
    )
    wayback.get(CDX, params={"url": _bare(_api(2233))}).mock(
        return_value=_found("20220730235900", _api(2233))
    )
    for listed, served, service_id in (
        ("20220715120000", "20220715120003", 2232),
        ("20220730235900", "20220801000100", 2233),
    ):
        wayback.get(_raw_path(listed, _api(service_id))).respond(
            302, headers={"Location": f"{WAYBACK}{_raw_path(served, _api(service_id))}"}
        )
        wayback.get(_raw_path(served, _api(service_id))).respond(200, content=RECORD_2232)

    async def run() -> list[CaptureResult]:
        async with build_wayback_http(http, sleep=sleep, clock=sleep.clock) as client:
            wayback_client = WaybackClient(client, sleep=sleep, clock=sleep.clock)
            return [
                await wayback_client.capture(CaptureTarget(i, (_api(i),)), CUTOFF, archive)
                for i in (2232, 2233)
            ]

    near, late = asyncio.run(run())

    assert near.error is None and near.capture is not None
    assert near.capture.timestamp == "20220715120003"
    assert late.body is None
    assert late.error == "redirected to capture 20220801000100, after the cut-off 2022-07-31"
    assert [parse_raw_url(e.url) for e in archive.entries()] == [
        ("20220715120003", _api(2232)),
        ("20220801000100", _api(2233)),
    ]
