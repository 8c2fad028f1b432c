"""`selo agreement`: the automatic levels against the published seal, on the shipped records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from selo.cli import app
from transform.agreement import ReasonClass

runner = CliRunner()


def agreement(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["agreement", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edition", "snapshot", "published"),
    [("2022-09", "govbr-2026-10", 44), ("2020-11", "legacy-2018", 16)],
)
def test_report_is_complete_and_consistent(edition: str, snapshot: str, published: int) -> None:
    report = agreement("--edition", edition)
    assert {"edition", "compared", "agreement", "kappa", "confusion", "disagreements"} <= set(
        report
    )
    assert report["edition"] == edition and report["snapshot"] == snapshot
    # Every published service is compared, merged into another, or reported as not matched.
    matched_lineages = report["total"] + len(report["unmatched"]) + len(report["ambiguous"])
    assert matched_lineages <= published and report["compared"] == report["total"]
    assert sum(sum(row.values()) for row in report["confusion"].values()) == report["total"]
    diagonal = sum(report["confusion"][level][level] for level in report["confusion"])
    assert diagonal == report["agreed"] == report["compared"] - len(report["disagreements"])
    assert report["agreement"] == pytest.approx(report["agreed"] / report["compared"])
    assert -1 <= report["kappa"] <= 1
    for d in report["disagreements"]:
        assert d["official"] != d["automatic"]
        assert d["reason_class"] in {r.value for r in ReasonClass}
        assert d["explanation"] and d["evidence"] and d["rule"]


def test_2022_lists_the_seeds_own_contradictions_and_the_services_without_record() -> None:
    report = agreement("--edition", "2022-09")
    assert {
        (c["lineage"], c["table_level"], c["figure_level"]) for c in report["contradictions"]
    } == {
        (1, "A1", "A3"),
        (45, "A1", "A3"),
    }
    assert sorted(u["lineage"] for u in report["unmatched"]) == [46, 47]


def test_2020_against_the_legacy_archive_reports_the_duplicate_record() -> None:
    report = agreement("--edition", "2020-11")
    (issue,) = report["not_loaded"]
    assert "duplicate of service 3086" in issue["reason"]


def test_an_unknown_edition_fails_with_one_line() -> None:
    result = runner.invoke(app, ["agreement", "--edition", "2019-09"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no published edition '2019-09'" in result.stderr


def test_the_readable_report_names_each_disagreement() -> None:
    result = runner.invoke(app, ["agreement", "--edition", "2022-09"])
    assert result.exit_code == 0
    report = agreement("--edition", "2022-09")
    for d in report["disagreements"]:
        assert f"- {d['service_id']} «" in result.stdout
