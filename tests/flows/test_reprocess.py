"""`selo reprocess` and `selo diff`: an edition classified again from the warehouse's archive."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import respx
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from selo.cli import app
from transform.maturity import RULES_VERSION, Classification, Level
from transform.models import Service

FAULTY = Path(__file__).resolve().parents[1] / "fixtures" / "replay-faulty"
NEW_RULES = "9999.1.0-test"

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, stdout, stderr = invoke(*args)
    assert code == 0, stderr or stdout
    return " ".join(stdout.split())


def edition(database_url: str, code: str, kind: str = "scraped") -> dict[str, Any]:
    listed = json.loads(ok("editions", "--json", "--database-url", database_url))
    (found,) = [e for e in listed if e["code"] == code and e["source_kind"] == kind]
    return found  # type: ignore[no-any-return]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No HTTP at all (strict respx, no routes), and no extract that could fetch."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("reprocess must not fetch")

    for name in ("fetch_agency_catalogue", "capture_agency", "ReplayCatalogue", "extract_files"):
        monkeypatch.setattr(f"flows.sources.{name}", refuse)
    with respx.mock(assert_all_mocked=True, assert_all_called=False):
        yield


Tweak = Callable[[Classification], Classification]
Rules = Callable[..., None]


@pytest.fixture
def new_rules(monkeypatch: pytest.MonkeyPatch) -> Rules:
    """``install(version, {service id: tweak})``: a new rules version, some results altered."""
    from transform.maturity import classify_service as original

    def install(version: str = NEW_RULES, changes: dict[int, Tweak] | None = None) -> None:
        monkeypatch.setattr("flows.edition.RULES_VERSION", version)
        monkeypatch.setattr("transform.maturity.rules.RULES_VERSION", version)

        def classify(service: Service) -> Classification:
            result = original(service)
            change = (changes or {}).get(service.id)
            return change(result) if change else result

        monkeypatch.setattr("transform.pipeline.classify_service", classify)

    return install


def _run(database_url: str, code: str, source: str) -> str:
    ok("run", "--source", source, "--edition", code, "--database-url", database_url)
    return code


# Every edition is built before the tests go offline (module fixtures come first).


@pytest.fixture(scope="module")
def replayed(database_url: str) -> str:
    return _run(database_url, "2013-09", "replay")


@pytest.fixture(scope="module")
def replayed_again(database_url: str) -> str:
    return _run(database_url, "2010-09", "replay")


@pytest.fixture(scope="module")
def faulty(database_url: str) -> str:
    return _run(database_url, "2012-09", f"replay:{FAULTY}")


@pytest.fixture(scope="module")
def archived(database_url: str) -> str:
    ok("backfill", "--editions", "2011-07", "--source", "legacy", "--database-url", database_url)
    return "2011-07"


@pytest.fixture(scope="module")
def published(database_url: str) -> str:
    # Idempotent: the backfill tests may have loaded it already.
    ok("backfill", "--editions", "2020-11", "--source", "published", "--database-url", database_url)
    return "2020-11"


def _snapshots(engine: Engine, load_id: int) -> dict[int, Any]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT service_id, level, rule, rules_version, raw_sha256, source_url, "
                "captured_at, service_keys FROM selo.service_snapshot WHERE load_id = :l"
            ),
            {"l": load_id},
        ).all()
    return {r.service_id: r for r in rows}


def _count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def test_reprocess_with_new_rules_is_a_new_current_load_and_diff_names_the_change(
    database_url: str, engine: Engine, replayed: str, offline: None, new_rules: Rules
) -> None:
    db = ("--database-url", database_url)
    old = edition(database_url, replayed)["current_load"]
    before = _snapshots(engine, old)
    demoted, renamed = sorted(i for i, r in before.items() if r.level in ("A1", "A3"))[:2]
    new_rules(
        NEW_RULES,
        {
            demoted: lambda c: replace(c, level=Level.C, rule="test_forced_c"),
            renamed: lambda c: replace(c, rule=f"{c.rule}_renamed"),
        },
    )

    out = ok("reprocess", "--edition", replayed, *db)
    assert f"Reprocessed load {old} (rules {RULES_VERSION})" in out and "without the network" in out
    found = edition(database_url, replayed)
    new = found["current_load"]
    assert new != old and f"Edition {replayed} (scraped)" in out
    assert f"published as load {new}" in out
    loads = {load["id"]: load for load in found["loads"]}
    assert loads[new]["status"] == "complete" and loads[new]["current"]
    assert loads[new]["source"] == f"reprocess:load {old}"
    assert loads[new]["rules_version"] == NEW_RULES
    # The previous load stays queryable, with its rules version.
    assert loads[old]["status"] == "complete" and not loads[old]["current"]
    assert loads[old]["rules_version"] == RULES_VERSION
    assert {r.rules_version for r in _snapshots(engine, old).values()} == {RULES_VERSION}

    after = _snapshots(engine, new)
    assert after.keys() == before.keys()
    assert {r.rules_version for r in after.values()} == {NEW_RULES}
    for service_id, row in after.items():  # the same archived documents, from the same places
        was = before[service_id]
        assert (row.raw_sha256, row.source_url, row.captured_at, row.service_keys) == (
            was.raw_sha256,
            was.source_url,
            was.captured_at,
            was.service_keys,
        )
    assert (after[demoted].level, after[demoted].rule) == ("C", "test_forced_c")
    assert _count(engine, "SELECT count(*) FROM selo.fetch_log WHERE load_id = :l", l=new) == 0

    data = json.loads(ok("diff", "--edition", replayed, "--json", *db))
    assert (data["from"]["id"], data["to"]["id"]) == (old, new)
    assert data["from"]["rules_version"] == RULES_VERSION
    assert data["to"]["rules_version"] == NEW_RULES
    (level,) = data["level_changes"]
    assert level["service_id"] == demoted
    assert (level["from_level"], level["to_level"]) == (before[demoted].level, "C")
    assert (level["from_rule"], level["to_rule"]) == (before[demoted].rule, "test_forced_c")
    (rule,) = data["rule_changes"]
    assert rule["service_id"] == renamed and rule["from_level"] == rule["to_level"]
    assert rule["to_rule"] == f"{before[renamed].rule}_renamed"
    assert data["added"] == data["removed"] == []
    assert data["unchanged"] == len(before) - 2

    shown = ok("diff", "--edition", replayed, *db)
    assert f"load {old} -> load {new}" in shown
    assert f"rules: {RULES_VERSION} -> {NEW_RULES}" in shown
    assert "level changes: 1" in shown and "rule-only changes: 1" in shown
    assert f"{demoted} " in shown
    assert f"{before[demoted].level} ({before[demoted].rule}) -> C (test_forced_c)" in shown
    assert "added: 0" in shown and "removed: 0" in shown
    back = json.loads(
        ok("diff", "--edition", replayed, "--from", str(new), "--to", str(old), "--json", *db)
    )
    assert [c["to_level"] for c in back["level_changes"]] == [before[demoted].level]

    # Again with the same rules: an `unchanged` attempt, nothing loaded, nothing moved.
    rows = _count(engine, "SELECT count(*) FROM selo.service_snapshot")
    again = ok("reprocess", "--edition", replayed, *db)
    assert f"unchanged: same documents and rules as load {new} (rules {NEW_RULES})" in again
    found = edition(database_url, replayed)
    assert found["current_load"] == new
    assert [load["status"] for load in found["loads"]] == ["complete", "complete", "unchanged"]
    assert _count(engine, "SELECT count(*) FROM selo.service_snapshot") == rows


def test_reprocess_with_the_same_rules_is_unchanged(
    database_url: str, replayed_again: str, offline: None
) -> None:
    # Replayed through the catalogue client, then read back from the warehouse: the same
    # documents and the same rules as the load that fetched them, so nothing new is loaded.
    first = edition(database_url, replayed_again)
    load = first["current_load"]
    out = ok("reprocess", "--edition", replayed_again, "--database-url", database_url)
    assert f"unchanged: same documents and rules as load {load} (rules {RULES_VERSION})" in out
    found = edition(database_url, replayed_again)
    assert found["current_load"] == load
    assert found["loads"][: len(first["loads"])] == first["loads"]
    assert [x["status"] for x in found["loads"][len(first["loads"]) :]] == ["unchanged"]


def test_a_record_that_failed_to_parse_is_read_and_reported_again(
    database_url: str, engine: Engine, faulty: str, offline: None, new_rules: Rules
) -> None:
    loads = [edition(database_url, faulty)["current_load"]]
    # Twice: from the load that fetched the records, then from that reprocessed load (the
    # unread record's body is still found in the fetch_log of the load that fetched it).
    for version in (NEW_RULES, f"{NEW_RULES}.2"):
        new_rules(version)
        out = ok("reprocess", "--edition", faulty, "--database-url", database_url)
        assert "not loaded: service 11503 (parse): not valid JSON" in out
        assert "unclassified: service 2233" in out and "web-holograma" in out
        found = edition(database_url, faulty)
        assert found["current_load"] not in loads
        assert found["services"] == 4 and found["levels"]["unclassified"] == 1
        loads.append(found["current_load"])
        with engine.connect() as conn:
            issues = conn.execute(
                text("SELECT record, stage, reason FROM selo.record_issue WHERE load_id = :l"),
                {"l": loads[-1]},
            ).all()
        assert [(i.record, i.stage) for i in issues] == [("service 11503", "parse")]
        assert "not valid JSON" in issues[0].reason and "not read again" not in issues[0].reason
    assert f"Reprocessed load {loads[1]}" in out and f"first fetched by load {loads[0]}" in out


def test_an_archived_edition_is_reprocessed_as_archived(
    database_url: str, engine: Engine, archived: str, offline: None, new_rules: Rules
) -> None:
    db = ("--database-url", database_url)
    old = edition(database_url, archived, "archived")["current_load"]
    out = ok("reprocess", "--edition", archived, *db)
    assert f"unchanged: same documents and rules as load {old}" in out  # files named as before

    new_rules()
    out = ok("reprocess", "--edition", archived, "--kind", "archived", *db)
    found = edition(database_url, archived, "archived")
    new = found["current_load"]
    assert new != old and f"Edition {archived} (archived)" in out
    assert "duplicate of service 3086" in out  # the legacy archive's duplicate, reported again
    before, after = _snapshots(engine, old), _snapshots(engine, new)
    assert {i: r.service_keys for i, r in after.items()} == {
        i: r.service_keys for i, r in before.items()
    }  # the legacy crosswalk still applies
    assert after[2234].service_keys == ["45013:L20"]
    data = json.loads(ok("diff", "--edition", archived, "--json", *db))
    assert data["level_changes"] == data["rule_changes"] == []
    assert data["unchanged"] == len(before) == 16


def _fails(*args: str) -> str:
    code, _, stderr = invoke(*args)
    assert code == 1, stderr
    assert stderr.startswith("selo: error:") and stderr.count("\n") == 1, stderr
    return " ".join(stderr.split())


def test_a_published_edition_cannot_be_reprocessed(
    database_url: str, published: str, offline: None
) -> None:
    db = ("--database-url", database_url)
    message = _fails("reprocess", "--edition", published, *db)
    assert f"edition {published} of agency 45013 is a published (official) edition" in message
    assert "only automatic editions (scraped or archived) can be reprocessed" in message
    assert "can be reprocessed" in _fails(
        "reprocess", "--edition", published, "--kind", "published", *db
    )
    assert "can be compared" in _fails("diff", "--edition", published, *db)


def test_unusable_editions_and_loads_are_refused_with_one_line(
    database_url: str, replayed_again: str, tmp_path: Path
) -> None:
    db = ("--database-url", database_url)
    # An edition whose only run failed has no current load.
    code, _, _ = invoke("run", "--source", f"replay:{tmp_path}", "--edition", "2011-09", *db)
    assert code == 1
    assert "has no current load to reprocess" in _fails("reprocess", "--edition", "2011-09", *db)
    assert "no edition 2001-01 of agency 45013" in _fails("reprocess", "--edition", "2001-01", *db)
    assert "unknown edition kind 'mixed'" in _fails(
        "reprocess", "--edition", replayed_again, "--kind", "mixed", *db
    )
    assert "no archived edition" in _fails(
        "reprocess", "--edition", replayed_again, "--kind", "archived", *db
    )
    # One complete load: nothing to compare it with.
    assert "no complete load before load" in _fails("diff", "--edition", replayed_again, *db)
    ok("reprocess", "--edition", replayed_again, *db)  # an `unchanged` attempt: no rows
    unchanged = edition(database_url, replayed_again)["loads"][-1]
    assert "is unchanged: only complete loads" in _fails(
        "diff", "--edition", replayed_again, "--from", str(unchanged["id"]), *db
    )
    assert "no load 999999" in _fails("diff", "--edition", replayed_again, "--from", "999999", *db)
