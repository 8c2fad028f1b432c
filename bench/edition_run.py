"""How long a person waits for `selo run --source replay`, and where the time goes.

Runs, in this same process and against the same embedded PostgreSQL:
- the direct run (what the CLI does without a Prefect server): stage split per run;
- the baseline: the same edition through the Prefect flow in ephemeral mode (what a CLI run
  would pay if it always went through Prefect);
and prints the ratio baseline / direct. Also times whole CLI processes (cold: fresh data dir;
warm: second run), since imports and the embedded server's start are part of the wait.

    .venv/bin/python bench/edition_run.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cli(data_dir: Path, *args: str) -> float:
    env = {**os.environ, "SELO_DATA_DIR": str(data_dir)}
    env.pop("PREFECT_API_URL", None)
    env.pop("SELO_DATABASE_URL", None)
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "selo"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    data_dir = Path(tempfile.mkdtemp(prefix="selo-bench-"))
    try:
        cold = _cli(data_dir, "run", "--source", "replay")
        warm = [_cli(data_dir, "run", "--source", "replay") for _ in range(runs)]
        print(f"CLI process, cold (fresh data dir, initdb): {cold:.2f}s")
        print(
            f"CLI process, warm: median {statistics.median(warm):.2f}s "
            f"(min {min(warm):.2f}s, max {max(warm):.2f}s, {runs} runs)"
        )

        os.environ["SELO_DATA_DIR"] = str(data_dir)
        os.environ["PREFECT_HOME"] = str(data_dir / "prefect")
        os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        os.environ.pop("PREFECT_API_URL", None)
        from flows.edition import EditionRequest, SourceSpec, build_edition
        from selo.settings import load_settings

        settings = load_settings()
        request = EditionRequest.for_code(
            "2026-09", settings.agency_siorg, SourceSpec.parse("replay")
        )
        direct: list[float] = []
        splits: list[dict[str, float]] = []
        for _ in range(runs):
            start = time.perf_counter()
            outcome = build_edition(request, settings)
            direct.append(time.perf_counter() - start)
            splits.append(outcome.timings)
        print(f"in-process direct run: median {statistics.median(direct):.3f}s")
        for stage in splits[0]:
            print(f"  {stage:<10} median {statistics.median(s[stage] for s in splits):.3f}s")

        start = time.perf_counter()
        from flows.annual import annual_edition

        imported = time.perf_counter() - start
        tracked: list[float] = []
        for _ in range(max(1, runs // 2)):
            start = time.perf_counter()
            annual_edition(edition="2026-09", source="replay")
            tracked.append(time.perf_counter() - start)
        print(
            f"baseline, Prefect flow in ephemeral mode: first {tracked[0]:.2f}s "
            f"(+{imported:.2f}s to import prefect), median {statistics.median(tracked):.2f}s"
        )
        print(
            f"ratio baseline/direct (first tracked run incl. import vs warm CLI process): "
            f"{(tracked[0] + imported) / statistics.median(warm):.1f}x"
        )
    finally:
        from load.embedded import stop_server

        stop_server(data_dir / "pgdata")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
