"""Agreement statistics: kappa on textbook values, confusion, reason classes, contradictions."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from extract.replay import DEFAULT_REPLAY_DIR
from transform.agreement import (
    LEVELS,
    POLICY_RULES,
    UNCLASSIFIED,
    Pair,
    ReasonClass,
    cohen_kappa,
    compare,
    confusion_matrix,
    contradictions,
    match_figures,
)
from transform.identity import CatalogueName, catalogue_from_index, match_published
from transform.maturity.model import Classification, Evidence, Level
from transform.reference import FigureRow, PublishedRow, crosswalk, figure_rows, published_rows

A1, A2, A3, B, C = Level.A1, Level.A2, Level.A3, Level.B, Level.C


def classification(level: Level | None, rule: str = "A3_human_analysis") -> Classification:
    return Classification(
        service_id=0,
        level=level,
        rule=rule if level else "unclassified",
        rules_version="test",
        confidence=0.8,
        evidence=(Evidence(rule=rule, note="a fact", step=1, channel="web", span="análise"),),
        reason=None if level else "no steps",
    )


def pair(
    official: Level,
    automatic: Level | None,
    *,
    lineage: int = 1,
    rule: str = "A3_human_analysis",
    warnings: tuple[str, ...] = (),
    none: bool = False,
) -> Pair:
    auto = None if none else classification(automatic, rule)
    return Pair(100 + lineage, auto, official, f"service {lineage}", lineage, warnings)


def run(pairs: list[Pair], **kwargs: object) -> object:
    options: dict[str, object] = {
        "edition": "2022-09",
        "record_date": "2026-10-01",
        "edition_cutoff": "2022-07-31",
    }
    options.update(kwargs)
    return compare(pairs, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- kappa


def two_by_two(yy: int, yn: int, ny: int, nn: int) -> dict[str, dict[str, int]]:
    """Rater 1 in rows, rater 2 in columns; "yes" as A1 and "no" as B."""
    return {"A1": {"A1": yy, "B": yn}, "B": {"A1": ny, "B": nn}}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, p_o = 0.7, p_e = 0.5.
        ((20, 5, 10, 15), 0.4),
        # Same article, "same percentages but different numbers": both p_o = 0.6.
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_kappa_textbook_examples(cells: tuple[int, int, int, int], expected: float) -> None:
    kappa = cohen_kappa(two_by_two(*cells), ["A1", "B"])
    assert kappa == pytest.approx(expected, abs=5e-5)
    # Unused levels (all-zero rows and columns) change nothing.
    assert cohen_kappa(two_by_two(*cells), [lv.value for lv in LEVELS]) == pytest.approx(kappa)


def test_kappa_over_five_levels_matches_the_formula() -> None:
    matrix = {
        "A1": {"A1": 7, "A2": 1, "A3": 2, "B": 0, "C": 0},
        "A2": {"A1": 0, "A2": 3, "A3": 1, "B": 0, "C": 0},
        "A3": {"A1": 3, "A2": 0, "A3": 20, "B": 4, "C": 1},
        "B": {"A1": 0, "A2": 0, "A3": 2, "B": 5, "C": 1},
        "C": {"A1": 0, "A2": 0, "A3": 0, "B": 1, "C": 2},
    }
    cats = list(matrix)
    n = sum(sum(r.values()) for r in matrix.values())
    po = Fraction(sum(matrix[c][c] for c in cats), n)
    pe = sum(
        Fraction(sum(matrix[c].values()), n) * Fraction(sum(matrix[r][c] for r in cats), n)
        for c in cats
    )
    assert cohen_kappa(matrix) == pytest.approx(float((po - pe) / (1 - pe)))


def test_kappa_degenerate_cases() -> None:
    # Both raters put everything in one level: expected agreement is 1, kappa is undefined.
    assert cohen_kappa({"A3": {"A3": 12}}, ["A3"]) is None
    assert cohen_kappa({}, ["A1", "B"]) is None
    # Perfect agreement over several levels is 1; perfect disagreement on two levels is -1.
    assert cohen_kappa(two_by_two(10, 0, 0, 5), ["A1", "B"]) == pytest.approx(1.0)
    assert cohen_kappa(two_by_two(0, 5, 5, 0), ["A1", "B"]) == pytest.approx(-1.0)


# --------------------------------------------------------------------------- compare


def test_perfect_agreement() -> None:
    pairs = [pair(A1, A1, lineage=1), pair(A3, A3, lineage=2), pair(B, B, lineage=3)]
    report = compare(
        pairs, edition="2022-09", record_date="2022-07-01", edition_cutoff="2022-07-31"
    )
    assert (report.compared, report.agreed, report.agreement) == (3, 3, 1.0)
    assert report.kappa == pytest.approx(1.0)
    assert report.disagreements == []


def test_all_disagree() -> None:
    pairs = [pair(A1, A3, lineage=1), pair(A3, A1, lineage=2), pair(B, C, lineage=3)]
    report = compare(
        pairs, edition="2022-09", record_date="2026-10-01", edition_cutoff="2022-07-31"
    )
    assert report.agreement == 0.0
    assert report.kappa is not None and report.kappa < 0
    assert len(report.disagreements) == 3


def test_everything_in_one_level_has_no_kappa() -> None:
    report = compare(
        [pair(A3, A3, lineage=i) for i in range(5)],
        edition="2022-09",
        record_date="2026-10-01",
        edition_cutoff="2022-07-31",
    )
    assert report.agreement == 1.0 and report.kappa is None
    assert json.loads(json.dumps(report.to_json()))["kappa"] is None


def test_confusion_matrix_shape_and_sums() -> None:
    pairs = [
        pair(A1, A1, lineage=1),
        pair(A1, A3, lineage=2),
        pair(A3, A3, lineage=3),
        pair(A3, None, lineage=4),  # unclassified
        pair(B, None, lineage=5, none=True),  # no classification at all
        pair(C, B, lineage=6),
    ]
    matrix = confusion_matrix(pairs)
    assert list(matrix) == ["A1", "A2", "A3", "B", "C"]
    assert all(list(row) == ["A1", "A2", "A3", "B", "C", UNCLASSIFIED] for row in matrix.values())
    assert sum(sum(row.values()) for row in matrix.values()) == len(pairs)
    assert matrix["A3"][UNCLASSIFIED] == 1 and matrix["B"][UNCLASSIFIED] == 1
    assert {k: sum(v.values()) for k, v in matrix.items()} == {
        "A1": 2,
        "A2": 0,
        "A3": 2,
        "B": 1,
        "C": 1,
    }

    report = compare(
        pairs, edition="2022-09", record_date="2026-10-01", edition_cutoff="2022-07-31"
    )
    assert (report.total, report.compared, report.agreed) == (6, 4, 2)
    assert report.agreement == 0.5
    stats = report.per_level
    assert (stats["A1"].support, stats["A1"].predicted, stats["A1"].correct) == (2, 1, 1)
    assert (stats["A1"].precision, stats["A1"].recall) == (1.0, 0.5)
    assert (stats["A3"].precision, stats["A3"].recall) == (0.5, 0.5)  # unclassified is a miss
    assert stats["A2"].precision is None and stats["A2"].recall is None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (pair(A3, None, lineage=1, none=True), ReasonClass.PARSER_GAP),
        (pair(A3, None, lineage=1), ReasonClass.PARSER_GAP),
        (pair(A3, A1, lineage=1, warnings=("unknown channel type 'zap'",)), ReasonClass.PARSER_GAP),
        # lineage 9 is contested in the figure levels passed below
        (pair(A1, A3, lineage=9), ReasonClass.PUBLISHED_CONTRADICTION),
        (pair(A1, B, lineage=9, rule="B_email_only_access"), ReasonClass.PUBLISHED_CONTRADICTION),
        (pair(A3, B, lineage=1, rule="B_email_only_access"), ReasonClass.POLICY_CHOICE),
        (pair(A1, B, lineage=1, rule="B_step_without_digital_path"), ReasonClass.POLICY_CHOICE),
        # a policy rule where ANS did not publish a digital level is not the policy's doing
        (pair(C, B, lineage=1, rule="B_email_only_access"), ReasonClass.SERVICE_CHANGED),
        (pair(A3, A1, lineage=1, rule="A1_self_service"), ReasonClass.SERVICE_CHANGED),
    ],
)
def test_reason_classes(case: Pair, expected: ReasonClass) -> None:
    report = compare(
        [case],
        edition="2022-09",
        record_date="2026-10-01",
        edition_cutoff="2022-07-31",
        figure_levels={9: A3},
    )
    (disagreement,) = report.disagreements
    assert disagreement.reason_class is expected
    assert disagreement.explanation
    if case.automatic and case.automatic.level:
        assert disagreement.rule == case.automatic.rule
        assert disagreement.evidence == [
            {
                "rule": case.automatic.rule,
                "note": "a fact",
                "step": 1,
                "channel": "web",
                "span": "análise",
            }
        ]


def test_service_changed_names_both_dates_and_unexplained_otherwise() -> None:
    changed = run([pair(A3, A1, lineage=1, rule="A1_self_service")])
    (d,) = changed.disagreements  # type: ignore[attr-defined]
    assert d.reason_class is ReasonClass.SERVICE_CHANGED
    assert "2026-10-01" in d.explanation and "2022-07-31" in d.explanation
    same_time = run([pair(A3, A1, lineage=1, rule="A1_self_service")], record_date="2022-07-15")
    (d,) = same_time.disagreements  # type: ignore[attr-defined]
    assert d.reason_class is ReasonClass.UNEXPLAINED


def test_policy_rules_are_the_design_choices() -> None:
    assert frozenset({"B_email_only_access", "B_step_without_digital_path"}) == POLICY_RULES


def test_dates_must_be_iso() -> None:
    with pytest.raises(ValueError, match="record_date"):
        run([], record_date="01/10/2026")


def test_contradictions_in_compare_and_json() -> None:
    pairs = [pair(A1, A3, lineage=1), pair(A3, A3, lineage=2), pair(A1, A1, lineage=3)]
    report = compare(
        pairs,
        edition="2022-09",
        record_date="2026-10-01",
        edition_cutoff="2022-07-31",
        figure_levels={1: A3, 2: A3, 3: A3},
    )
    assert [(c.lineage, c.table_level, c.figure_level) for c in report.contradictions] == [
        (1, A1, A3),
        (3, A1, A3),
    ]
    (d,) = report.disagreements
    assert d.reason_class is ReasonClass.PUBLISHED_CONTRADICTION
    assert "agrees with the figure list" in d.explanation
    data = json.loads(json.dumps(report.to_json()))
    for key in ("edition", "compared", "agreement", "kappa", "confusion", "disagreements",
                "contradictions", "per_level", "unmatched", "ambiguous"):  # fmt: skip
        assert key in data
    assert data["disagreements"][0]["reason_class"] == "published_contradiction"
    assert data["reason_counts"]["published_contradiction"] == 1


def test_unmatched_and_ambiguous_come_from_the_identity_report() -> None:
    rows = [
        PublishedRow("2022-09", "x", 1, "Mantido", "DIGES", "Registrar plano de saúde", A3, "A3"),
        PublishedRow("2022-09", "x", 2, "Incluído", "DIFIS", "Acessar Boletim", A2, "A2"),
    ]
    matching = match_published(
        rows, [CatalogueName(7, "Registrar plano de saúde")], [], snapshot="s"
    )
    report = compare(
        [pair(A3, A3, lineage=1)],
        edition="2022-09",
        record_date="2026-10-01",
        edition_cutoff="2022-07-31",
        matching=matching,
    )
    assert [u["lineage"] for u in report.unmatched] == [2]
    assert report.ambiguous == []


# --------------------------------------------------------------------------- the seed's figures


def test_every_2022_figure_links_to_one_table_row() -> None:
    matching = match_figures(published_rows(), figure_rows())
    assert len(matching.by_lineage) == 44
    assert matching.lineages_without_figure == ()
    assert not matching.report.ambiguous and not matching.report.unmatched
    assert not matching.report.conflicts
    assert matching.by_lineage[13].service_name_upper == "GERENCIAR SENHA TXT (SISCOSEN)"
    assert matching.by_lineage[46].figure == 21  # "ACESSAR BOLETIM DO PROGRAMA DA CIDADANIA"


def test_the_two_real_contradictions() -> None:
    found = contradictions(published_rows(), figure_rows())
    assert [(c.lineage, c.table_level, c.figure_level, c.figure) for c in found] == [
        (1, A1, A3, 22),
        (45, A1, A3, 24),
    ]
    assert found[0].name == "Acessar o acervo da biblioteca da ANS"
    assert found[1].name.startswith("Emitir certidão de situação cadastral de operadoras")


def test_contradictions_on_hand_made_rows() -> None:
    rows = [
        PublishedRow("2022-09", "x", 1, "Mantido", "DIGES", "Registrar plano de saúde", A3, "A3"),
        PublishedRow("2022-09", "x", 2, "Mantido", "DIGES", "Gerenciar APIs", A1, "A1"),
        PublishedRow("2021-09", "x", 2, "Mantido", "DIGES", "Gerenciar APIs", B, "B"),
    ]
    figures = [FigureRow(1, A3, "REGISTRAR PLANO DE SAÚDE"), FigureRow(2, A2, "GERENCIAR APIs")]
    (c,) = contradictions(rows, figures)
    assert (c.lineage, c.table_level, c.figure_level, c.figure) == (2, A1, A2, 2)


def test_real_2022_edition_end_to_end_shape() -> None:
    """Identity + figures + compare on the real published data, with a stand-in classifier."""
    index = json.loads((DEFAULT_REPLAY_DIR / "ans_index.json").read_text(encoding="utf-8"))
    rows = published_rows("2022-09")
    matching = match_published(
        rows, catalogue_from_index(index), crosswalk("govbr-2026-10"), snapshot="govbr-2026-10"
    )
    assert len(matching.matched) == 42 and set(matching.unmatched) == {46, 47}
    figure_levels = match_figures(published_rows(), figure_rows()).levels()
    pairs = []
    for r in rows:
        service_id = matching.service_id_for(r)
        if service_id is not None:
            pairs.append(Pair(service_id, classification(A3), r.level, r.service_name, r.lineage))
    report = compare(
        pairs,
        edition="2022-09",
        record_date="2026-10-01",
        edition_cutoff="2022-07-31",
        figure_levels=figure_levels,
        matching=matching,
    )
    assert report.total == report.compared == 42
    assert [u["lineage"] for u in report.unmatched] == [46, 47]
    assert {c.lineage for c in report.contradictions} == {1, 45}
    # The two contested services, rated A3 here, side with the figure list.
    contested = [d for d in report.disagreements if d.lineage in (1, 45)]
    assert {d.reason_class for d in contested} == {ReasonClass.PUBLISHED_CONTRADICTION}
    others = [d for d in report.disagreements if d.lineage not in (1, 45)]
    assert {d.reason_class for d in others} <= {ReasonClass.SERVICE_CHANGED}
    assert report.agreed == sum(p.official is A3 for p in pairs)
