"""Fixing mojibake never changes a level: a record whose texts were double-encoded (UTF-8 read
as Windows-1252 / Latin-1, as the catalogue sometimes serves them) classifies exactly like the
clean record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.replay import DEFAULT_REPLAY_DIR
from transform.maturity import classify_service
from transform.parse_api import parse_record

RECORDS = sorted((DEFAULT_REPLAY_DIR / "services").glob("*.json"))


def garble(text: str, codec: str) -> str:
    """UTF-8 bytes decoded with the wrong codec: 'ção' -> 'Ã§Ã£o'."""
    return text.encode("utf-8").decode(codec, errors="replace")


def garbled(value: Any, codec: str, keep: frozenset[str]) -> Any:
    """Garble every string of a record except under the keys in ``keep``."""
    if isinstance(value, str):
        return garble(value, codec)
    if isinstance(value, list):
        return [garbled(v, codec, keep) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in keep else garbled(v, codec, keep)) for k, v in value.items()}
    return value


# Machine fields (ids, channel types, units) are never garbled by the catalogue: only texts.
MACHINE = frozenset({"id", "tipo", "unidade", "tempoEstimadoPeriodo", "max", "min"})


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_double_encoded_record_keeps_its_level(path: Path, codec: str) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    clean = classify_service(parse_record(record, path.stem))
    broken = classify_service(parse_record(garbled(record, codec, MACHINE), path.stem))
    assert (broken.level, broken.rule) == (clean.level, clean.rule)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(RECORDS), st.data())
def test_garbling_any_one_step_text_keeps_the_level(path: Path, data: st.DataObject) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    clean = classify_service(parse_record(record, path.stem))
    step = data.draw(st.sampled_from(record["etapas"]))
    field = data.draw(st.sampled_from(["titulo", "descricao"]))
    if isinstance(step.get(field), str):
        step[field] = garble(step[field], "cp1252")
    broken = classify_service(parse_record(record, path.stem))
    assert (broken.level, broken.rule) == (clean.level, clean.rule)
