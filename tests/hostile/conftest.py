"""A hang guard for the hostile-input tests: each must finish in seconds (no pytest-timeout)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

LIMIT_SECONDS = 20  # generous: every test here takes well under 2 s; this only stops a hang


@pytest.fixture(autouse=True)
def hang_guard() -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"hostile-input test still running after {LIMIT_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
