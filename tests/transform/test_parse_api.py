"""The API parser on real recorded records, and its errors on broken ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract.replay import DEFAULT_REPLAY_DIR
from transform.models import ChannelKind, RecordError
from transform.parse_api import parse_record, parse_record_bytes

SERVICES = DEFAULT_REPLAY_DIR / "services"
RECORDS = sorted(SERVICES.glob("*.json"))


def parse(service_id: int) -> Any:
    path = SERVICES / f"{service_id}.json"
    return parse_record_bytes(path.read_bytes(), str(path))


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_recorded_record_parses(path: Path) -> None:
    service = parse_record_bytes(path.read_bytes(), str(path))
    assert service.id == int(path.stem)
    assert service.agency_siorg == 45013
    assert service.steps and all(step.all_channels for step in service.steps)
    assert all(ch.kind is not None for step in service.steps for ch in step.all_channels)
    assert "Â" not in json.dumps([service.name, service.description], ensure_ascii=False)


def test_complaint_record_fields() -> None:
    service = parse(3335)
    assert service.name == "Reclamar sobre plano de saúde"
    assert service.free_of_charge is True  # "gratuito": "true" is a string in the record
    assert service.ratings is not None and (service.ratings.positive, service.ratings.negative) == (
        881,
        1550,
    )
    assert service.time_estimate is not None
    assert (service.time_estimate.kind, service.time_estimate.max, service.time_estimate.unit) == (
        "ate",
        20.0,
        "dias-uteis",
    )
    assert [[c.kind for c in s.channels] for s in service.steps] == [
        [ChannelKind.WEB, ChannelKind.TELEFONE, ChannelKind.PRESENCIAL],
        [ChannelKind.WEB],
        [ChannelKind.E_MAIL],
    ]
    assert service.slug and service.url and service.url.endswith(service.slug)


def test_conditional_cases_use_the_singular_key() -> None:
    step = parse(10955).steps[0]
    assert [c.kind for c in step.channels] == [ChannelKind.WEB]
    (case,) = step.cases
    assert case.description.startswith("Enviar correspondência")
    assert [c.kind for c in case.channels] == [ChannelKind.POSTAL]
    # The record escapes "_" inside the URL ("canais\_atendimento"); plain text does not.
    assert "canais_atendimento" in case.channels[0].description


def test_the_same_channel_type_twice_in_a_step_is_kept() -> None:
    (step,) = parse(2606).steps
    assert [c.kind for c in step.channels] == [ChannelKind.WEB, ChannelKind.WEB]


def test_mojibake_is_repaired() -> None:
    channel = parse(10812).steps[0].channels[0]
    assert channel.description.startswith("Portal Operadoras: Acesse o site")


def test_immediate_delivery_is_read() -> None:
    estimate = parse(2232).time_estimate
    assert estimate is not None and estimate.is_immediate


def test_an_unknown_channel_type_is_kept_and_flagged() -> None:
    record = json.loads((SERVICES / "2233.json").read_text())
    record["etapas"][0]["canaisDePrestacao"]["canaisDePrestacao"][0]["tipo"] = "pombo-correio"
    service = parse_record(record, "test")
    channel = service.steps[0].channels[0]
    assert channel.kind is None and channel.raw_kind == "pombo-correio"
    assert service.warnings == ("step 1 channel 1: unknown channel type 'pombo-correio'",)


def _broken(change: Any) -> Any:
    record = json.loads((SERVICES / "2232.json").read_text())
    change(record)
    return record


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([], "test: expected a JSON object, got list"),
        ({"nome": "x", "etapas": []}, "test: missing or unreadable 'id'"),
        (_broken(lambda r: r.pop("nome")), "service 2232: missing 'nome'"),
        (_broken(lambda r: r.update(etapas={})), "service 2232: 'etapas' must be a list"),
        (_broken(lambda r: r["etapas"].append(3)), "service 2232: step 2 is not an object"),
        (
            _broken(lambda r: r["etapas"][0]["canaisDePrestacao"].update(canaisDePrestacao="web")),
            "service 2232: step 1: expected a list, got str",
        ),
    ],
)
def test_broken_records_name_the_record_and_the_problem(record: Any, message: str) -> None:
    with pytest.raises(RecordError) as raised:
        parse_record(record, "test")
    assert str(raised.value).startswith(message)


def test_a_truncated_body_is_not_valid_json() -> None:
    body = (SERVICES / "11503.json").read_bytes()[:700]
    with pytest.raises(RecordError, match=r"^service 11503: not valid JSON"):
        parse_record_bytes(body, "service 11503")
