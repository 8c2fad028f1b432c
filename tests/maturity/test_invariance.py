"""Property tests: what the classifier must ignore.

Renaming a service, changing its id, or reordering the channels inside a step (or inside a case)
never changes the level, the deciding rule or the confidence.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import maturity_cases as cases  # this folder is on sys.path (pytest prepend mode)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transform.maturity import classify_service
from transform.models import Service
from transform.parse_api import parse_record_bytes

# The committed copy of the 2026-10 ANS records (tests never read /work/shared).
REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "extract" / "recorded" / "govbr-2026-10" / "services"


SERVICES: list[Service] = [
    parse_record_bytes(path.read_bytes(), str(path)) for path in sorted(RECORDED.glob("*.json"))
] + cases.all_services()


@st.composite
def shuffled(draw: st.DrawFn, service: Service) -> Service:
    """The same service with the channels of every step and every case permuted."""
    steps = []
    for step in service.steps:
        cases = tuple(
            replace(case, channels=tuple(draw(st.permutations(case.channels))))
            for case in step.cases
        )
        channels = tuple(draw(st.permutations(step.channels)))
        steps.append(replace(step, channels=channels, cases=cases))
    return replace(service, steps=tuple(steps))


def _key(service: Service) -> tuple[object, ...]:
    result = classify_service(service)
    return (result.level, result.rule, result.confidence)


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(service=st.sampled_from(SERVICES), name=st.text(max_size=80))
def test_renaming_never_changes_the_level(service: Service, name: str) -> None:
    assert _key(replace(service, name=name)) == _key(service)


@_SETTINGS
@given(service=st.sampled_from(SERVICES), new_id=st.integers(min_value=0, max_value=10**9))
def test_changing_the_id_never_changes_the_level(service: Service, new_id: int) -> None:
    renumbered = replace(service, id=new_id)
    assert _key(renumbered) == _key(service)
    assert classify_service(renumbered).service_id == new_id


@_SETTINGS
@given(data=st.data(), service=st.sampled_from(SERVICES))
def test_reordering_channels_never_changes_the_level(data: st.DataObject, service: Service) -> None:
    assert _key(data.draw(shuffled(service))) == _key(service)


@_SETTINGS
@given(
    data=st.data(),
    service=st.sampled_from(SERVICES),
    name=st.text(max_size=80),
    new_id=st.integers(min_value=0, max_value=10**9),
)
def test_all_at_once(data: st.DataObject, service: Service, name: str, new_id: int) -> None:
    changed = replace(data.draw(shuffled(service)), name=name, id=new_id)
    assert _key(changed) == _key(service)
