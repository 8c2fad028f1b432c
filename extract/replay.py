"""A recorded catalogue, served to the real client exactly as the live API would serve it.

``ReplayCatalogue.from_directory(path)`` loads every ``*.json`` under ``path`` (recursively)
as one service record, except ``MANIFEST.json``, ``ans_index.json`` and ``replay.json``.

* A record's id is the trailing integer of its top-level ``"id"`` URL; its agency is the
  trailing integer of ``orgao.id``.
* A file that is not a readable record (invalid JSON, no usable ``id``) is still served, byte
  for byte, so the parser downstream gets to report it. Its id is then the file name's stem
  (``2232.json`` -> 2232), and its agency comes from the nearest ``replay.json`` at or above
  its folder (within ``path``): ``{"agency": 45013}``. That file also supplies the agency of
  readable records without ``orgao.id``. A record with no agency at all is served by id but
  listed under no agency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from transform.parse_api import trailing_id

DEFAULT_REPLAY_DIR = Path(__file__).parent / "recorded" / "govbr-2026-10"

_NOT_RECORDS = frozenset({"MANIFEST.json", "ans_index.json", "replay.json"})
_LISTING = re.compile(r"/api/v1/servicos/orgao/(\d+)/?")
_RECORD = re.compile(r"/api/v1/servicos/(\d+)/?")
_JSON = {"content-type": "application/json; charset=utf-8"}


class ReplayError(ValueError):
    """The replay directory cannot be served; the message names the directory or file."""


@dataclass(frozen=True, slots=True)
class RecordedService:
    service_id: int
    agency: int | None
    path: Path
    body: bytes  # the file's exact bytes, served as is
    record: dict[str, Any] | None  # None when the file is not a readable record


def _agency_default(folder: Path, root: Path) -> int | None:
    for directory in (folder, *folder.parents):
        sidecar = directory / "replay.json"
        if sidecar.is_file():
            try:
                agency = trailing_id(json.loads(sidecar.read_bytes()).get("agency"))
            except (ValueError, AttributeError):
                agency = None
            if agency is None:
                raise ReplayError(f'{sidecar}: expected {{"agency": <siorg>}}')
            return agency
        if directory == root:
            break
    return None


def _load(path: Path, root: Path) -> RecordedService:
    body = path.read_bytes()
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting: served raw
        obj = None
    record = obj if isinstance(obj, dict) else None
    service_id = trailing_id(record.get("id")) if record is not None else None
    if service_id is None:
        record = None
        service_id = trailing_id(path.stem)
        if service_id is None:
            raise ReplayError(f"{path}: no readable 'id' and the file name is not a service id")
    orgao = record.get("orgao") if record is not None else None
    agency = trailing_id(orgao.get("id")) if isinstance(orgao, dict) else None
    if agency is None:
        agency = _agency_default(path.parent, root)
    return RecordedService(service_id, agency, path, body, record)


class ReplayCatalogue:
    def __init__(self, services: Mapping[int, RecordedService]) -> None:
        self._services = dict(sorted(services.items()))

    @classmethod
    def from_directory(cls, path: Path) -> ReplayCatalogue:
        if not path.is_dir():
            raise ReplayError(f"replay directory {path} does not exist")
        services: dict[int, RecordedService] = {}
        for file in sorted(path.rglob("*.json")):
            if file.name in _NOT_RECORDS or not file.is_file():
                continue
            service = _load(file, path)
            if (previous := services.get(service.service_id)) is not None:
                raise ReplayError(
                    f"service {service.service_id} recorded twice: {previous.path} and {file}"
                )
            services[service.service_id] = service
        if not services:
            raise ReplayError(f"replay directory {path} holds no service records")
        return cls(services)

    @property
    def services(self) -> Mapping[int, RecordedService]:
        return self._services

    def service_ids(self, agency: int) -> list[int]:
        return [i for i, s in self._services.items() if s.agency == agency]

    def _listing(self, agency: int) -> httpx.Response:
        items = [
            s.record
            if s.record is not None
            else {"id": f"https://servicos.gov.br/api/v1/servicos/{i}"}
            for i, s in self._services.items()
            if s.agency == agency
        ]
        # surrogatepass: a record with an escaped lone surrogate is listed, and its parser says
        # what is wrong with it, instead of the listing failing for everyone.
        body = json.dumps({"resposta": items}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return httpx.Response(200, headers=_JSON, content=body)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET":
            if m := _LISTING.fullmatch(path):
                return self._listing(int(m.group(1)))
            if m := _RECORD.fullmatch(path):
                service = self._services.get(int(m.group(1)))
                if service is not None:
                    return httpx.Response(200, headers=_JSON, content=service.body)
                body = json.dumps({"erro": "Serviço não encontrado"}, ensure_ascii=False)
                return httpx.Response(404, headers=_JSON, content=body.encode("utf-8"))
        return httpx.Response(404, headers=_JSON, content=b'{"erro": "not found"}')

    def transport(self) -> httpx.MockTransport:
        """Serves the catalogue endpoints on any host: the client's ``api_base`` picks it."""
        return httpx.MockTransport(self._handle)
