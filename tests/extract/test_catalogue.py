from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
import respx

from extract.archive import RawArchive
from extract.catalogue import (
    ExtractError,
    FetchedRecord,
    fetch_agency_catalogue,
    fetch_service_records,
    list_agency_services,
)
from extract.http import build_client
from selo.settings import HttpSettings

SIORG = 45013
LISTING = f"/api/v1/servicos/orgao/{SIORG}"


def _record(service_id: int) -> dict[str, object]:
    return {"id": f"https://servicos.gov.br/api/v1/servicos/{service_id}", "nome": f"S{service_id}"}


def _listing(*ids: int) -> httpx.Response:
    return httpx.Response(200, json={"resposta": [_record(i) for i in ids]})


def test_lists_then_fetches_every_record(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    api.get(LISTING).mock(return_value=_listing(2232, 2233, 2234))
    for i in (2232, 2233, 2234):
        api.get(f"/api/v1/servicos/{i}").respond(200, json=_record(i))
    listed: list[int] = []
    progress: list[FetchedRecord] = []

    fetch = fetch_agency_catalogue(
        http, api_base, SIORG, archive, on_listed=listed.append, on_progress=progress.append
    )

    assert fetch.service_ids == (2232, 2233, 2234)
    assert [r.service_id for r in fetch.records] == [2232, 2233, 2234]
    assert fetch.failed == ()
    assert listed == [3] and len(progress) == 3
    assert fetch.listing.url == api_base + LISTING
    for record in fetch.records:
        assert record.archived is not None and record.body is not None
        assert archive.read_body(record.archived.sha256) == record.body
    assert archive.entries()[0].url == api_base + LISTING
    assert len(archive.entries()) == 4


def test_a_failing_record_is_reported_not_raised(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    api.get(LISTING).mock(return_value=_listing(1, 2, 3))
    api.get("/api/v1/servicos/1").respond(200, json=_record(1))
    broken = api.get("/api/v1/servicos/2").respond(500, text="erro interno")
    api.get("/api/v1/servicos/3").mock(side_effect=httpx.ConnectError("refused"))

    fetch = fetch_agency_catalogue(replace(http, retries=2), api_base, SIORG, archive)

    assert broken.call_count == 3
    ok, failed, unreachable = fetch.records
    assert ok.error is None and ok.body is not None
    assert failed.error == "HTTP 500 after 2 retries" and failed.body is None
    assert failed.archived is not None and failed.archived.status == 500
    assert archive.read_body(failed.archived.sha256) == b"erro interno"
    assert unreachable.archived is None and unreachable.error == "network error: refused"
    assert fetch.failed == (failed, unreachable)
    assert sorted(e.status for e in archive.entries()) == [200, 200, 500]  # listing, 1, 2


def test_listing_ids_are_deduplicated_in_order_and_plain_ints_accepted(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    items = [{"id": 7}, _record(3), {"id": "https://servicos.gov.br/api/v1/servicos/7/"}]
    api.get(LISTING).respond(200, json={"resposta": items})

    async def run() -> list[int]:
        async with build_client(http) as client:
            _, ids = await list_agency_services(client, api_base, SIORG, archive)
            return ids

    assert asyncio.run(run()) == [7, 3]


def test_records_keep_input_order(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    for i in (5, 4, 6):
        api.get(f"/api/v1/servicos/{i}").respond(200, json=_record(i))

    async def run() -> list[FetchedRecord]:
        async with build_client(http) as client:
            return await fetch_service_records(client, api_base, [5, 4, 6], archive)

    assert [r.service_id for r in asyncio.run(run())] == [5, 4, 6]


def test_listing_not_200_stops_the_edition(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    api.get(LISTING).respond(404, json={"erro": "Órgão não encontrado"})

    with pytest.raises(ExtractError, match=rf"{api_base}{LISTING}: HTTP 404"):
        fetch_agency_catalogue(http, api_base, SIORG, archive)
    assert [e.status for e in archive.entries()] == [404]  # archived before it was judged


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([_record(1)], "got list"),
        ({"servicos": []}, r"got keys \['servicos'\]"),
        ({"resposta": [{"nome": "sem id"}]}, r"resposta\[0\] has no readable 'id'"),
    ],
)
def test_listing_of_the_wrong_shape_stops_the_edition(
    api: respx.MockRouter,
    api_base: str,
    http: HttpSettings,
    archive: RawArchive,
    payload: object,
    problem: str,
) -> None:
    api.get(LISTING).respond(200, json=payload)

    with pytest.raises(ExtractError, match=problem) as caught:
        fetch_agency_catalogue(http, api_base, SIORG, archive)
    assert str(caught.value).startswith(api_base + LISTING)


def test_listing_not_json_or_unreachable_stops_the_edition(
    api: respx.MockRouter, api_base: str, http: HttpSettings, archive: RawArchive
) -> None:
    api.get(LISTING).mock(
        side_effect=[httpx.Response(200, text="<html>manutenção</html>")]
        + [httpx.ConnectTimeout("no answer")] * (http.retries + 1)
    )
    with pytest.raises(ExtractError, match="not valid JSON"):
        fetch_agency_catalogue(http, api_base, SIORG, archive)
    with pytest.raises(ExtractError, match=r"unreachable \(timeout: no answer\)"):
        fetch_agency_catalogue(http, api_base, SIORG, archive)
