"""The README's main command: no database URL, so selo runs its own embedded PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from load.embedded import stop_server
from selo.cli import app

runner = CliRunner()


def test_run_without_a_database_url_uses_the_embedded_server(isolated_settings: Path) -> None:
    pgdata = isolated_settings / "pgdata"
    try:
        first = runner.invoke(app, ["run", "--source", "replay", "--edition", "2026-09"])
        assert first.exit_code == 0, first.stderr
        assert "host=" in first.stdout and str(pgdata).replace("/", "%2F") in first.stdout
        # The data stays between runs: a second run is a second load of the same edition.
        second = runner.invoke(app, ["run", "--source", "replay", "--edition", "2026-09"])
        assert second.exit_code == 0, second.stderr
        listed = runner.invoke(app, ["editions", "--json"])
        assert listed.exit_code == 0, listed.stderr
        (edition,) = json.loads(listed.stdout)
        assert edition["services"] == 44
        assert [load["status"] for load in edition["loads"]] == ["complete", "complete"]
    finally:
        assert stop_server(pgdata)
    assert not (pgdata / "postmaster.pid").exists()
