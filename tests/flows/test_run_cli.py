"""`selo run` end to end on the recorded catalogue, against a real PostgreSQL database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from extract.replay import DEFAULT_REPLAY_DIR
from selo.cli import app

FAULTY = Path(__file__).resolve().parents[1] / "fixtures" / "replay-faulty"
RECORDED = sorted((DEFAULT_REPLAY_DIR / "services").glob("*.json"))

runner = CliRunner()


def selo(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def editions(database_url: str) -> list[dict]:  # type: ignore[type-arg]
    code, stdout, stderr = selo("editions", "--json", "--database-url", database_url)
    assert code == 0, stderr
    return json.loads(stdout)  # type: ignore[no-any-return]


def edition(database_url: str, code: str) -> dict:  # type: ignore[type-arg]
    (found,) = [e for e in editions(database_url) if e["code"] == code]
    return found


def test_replay_run_loads_every_recorded_record(database_url: str, engine: Engine) -> None:
    code, stdout, stderr = selo(
        "run", "--source", "replay", "--edition", "2026-09", "--database-url", database_url
    )
    assert code == 0, stderr
    found = edition(database_url, "2026-09")
    assert found["status"] == "published"
    assert found["services"] == len(RECORDED) == 44
    assert sum(found["levels"].values()) == 44
    assert set(found["levels"]) == {"A1", "A2", "A3", "B", "C", "unclassified"}
    assert f"{found['services']}" in stdout and "share digital" in stdout

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.service_id, s.level, s.rule, s.evidence, s.unclassified_reason, "
                "s.raw_sha256, s.rules_version FROM selo.service_snapshot s "
                "JOIN selo.edition e ON e.current_load_id = s.load_id WHERE e.code = '2026-09'"
            )
        ).all()
        archived = conn.execute(
            text(
                "SELECT count(*) FROM selo.fetch_log f JOIN selo.edition e "
                "ON e.current_load_id = f.load_id WHERE e.code = '2026-09'"
            )
        ).scalar_one()
    assert {r.service_id for r in rows} == {int(p.stem) for p in RECORDED}
    for r in rows:
        assert r.rule and r.rules_version and r.raw_sha256
        assert (r.level is None) == (r.unclassified_reason is not None)
        if r.level:
            assert r.evidence, f"service {r.service_id} has a level without evidence"
    # The listing plus one response per record, each archived with its hash.
    assert archived == 45


def test_second_run_adds_a_load_and_keeps_the_first(database_url: str, engine: Engine) -> None:
    args = ("run", "--source", "replay", "--edition", "2024-09", "--database-url", database_url)
    assert selo(*args)[0] == 0
    first = edition(database_url, "2024-09")
    assert selo(*args)[0] == 0
    second = edition(database_url, "2024-09")

    loads = second["loads"]
    assert [load["status"] for load in loads] == ["complete", "complete"]
    assert [load["current"] for load in loads] == [False, True]
    assert second["current_load"] == loads[1]["id"] != first["current_load"]
    assert second["levels"] == first["levels"]
    with engine.connect() as conn:
        per_load = conn.execute(
            text(
                "SELECT load_id, count(*) AS n, count(DISTINCT service_id) AS distinct_ids "
                "FROM selo.service_snapshot WHERE load_id = ANY(:ids) GROUP BY load_id "
                "ORDER BY load_id"
            ),
            {"ids": [load["id"] for load in loads]},
        ).all()
    assert [(r.n, r.distinct_ids) for r in per_load] == [(44, 44), (44, 44)]


def test_a_bad_record_is_named_and_the_others_load(database_url: str, engine: Engine) -> None:
    code, stdout, stderr = selo(
        "run",
        "--source",
        f"replay:{FAULTY}",
        "--edition",
        "2019-09",
        "--database-url",
        database_url,
    )
    assert code == 0, stderr
    flat = " ".join(stdout.split())
    # 11503 is a truncated body: reported by id with the reason, never loaded.
    assert "not loaded: service 11503 (parse): not valid JSON" in flat
    # 2233 uses a channel type outside the closed set: loaded, unclassified, with the reason.
    assert "unclassified: service 2233" in flat and "web-holograma" in flat
    found = edition(database_url, "2019-09")
    assert found["services"] == 4
    assert found["levels"]["unclassified"] == 1
    with engine.connect() as conn:
        issues = conn.execute(
            text(
                "SELECT i.record, i.stage, i.reason FROM selo.record_issue i "
                "WHERE i.load_id = :load"
            ),
            {"load": found["current_load"]},
        ).all()
    assert [(i.record, i.stage) for i in issues] == [("service 11503", "parse")]


def test_an_empty_catalogue_fails_with_one_line(database_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other-agency"
    other.mkdir()
    (other / "1.json").write_text(
        json.dumps(
            {
                "id": "https://servicos.gov.br/api/v1/servicos/1",
                "nome": "x",
                "etapas": [],
                "orgao": {"id": "http://x/unidade-organizacional/1"},
            }
        )
    )
    code, _, stderr = selo(
        "run", "--source", f"replay:{other}", "--edition", "2018-09", "--database-url", database_url
    )
    assert code == 1
    assert stderr.count("\n") == 1 and stderr.startswith("selo: error:")
    assert "lists no services for agency 45013" in stderr
    found = edition(database_url, "2018-09")
    assert found["status"] == "unpublished"
    assert [load["status"] for load in found["loads"]] == ["failed"]
    assert "lists no services" in found["loads"][0]["error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--edition", "2026"), "not of the form YYYY-MM"),
        (("--source", "ftp"), "unknown source 'ftp'"),
        (("--source", "replay:/no/such/dir"), "does not exist"),
    ],
)
def test_bad_arguments_fail_with_one_line(
    database_url: str, args: tuple[str, ...], message: str
) -> None:
    code, _, stderr = selo("run", *args, "--database-url", database_url)
    assert code == 1
    assert message in stderr and stderr.count("\n") == 1


def test_classify_prints_level_rule_and_evidence() -> None:
    code, stdout, _ = selo("classify", "--json", *map(str, RECORDED[:5]))
    assert code == 0
    results = json.loads(stdout)
    assert len(results) == 5
    for r in results:
        assert r["rule"] and r["rules_version"]
        assert (r["level"] is None) == (r["reason"] is not None)


def test_classify_names_an_unreadable_file() -> None:
    code, _, stderr = selo("classify", str(FAULTY / "11503.json"), str(FAULTY / "2232.json"))
    assert code == 1
    assert "11503.json" in stderr and "not valid JSON" in stderr


def test_rules_lists_every_registered_rule() -> None:
    from transform.maturity import RULES, RULES_VERSION

    code, stdout, _ = selo("rules")
    assert code == 0 and RULES_VERSION in stdout
    assert all(name in stdout for name in RULES)


def test_classify_reads_all_three_formats() -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    legacy = DEFAULT_REPLAY_DIR.parent / "legacy-2018" / "servicos"
    files = [
        RECORDED[0],
        sorted(legacy.glob("*.xml"))[0],
        sorted((fixtures / "html-2023").glob("*.html"))[0],
    ]
    code, stdout, _ = selo("classify", "--json", *map(str, files))
    assert code == 0
    assert [r["format"] for r in json.loads(stdout)] == ["api-json", "legacy-xml", "page-html"]
