"""`selo backfill`: the published seal, the legacy archive and Wayback captures as editions."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from extract.replay import DEFAULT_REPLAY_DIR
from extract.wayback import CaptureTarget, WaybackPolicy
from flows.backfill import backfill_editions
from flows.edition import SourceSpec
from selo.cli import app
from selo.settings import load_settings

runner = CliRunner()
SERVICES = DEFAULT_REPLAY_DIR / "services"


def selo(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr or result.stdout
    return result


def edition(database_url: str, code: str, kind: str) -> dict[str, Any]:
    listed = json.loads(selo("editions", "--json", "--database-url", database_url).stdout)
    (found,) = [e for e in listed if e["code"] == code and e["source_kind"] == kind]
    return found  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def published(database_url: str) -> str:
    selo("backfill", "--editions", "all", "--source", "published", "--database-url", database_url)
    return database_url


def test_published_editions_reproduce_the_seeds_counts(published: str, engine: Engine) -> None:
    counts = {
        code: edition(published, code, "published")["services"]
        for code in ("2020-11", "2021-04", "2021-09", "2022-09")
    }
    assert counts == {"2020-11": 16, "2021-04": 32, "2021-09": 40, "2022-09": 44}
    levels = edition(published, "2022-09", "published")["levels"]
    assert (levels["A1"], levels["A2"], levels["A3"]) == (12, 1, 31)  # Table 2
    with engine.connect() as conn:
        by_figure = dict(
            conn.execute(
                text(
                    "SELECT coalesce(p.figure_level, p.level), count(*) "
                    "FROM selo.published_service p JOIN selo.edition e "
                    "ON e.current_load_id = p.load_id WHERE e.code = '2022-09' "
                    "AND e.source_kind = 'published' GROUP BY 1"
                )
            ).all()
        )
        folded = conn.execute(
            text(
                "SELECT p.lineage, p.duplicate_lineages FROM selo.published_service p "
                "JOIN selo.edition e ON e.current_load_id = p.load_id "
                "WHERE e.code = '2021-09' AND cardinality(p.duplicate_lineages) > 0"
            )
        ).all()
        diretorias = conn.execute(
            text(
                "SELECT count(*), count(diretoria) FROM selo.service_key WHERE lineage IS NOT NULL"
            )
        ).one()
    assert by_figure == {"A1": 10, "A2": 1, "A3": 33}  # the figure list
    # 41 rows in 2021-09: the press office listed twice (lineages 4 and 33) is one service.
    assert [(r.lineage, r.duplicate_lineages) for r in folded] == [(4, [33])]
    assert diretorias[0] == diretorias[1] > 40  # every published key carries its diretoria


def test_re_running_a_backfill_is_idempotent(published: str, engine: Engine) -> None:
    before = edition(published, "2022-09", "published")
    result = selo(
        "backfill",
        "--editions",
        "2022-09,2020-11",
        "--source",
        "published",
        "--database-url",
        published,
    )
    assert result.stdout.count("unchanged since load") == 2
    after = edition(published, "2022-09", "published")
    assert after["current_load"] == before["current_load"]
    assert [load["status"] for load in after["loads"]] == ["complete", "unchanged"]
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM selo.published_service WHERE load_id = :l"),
            {"l": after["loads"][1]["id"]},
        ).scalar_one()
    assert rows == 0


def test_legacy_archive_is_an_edition_of_its_own(published: str, engine: Engine) -> None:
    result = selo(
        "backfill", "--editions", "2018-07", "--source", "legacy", "--database-url", published
    )
    assert "duplicate of service 3086" in " ".join(result.stdout.split())
    found = edition(published, "2018-07", "archived")
    assert found["services"] == 16 and found["cutoff"] == "2018-07-31"
    with engine.connect() as conn:
        keys = dict(
            conn.execute(
                text(
                    "SELECT s.service_id, s.service_keys FROM selo.service_snapshot s "
                    "WHERE s.load_id = :l"
                ),
                {"l": found["current_load"]},
            ).all()
        )
    # Linked to the published lineages by name (or the curated crosswalk), never by id alone.
    assert keys[2234] == ["45013:L20"] and keys[3335] == ["45013:L24"]


def test_history_puts_official_and_automatic_levels_side_by_side(
    published: str, engine: Engine
) -> None:
    selo("backfill", "--editions", "2018-07", "--source", "legacy", "--database-url", published)
    selo("run", "--source", "replay", "--edition", "2026-09", "--database-url", published)
    data = json.loads(selo("history", "--json", "--database-url", published).stdout)
    by_key = {s["service_key"]: s for s in data["services"]}
    l20 = by_key["45013:L20"]["levels"]
    assert l20["2018-07 auto"]["level"] and l20["2026-09 auto"]["level"]
    assert l20["2022-09 official"] == {"level": "A3", "official": True, "figure_level": None}
    assert by_key["45013:L1"]["levels"]["2022-09 official"]["figure_level"] == "A3"
    # The merged 2026 record 23120 answers for each of the three 2022 services.
    for lineage in (12, 13, 14):
        assert "2026-09 auto" in by_key[f"45013:L{lineage}"]["levels"]
    with engine.connect() as conn:
        grain = conn.execute(
            text(
                "SELECT count(*) = count(DISTINCT (service_key, edition, source_kind)) "
                "FROM analytics.service_levels"
            )
        ).scalar_one()
        renamed = (
            conn.execute(
                text(
                    "SELECT reason FROM selo.record_issue WHERE stage = 'identity' "
                    "AND service_id = 2234"
                )
            )
            .scalars()
            .all()
        )
    assert grain
    # The id 2234 names a broader service in 2026 than in 2018: detected and reported.
    assert renamed and "same id, another name" in renamed[-1]


def test_an_unknown_published_edition_is_refused(published: str) -> None:
    result = runner.invoke(
        app,
        ["backfill", "--editions", "2019-09", "--source", "published", "--database-url", published],
    )
    assert result.exit_code == 1 and "no published edition 2019-09" in result.stderr


# -- Wayback: CDX and captures replayed with strict respx routes ----------------------------

CDX = "https://web.archive.org/cdx/search/cdx"
FIELDS = ["timestamp", "original", "statuscode", "mimetype", "digest", "length"]


def _cdx(timestamp: str, original: str) -> httpx.Response:
    return httpx.Response(
        200, json=[FIELDS, [timestamp, original, "200", "application/json", "X", "1"]]
    )


def test_wayback_backfill_builds_an_edition_from_captures(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = "https://servicos.gov.br/api/v1/servicos"
    page = "https://www.gov.br/pt-br/servicos/agendar-atendimento-presencial-nos-nucleos-da-ans"
    targets = [
        CaptureTarget(2232, (f"{api}/2232",)),
        CaptureTarget(3335, (f"{api}/3335",)),
        CaptureTarget(12665, (f"{api}/12665", page)),
    ]
    monkeypatch.setattr("flows.sources.wayback_targets", lambda agency: targets)
    settings = load_settings().with_overrides(database_url=database_url)
    settings = replace(
        settings,
        http=replace(settings.http, min_interval=0, backoff_factor=0),
        wayback=WaybackPolicy(cdx_interval=0, capture_interval=0),
    )
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as wb:
        wb.get(CDX, params={"url": "servicos.gov.br/api/v1/servicos/orgao/45013"}).respond(json=[])
        wb.get(CDX, params={"url": "servicos.gov.br/api/v1/servicos/2232"}).mock(
            return_value=_cdx("20220701101010", f"{api}/2232")
        )
        wb.get(CDX, params={"url": "servicos.gov.br/api/v1/servicos/3335"}).mock(
            return_value=_cdx("20220512000000", f"{api}/3335")
        )
        wb.get(CDX, params={"url": "servicos.gov.br/api/v1/servicos/12665"}).respond(json=[])
        wb.get(CDX, params={"url": page.removeprefix("https://")}).respond(json=[])
        for stamp, service_id in (("20220701101010", 2232), ("20220512000000", 3335)):
            body = (SERVICES / f"{service_id}.json").read_bytes()
            wb.get(f"https://web.archive.org/web/{stamp}id_/{api}/{service_id}").respond(
                200, content=body, headers={"content-type": "application/json"}
            )
        result = backfill_editions(["2022-09"], SourceSpec.parse("wayback"), settings)
    assert not result.failures, result.failures
    (outcome,) = result.outcomes
    assert outcome.kind == "archived" and outcome.services == 2
    assert [(r, s) for r, s, _ in outcome.not_loaded] == [("service 12665", "capture")]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT service_id, captured_at, source_url FROM selo.service_snapshot "
                "WHERE load_id = :l ORDER BY service_id"
            ),
            {"l": outcome.load_id},
        ).all()
        logged = conn.execute(
            text("SELECT count(*) FROM selo.fetch_log WHERE load_id = :l"), {"l": outcome.load_id}
        ).scalar_one()
    assert [(r.service_id, r.captured_at.strftime("%Y%m%d%H%M%S")) for r in rows] == [
        (2232, "20220701101010"),
        (3335, "20220512000000"),
    ]
    assert rows[0].source_url == f"{api}/2232"  # which URL and capture fed the service
    assert logged == 7  # five CDX answers and two captures, all archived
