"""Catalogue API JSON (``/api/v1/servicos/{id}``) -> :class:`~transform.models.Service`.

Handles the quirks seen in real records (DESIGN.md §3): ``gratuito`` as a string, mojibake,
escaped ``\\_`` in URLs, the same channel type twice in one step, conditional cases under
``casos[].canalDePrestacao`` (singular), and channel types outside the closed set (kept with
``kind=None`` so the classifier reports them instead of crashing).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping, Sequence
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

#: No catalogue record comes near this (the largest recorded one is 18 KB, a page ~100 KB);
#: every parser refuses a longer document before reading it (:func:`check_record_size`).
MAX_RECORD_BYTES = 8 * 1024 * 1024
#: Objects/arrays inside objects/arrays: real records nest 9 levels at most.
MAX_JSON_DEPTH = 20

# BOMs that declare an encoding other than UTF-8; UTF-32 first (its LE BOM starts like UTF-16's).
_DECLARED_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A JSON string escape of a UTF-16 surrogate: only then can a lone surrogate reach a str.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
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
    """Decode one API response body and parse it; ``record`` names it in any error.

    Hostile input ends in a :class:`RecordError` too: a body over :data:`MAX_RECORD_BYTES`,
    bytes that are not UTF-8 (nor UTF-16/32 declared by a BOM), nesting deeper than
    :data:`MAX_JSON_DEPTH` (10,000 levels would overflow the JSON parser's recursion), and
    escaped lone surrogates (they cannot be stored as text).
    """
    check_record_size(body, record)
    text = decode_record(body, record)
    try:
        obj = json.loads(text)
    except RecursionError:
        raise RecordError(
            record, f"not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels"
        ) from None
    except ValueError as exc:  # JSONDecodeError, and e.g. an integer of over 4,300 digits
        raise RecordError(record, f"not valid JSON ({exc})") from None
    if (depth := _json_depth(obj)) > MAX_JSON_DEPTH:
        raise RecordError(
            record, f"not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels ({depth})"
        )
    if _SURROGATE_ESCAPE.search(text) and (where := _lone_surrogate(obj)) is not None:
        raise RecordError(record, f"not valid JSON: a lone UTF-16 surrogate in {where}")
    return parse_record(obj, record)


def check_record_size(body: bytes, record: str) -> None:
    """:class:`RecordError` for a document larger than any catalogue record may be."""
    if len(body) > MAX_RECORD_BYTES:
        raise RecordError(
            record,
            f"{len(body)} bytes: larger than the {MAX_RECORD_BYTES // 2**20} MiB "
            "a catalogue record may be",
        )


def decode_record(body: bytes, record: str) -> str:
    """The record's text: UTF-8 (a UTF-8 BOM is dropped), or UTF-16/32 declared by its BOM.

    Anything else is a :class:`RecordError` naming the first bad byte; no encoding is guessed
    (Latin-1 and cp1252 bytes would decode "successfully" into the wrong text).
    """
    for bom, codec in _DECLARED_BOMS:
        if body.startswith(bom):
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                raise RecordError(
                    record,
                    f"not valid {codec.upper()} despite its byte-order mark ({exc.reason} "
                    f"at offset {exc.start})",
                ) from None
    if b"\x00" in body[:4]:  # BOM-less UTF-16/32 JSON: RFC 4627's detection, as json.loads
        codec = json.detect_encoding(body)
        try:
            return body.decode(codec)
        except UnicodeDecodeError as exc:
            raise RecordError(
                record, f"not valid {codec.upper()} ({exc.reason} at offset {exc.start})"
            ) from None
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if body.startswith(codecs.BOM_UTF8) else 0)
        raise RecordError(
            record, f"not UTF-8 (byte 0x{body[offset]:02x} at offset {offset}: {exc.reason})"
        ) from None


def _json_depth(obj: Any) -> int:
    """How deep arrays and objects nest in ``obj`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterator[Any] = iter(item.values())
        elif isinstance(item, list):
            children = iter(item)
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:  # past the limit, how much deeper does not matter
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _lone_surrogate(obj: Any) -> str | None:
    """The first string (or key) holding an unpaired surrogate, quoted short; else ``None``."""
    stack: list[Any] = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return ascii(item[:40])
    return None


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
