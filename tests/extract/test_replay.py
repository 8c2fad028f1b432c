from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from extract.archive import RawArchive
from extract.catalogue import fetch_agency_catalogue
from extract.replay import DEFAULT_REPLAY_DIR, ReplayCatalogue, ReplayError
from selo.settings import HttpSettings

ANS = 45013
BASE = "https://servicos.gov.br"


def _get(transport: httpx.MockTransport, *paths: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            return [await client.get(p) for p in paths]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def recorded() -> ReplayCatalogue:
    return ReplayCatalogue.from_directory(DEFAULT_REPLAY_DIR)


def _files() -> dict[int, bytes]:
    return {int(p.stem): p.read_bytes() for p in (DEFAULT_REPLAY_DIR / "services").glob("*.json")}


def test_recorded_catalogue_lists_the_44_ans_services(recorded: ReplayCatalogue) -> None:
    files = _files()
    assert len(files) == 44
    assert recorded.service_ids(ANS) == sorted(files)

    [listing] = _get(recorded.transport(), f"/api/v1/servicos/orgao/{ANS}")

    assert listing.status_code == 200
    items = listing.json()["resposta"]
    assert [int(item["id"].rsplit("/", 1)[1]) for item in items] == sorted(files)


def test_each_record_is_served_byte_identical(recorded: ReplayCatalogue) -> None:
    files = _files()
    responses = _get(recorded.transport(), *(f"/api/v1/servicos/{i}" for i in files))

    for (service_id, body), response in zip(files.items(), responses, strict=True):
        assert response.status_code == 200, service_id
        assert response.content == body, service_id
        assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_unknown_ids_and_paths_are_404(recorded: ReplayCatalogue) -> None:
    unknown, other, bad_agency = _get(
        recorded.transport(), "/api/v1/servicos/1", "/api/v2/whatever", "/api/v1/servicos/orgao/x"
    )
    assert unknown.status_code == 404
    assert unknown.json() == {"erro": "Serviço não encontrado"}
    assert other.status_code == 404 and bad_agency.status_code == 404
    [empty] = _get(recorded.transport(), "/api/v1/servicos/orgao/1")
    assert empty.json() == {"resposta": []}


def test_fetch_through_the_real_client_gets_every_record(
    recorded: ReplayCatalogue, http: HttpSettings, archive: RawArchive
) -> None:
    fetch = fetch_agency_catalogue(
        http, "https://replay.invalid", ANS, archive, transport=recorded.transport(), paced=False
    )

    files = _files()
    assert fetch.failed == ()
    assert sorted(fetch.service_ids) == sorted(files)
    assert {r.service_id: r.body for r in fetch.records} == files
    assert len(archive.entries()) == 45  # the listing and 44 records


def test_a_malformed_record_is_still_listed_and_served(tmp_path: Path) -> None:
    good = {
        "id": "https://servicos.gov.br/api/v1/servicos/10",
        "orgao": {"id": "http://estruturaorganizacional.dados.gov.br/id/unidade-organizacional/7"},
    }
    (tmp_path / "10.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "11.json").write_bytes(b'{"id": "https://servicos.gov.br/api/v1/servicos/11", ')
    (tmp_path / "replay.json").write_text('{"agency": 7}', encoding="utf-8")
    (tmp_path / "MANIFEST.json").write_text("[]", encoding="utf-8")

    catalogue = ReplayCatalogue.from_directory(tmp_path)
    listing, served = _get(catalogue.transport(), "/api/v1/servicos/orgao/7", "/api/v1/servicos/11")

    assert catalogue.service_ids(7) == [10, 11]
    assert listing.json()["resposta"] == [good, {"id": f"{BASE}/api/v1/servicos/11"}]
    assert served.status_code == 200
    assert served.content == (tmp_path / "11.json").read_bytes()


def test_unusable_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="does not exist"):
        ReplayCatalogue.from_directory(tmp_path / "missing")
    (tmp_path / "MANIFEST.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ReplayError, match="holds no service records"):
        ReplayCatalogue.from_directory(tmp_path)
    (tmp_path / "notes.json").write_text("not json", encoding="utf-8")
    with pytest.raises(ReplayError, match=r"notes\.json"):
        ReplayCatalogue.from_directory(tmp_path)
