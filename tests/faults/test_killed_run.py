"""A run killed mid-way (SIGKILL) and started again: nothing already archived is fetched twice,
exactly one complete load is published, and the published edition never changes meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, text

from extract.archive import ArchivedResponse
from extract.replay import DEFAULT_REPLAY_DIR
from flows.edition import EditionRequest, SourceSpec, build_edition
from selo.settings import load_settings

from .server import FaultPlan, fault_server

CODE = "1990-09"


def _loads(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [
            (r.id, r.status)
            for r in conn.execute(
                text(
                    "SELECT l.id, l.status FROM selo.load l JOIN selo.edition e "
                    "ON e.id = l.edition_id WHERE e.code = :c ORDER BY l.id"
                ),
                {"c": CODE},
            )
        ]


def _current(engine: Engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT current_load_id FROM selo.edition WHERE code = :c"), {"c": CODE}
        ).scalar()


def _wait_for_new_log(runs: Path, earlier: set[Path], *, lines: int) -> Path | None:
    """The new run's archive log, once it holds ``lines`` responses (None after 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for log in set(runs.glob("*.jsonl")) - earlier:
            if len(log.read_text().splitlines()) >= lines:
                return log
        time.sleep(0.05)
    return None


def test_a_killed_run_resumes_from_its_archive(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    settings = load_settings().with_overrides(database_url=database_url, data_dir=data_dir)
    request = EditionRequest.for_code(CODE, 45013, SourceSpec.parse("live"))
    plan = FaultPlan(rate=1.0, attempts=1_000, kinds=("slow",), slow_seconds=0.25)
    with fault_server(DEFAULT_REPLAY_DIR, FaultPlan()) as base:
        fast = replace(settings, api_base=base, http=replace(settings.http, min_interval=0))
        published = build_edition(request, fast).load_id

    with fault_server(DEFAULT_REPLAY_DIR, plan) as base:
        env = {
            **os.environ,
            "SELO_DATABASE_URL": database_url,
            "SELO_DATA_DIR": str(data_dir),
            "SELO_API_BASE": base,
            "SELO_MIN_INTERVAL": "0",
        }
        env.pop("PREFECT_API_URL", None)
        selo = Path(sys.executable).parent / "selo"
        earlier_logs = set((data_dir / "archive" / "runs").glob("*.jsonl"))
        process = subprocess.Popen(
            [str(selo), "run", "--source", "live", "--edition", CODE],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        killed_log = _wait_for_new_log(data_dir / "archive" / "runs", earlier_logs, lines=12)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert killed_log is not None, "the run never got going"
        # Meanwhile the published edition did not move.
        assert _current(engine) == published

        archived = {
            e.url
            for e in map(ArchivedResponse.from_json, killed_log.read_text().splitlines())
            if e.status == 200
        }
        assert 12 <= len(archived) < 45
        before = dict(plan.seen)
        resumed = replace(settings, api_base=base, http=replace(settings.http, min_interval=0))
        outcome = build_edition(request, resumed)

    asked_again = {path for path, n in plan.seen.items() if n > before.get(path, 0)}
    assert not {base + path for path in asked_again} & archived  # nothing fetched twice
    assert len(asked_again) == 45 - len(archived)  # the listing and 44 records, minus the kept
    assert outcome.services == 44
    loads = _loads(engine)
    assert [status for _, status in loads] == ["complete", "abandoned", "complete"]
    assert _current(engine) == outcome.load_id == loads[-1][0]
