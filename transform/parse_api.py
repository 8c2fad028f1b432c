"""Catalogue API JSON (``/api/v1/servicos/{id}``) -> :class:`~transform.models.Service`.

Handles the quirks seen in real records (DESIGN.md §3): ``gratuito`` as a string, mojibake,
escaped ``\\_`` in URLs, the same channel type twice in one step, conditional cases under
``casos[].canalDePrestacao`` (singular), and channel types outside the closed set (kept with
``kind=None`` so the classifier reports them instead of crashing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from transform.models import (
    Case,
    Channel,
    ChannelKind,
    Ratings,
    RecordError,
    Service,
    SourceFormat,
    Step,
    TimeEstimate,
)
from transform.text import plain, repair, unescape_markdown

_TRAILING_INT = re.compile(r"(\d+)/?$")
_KINDS = {k.value: k for k in ChannelKind}
# tempoTotalEstimado keys, in the order the catalogue fills them, -> our normalised kind.
_ESTIMATE_KINDS = (
    ("atendimentoImediato", "imediato"),
    ("ate", "ate"),
    ("entre", "entre"),
    ("emMedia", "em-media"),
    ("naoEstimadoAinda", "nao-estimado"),
)


def parse_record_bytes(body: bytes, record: str) -> Service:
    """Decode one API response body and parse it; ``record`` names it in any error."""
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(record, f"not valid JSON ({exc})") from None
    return parse_record(obj, record)


def parse_record(obj: Any, record: str) -> Service:
    if not isinstance(obj, Mapping):
        raise RecordError(record, f"expected a JSON object, got {type(obj).__name__}")
    service_id = trailing_id(obj.get("id"))
    if service_id is None:
        raise RecordError(record, f"missing or unreadable 'id': {obj.get('id')!r}")
    record = f"service {service_id}"
    name = obj.get("nome")
    if not isinstance(name, str) or not name.strip():
        raise RecordError(record, "missing 'nome'")
    raw_steps = obj.get("etapas")
    if not isinstance(raw_steps, list):
        raise RecordError(record, f"'etapas' must be a list, got {type(raw_steps).__name__}")

    warnings: list[str] = []
    steps = tuple(_parse_step(raw, index, record, warnings) for index, raw in enumerate(raw_steps))
    url = _clean_url(obj.get("url"))
    raw_orgao = obj.get("orgao")
    orgao: Mapping[str, Any] = raw_orgao if isinstance(raw_orgao, Mapping) else {}
    return Service(
        id=service_id,
        name=plain(name),
        source_format=SourceFormat.API_JSON,
        steps=steps,
        description=plain(_str(obj.get("descricao"))),
        slug=_slug(url),
        url=url,
        agency_siorg=trailing_id(orgao.get("id")),
        agency_name=repair(_str(orgao.get("nomeOrgao"))) or None,
        time_estimate=_time_estimate(obj.get("tempoTotalEstimado")),
        ratings=_ratings(obj.get("avaliacoes")),
        digital_flag=obj.get("servicoDigital")
        if isinstance(obj.get("servicoDigital"), bool)
        else None,
        digital_percent=_float(obj.get("porcentagemDigital")),
        free_of_charge=_boolish(obj.get("gratuito")),
        warnings=tuple(warnings),
    )


def _parse_step(raw: Any, index: int, record: str, warnings: list[str]) -> Step:
    where = f"step {index + 1}"
    if not isinstance(raw, Mapping):
        raise RecordError(record, f"{where} is not an object")
    block = raw.get("canaisDePrestacao")
    if block is None:
        block = {}
    if not isinstance(block, Mapping):
        raise RecordError(record, f"{where}: 'canaisDePrestacao' is not an object")
    channels = _parse_channels(block.get("canaisDePrestacao"), f"{where}", record, warnings)
    cases = []
    for case_index, raw_case in enumerate(_list(block.get("casos"), f"{where} casos", record)):
        if not isinstance(raw_case, Mapping):
            raise RecordError(record, f"{where} case {case_index + 1} is not an object")
        # The API names the list of a case's channels in the singular.
        raw_channels = raw_case.get("canalDePrestacao", raw_case.get("canaisDePrestacao"))
        cases.append(
            Case(
                description=plain(_str(raw_case.get("descricao"))),
                channels=_parse_channels(
                    raw_channels, f"{where} case {case_index + 1}", record, warnings
                ),
            )
        )
    return Step(
        index=index,
        title=plain(_str(raw.get("titulo"))),
        description=plain(_str(raw.get("descricao"))),
        channels=channels,
        cases=tuple(cases),
        time_estimate=_time_estimate(raw.get("tempoTotalEstimado")),
    )


def _parse_channels(raw: Any, where: str, record: str, warnings: list[str]) -> tuple[Channel, ...]:
    channels = []
    for position, item in enumerate(_list(raw, where, record)):
        if not isinstance(item, Mapping):
            raise RecordError(record, f"{where} channel {position + 1} is not an object")
        raw_kind = _str(item.get("tipo")).strip()
        kind = _KINDS.get(raw_kind.lower())
        if kind is None:
            warnings.append(f"{where} channel {position + 1}: unknown channel type {raw_kind!r}")
        channels.append(
            Channel(
                raw_kind=raw_kind,
                kind=kind,
                description=plain(_str(item.get("descricao"))),
                wait_time=_int(item.get("tempoEstimadoEspera")),
                wait_unit=_str(item.get("tempoEstimadoPeriodo")) or None,
            )
        )
    return tuple(channels)


def _time_estimate(raw: Any) -> TimeEstimate | None:
    if not isinstance(raw, Mapping):
        return None
    description = plain(_str(raw.get("descricao")))
    for key, kind in _ESTIMATE_KINDS:
        value = raw.get(key)
        if value is None:
            continue
        if kind in ("imediato", "nao-estimado"):
            return TimeEstimate(kind=kind, description=description)
        if isinstance(value, Mapping):
            return TimeEstimate(
                kind=kind,
                min=_float(value.get("min")),
                max=_float(value.get("max")),
                unit=_str(value.get("unidade")) or None,
                description=description,
            )
    if description:
        return TimeEstimate(kind="desconhecido", description=description)
    return None


def _ratings(raw: Any) -> Ratings | None:
    if not isinstance(raw, Mapping):
        return None
    positive, negative = _int(raw.get("positivas")), _int(raw.get("negativas"))
    if positive is None and negative is None:
        return None
    return Ratings(positive=positive or 0, negative=negative or 0)


def trailing_id(raw: Any) -> int | None:
    """The catalogue's ids: ``2232``, ``"https://servicos.gov.br/api/v1/servicos/2232"``,
    ``"http://estruturaorganizacional.dados.gov.br/id/unidade-organizacional/45013"`` -> int."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        match = _TRAILING_INT.search(raw.strip())
        if match:
            return int(match.group(1))
    return None


def _clean_url(raw: Any) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    return unescape_markdown(repair(raw.strip()))


def _slug(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def _list(raw: Any, where: str, record: str) -> Sequence[Any]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RecordError(record, f"{where}: expected a list, got {type(raw).__name__}")
    return raw


def _str(raw: Any) -> str:
    return raw if isinstance(raw, str) else ""


def _int(raw: Any) -> int | None:
    value = _float(raw)
    return None if value is None else int(value)


def _float(raw: Any) -> float | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _boolish(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        lowered = raw.strip().lower()
        if lowered in ("true", "sim", "s", "1"):
            return True
        if lowered in ("false", "nao", "não", "n", "0"):
            return False
    return None
