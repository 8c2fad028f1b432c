"""Shared fixtures for the extract tests: fast settings, a recording sleep, a strict respx router.

Tests reach helpers through fixtures only (``conftest`` is not importable as a package here);
``RecordingSleep`` is imported under ``TYPE_CHECKING`` for annotations.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from extract.archive import RawArchive
from selo.settings import HttpSettings

API = "https://catalogo.test"


class RecordingSleep:
    """Stands in for ``asyncio.sleep``: records each wait and advances ``now`` instead."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def api_base() -> str:
    return API


@pytest.fixture
def http() -> HttpSettings:
    # No backoff and no pacing: tests that exercise waiting inject a RecordingSleep instead.
    return HttpSettings(
        user_agent="selo-tests/1.0",
        concurrency=4,
        min_interval=0.0,
        retries=3,
        backoff_factor=0.0,
        max_backoff=10.0,
    )


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def archive(tmp_path: Path) -> RawArchive:
    return RawArchive(tmp_path / "archive", "run-1")


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Strict respx router on ``API``: every request must match a route, every route be used."""
    with respx.mock(base_url=API, assert_all_called=True, assert_all_mocked=True) as router:
        yield router
