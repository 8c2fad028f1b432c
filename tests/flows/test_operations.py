"""The scheduled operations: deployments, July capture, September edition, its fallback."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import respx
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from extract.wayback import CaptureTarget
from flows.deployments import DEPLOYMENTS, TIMEZONE, deployments
from load.capture import open_capture
from load.ledger import LoadError
from selo.cli import app

runner = CliRunner()


def test_deployments_are_declared_with_their_schedules() -> None:
    specs = {spec.name: spec for spec in DEPLOYMENTS}
    assert set(specs) == {"july-capture", "september-edition"}
    assert specs["july-capture"].cron == "0 22 31 7 *"  # the cut-off day
    assert specs["september-edition"].cron == "0 6 1 9 *"
    assert specs["july-capture"].parameters == {"agencies": None, "edition": None, "source": "live"}
    assert specs["september-edition"].parameters == {"agency": None, "edition": None}
    built = {d.name: d for d in deployments()}
    assert set(built) == set(specs)
    for name, deployment in built.items():
        (schedule,) = deployment.schedules
        assert schedule.schedule.cron == specs[name].cron
        assert schedule.schedule.timezone == TIMEZONE == "America/Sao_Paulo"
        assert deployment.parameters == specs[name].parameters
        assert deployment.flow_name == name


def test_next_runs_are_in_sao_paulo_time() -> None:
    zone = ZoneInfo(TIMEZONE)
    after = datetime(2026, 11, 22, 12, 0, tzinfo=zone)
    july = next(s for s in DEPLOYMENTS if s.name == "july-capture").next_runs(3, after)
    assert [t.isoformat() for t in july] == [
        "2027-07-31T22:00:00-03:00",
        "2028-07-31T22:00:00-03:00",
        "2029-07-31T22:00:00-03:00",
    ]


def test_serve_list_shows_every_deployment() -> None:
    result = runner.invoke(app, ["serve", "--list"])
    assert result.exit_code == 0
    for spec in DEPLOYMENTS:
        assert spec.name in result.stdout and spec.cron in result.stdout


def test_one_capture_of_an_edition_at_a_time(engine: Engine) -> None:
    from datetime import date

    with (
        open_capture(engine, 45013, "2007-09", date(2007, 7, 31), "test"),
        pytest.raises(LoadError, match="being taken by another run"),
        open_capture(engine, 45013, "2007-09", date(2007, 7, 31), "test"),
    ):
        pass


def _artifact(key: str) -> str:
    from prefect import get_client

    async def read() -> str:
        async with get_client() as client:
            found = await client.read_latest_artifacts()
            (artifact,) = [a for a in found if a.key == key]
            return str(artifact.data)

    return asyncio.run(read())


@pytest.mark.prefect
def test_july_capture_then_september_edition(
    harness: None, database_url: str, engine: Engine, tmp_path: Path
) -> None:
    from flows.operations import july_capture, september_edition

    captured = july_capture(
        agencies=[45013], edition="2009-09", source="replay", database_url=database_url
    )
    (c,) = captured["captures"]
    # Every record is archived; the recorded set has no gov.br pages, so each page is a gap.
    assert (c["records"], c["pages"], c["failed"]) == (44, 0, 44)
    assert "| 45013 |" in _artifact("july-capture-2009-09")

    result = september_edition(
        edition="2009-09", database_url=database_url, report_dir=str(tmp_path)
    )
    assert result["built_from"] == f"the July capture {c['capture_id']}"
    assert result["services"] == 44 and result["kind"] == "scraped"
    assert Path(result["report"]).is_file()
    assert Path(result["report"]).is_relative_to(tmp_path)  # the report_dir parameter wins
    assert "Built from the July capture" in _artifact("september-edition-2009-09")
    with engine.connect() as conn:
        source, captured_at = conn.execute(
            text(
                "SELECT l.source, min(s.captured_at) FROM selo.load l "
                "JOIN selo.service_snapshot s ON s.load_id = l.id WHERE l.id = :id "
                "GROUP BY l.source"
            ),
            {"id": result["load_id"]},
        ).one()
    assert source.startswith("capture:") and captured_at is not None


@pytest.mark.prefect
def test_september_without_capture_falls_back_to_wayback_and_says_which_stage_failed(
    harness: None, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.operations import september_edition

    api = "https://servicos.gov.br/api/v1/servicos"
    monkeypatch.setattr(
        "flows.sources.wayback_targets", lambda agency: [CaptureTarget(2232, (f"{api}/2232",))]
    )
    monkeypatch.setenv("SELO_WAYBACK_CDX_INTERVAL", "0")
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as wb:
        wb.route(host="127.0.0.1").pass_through()  # Prefect's own API
        wb.get("https://web.archive.org/cdx/search/cdx").respond(json=[])
        with pytest.raises(Exception, match="none of the 1 services could be read"):
            september_edition(
                edition="2008-09", database_url=database_url, report_dir=str(tmp_path)
            )
    artifact = _artifact("september-edition-2008-09")
    assert "Wayback Machine captures" in artifact and "Stage **extract** failed" in artifact
