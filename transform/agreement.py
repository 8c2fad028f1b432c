"""How far the automatic levels agree with the levels ANS published by hand, and why they differ.

Pure statistics over (service, automatic classification, official level) pairs: agreement rate,
Cohen's kappa (by hand, from the confusion matrix), a confusion matrix, per-level precision and
recall, and every disagreement with its evidence and a reason class.

Reason classes, decided in this order (the first that applies wins):

1. ``parser_gap``: there is no automatic level (no classification, or "unclassified"), or the
   record parsed with warnings, so the automatic side may rest on incomplete data.
2. ``published_contradiction``: the seed's own sources disagree on this service's official level
   (Table 2 vs the figure list of the 2022 e-book), so "the official level" is itself contested.
3. ``policy_choice``: the deciding rule is one of :data:`POLICY_RULES`, the choices DESIGN.md §2
   made explicitly where the seed is silent (e-mail as the only electronic way in -> B; a step with
   no digital channel -> B), and ANS published a digital level (A1-A3) for the service.
4. ``service_changed``: the classified record was captured more than a month away from the
   edition's cut-off (after it, or before it), so the service may have changed between the two;
   the explanation gives both dates.
5. ``unexplained``: none of the above; read the evidence.

Reading of the counts: ``compared`` counts pairs with an automatic level; ``agreement`` and
``kappa`` are over those pairs only. The confusion matrix and the per-level stats cover every
pair, an unclassified service counting in the ``unclassified`` column (so it lowers recall).
Rates are ``None`` when undefined (nothing compared; kappa when expected agreement is 1, i.e.
both sides put every service in the same single level).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from transform.identity import CatalogueName, MatchReport, match_names
from transform.maturity.model import Classification, Level
from transform.reference import FigureRow, PublishedRow

__all__ = [
    "LEVELS",
    "POLICY_RULES",
    "UNCLASSIFIED",
    "AgreementReport",
    "Contradiction",
    "Disagreement",
    "FigureMatching",
    "LevelStats",
    "Pair",
    "ReasonClass",
    "cohen_kappa",
    "compare",
    "confusion_matrix",
    "contradictions",
    "match_figures",
]

LEVELS: tuple[Level, ...] = tuple(Level)
UNCLASSIFIED = "unclassified"
# Rules deciding a level by a policy DESIGN.md §2 chose where the seed is silent.
POLICY_RULES: frozenset[str] = frozenset({"B_email_only_access", "B_step_without_digital_path"})


class ReasonClass(StrEnum):
    PARSER_GAP = "parser_gap"
    PUBLISHED_CONTRADICTION = "published_contradiction"
    POLICY_CHOICE = "policy_choice"
    SERVICE_CHANGED = "service_changed"
    UNEXPLAINED = "unexplained"


@dataclass(frozen=True, slots=True)
class Pair:
    """One published service and what the classifier made of its catalogue record."""

    service_id: int
    automatic: Classification | None  # None: no classification at all
    official: Level
    published_name: str
    lineage: int
    warnings: tuple[str, ...] = ()  # parse warnings of the record

    @property
    def automatic_level(self) -> Level | None:
        return self.automatic.level if self.automatic is not None else None


@dataclass(frozen=True, slots=True)
class Contradiction:
    """The seed's Table 2 and its figure list give one service different levels."""

    lineage: int
    name: str
    table_level: Level
    figure_level: Level
    figure: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "lineage": self.lineage,
            "name": self.name,
            "table_level": self.table_level.value,
            "figure_level": self.figure_level.value,
            "figure": self.figure,
        }


@dataclass(frozen=True)
class Disagreement:
    service_id: int
    name: str
    lineage: int
    official: Level
    automatic: Level | None
    rule: str | None
    evidence: list[dict[str, Any]]
    reason_class: ReasonClass
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "name": self.name,
            "lineage": self.lineage,
            "official": self.official.value,
            "automatic": self.automatic.value if self.automatic else None,
            "rule": self.rule,
            "evidence": self.evidence,
            "reason_class": self.reason_class.value,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class LevelStats:
    level: Level
    support: int  # pairs whose official level is this one
    predicted: int  # pairs whose automatic level is this one
    correct: int
    precision: float | None  # correct / predicted
    recall: float | None  # correct / support (an unclassified pair counts as a miss)

    def to_json(self) -> dict[str, Any]:
        return {
            "support": self.support,
            "predicted": self.predicted,
            "correct": self.correct,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass(frozen=True)
class AgreementReport:
    edition: str
    record_date: str
    edition_cutoff: str
    total: int  # every pair
    compared: int  # pairs with an automatic level
    agreed: int
    agreement: float | None
    kappa: float | None
    confusion: dict[str, dict[str, int]]  # official -> automatic (+ "unclassified") -> count
    per_level: dict[str, LevelStats]
    disagreements: list[Disagreement]
    contradictions: list[Contradiction]
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def reason_counts(self) -> dict[str, int]:
        counts = {r.value: 0 for r in ReasonClass}
        for d in self.disagreements:
            counts[d.reason_class.value] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "record_date": self.record_date,
            "edition_cutoff": self.edition_cutoff,
            "total": self.total,
            "compared": self.compared,
            "agreed": self.agreed,
            "agreement": self.agreement,
            "kappa": self.kappa,
            "confusion": self.confusion,
            "per_level": {k: v.to_json() for k, v in self.per_level.items()},
            "reason_counts": self.reason_counts(),
            "disagreements": [d.to_json() for d in self.disagreements],
            "contradictions": [c.to_json() for c in self.contradictions],
            "unmatched": self.unmatched,
            "ambiguous": self.ambiguous,
            "conflicts": self.conflicts,
        }


def confusion_matrix(pairs: Iterable[Pair]) -> dict[str, dict[str, int]]:
    """official -> automatic -> count; rows are the 5 levels, columns add ``unclassified``."""
    columns = [lv.value for lv in LEVELS] + [UNCLASSIFIED]
    matrix = {lv.value: dict.fromkeys(columns, 0) for lv in LEVELS}
    for pair in pairs:
        automatic = pair.automatic_level
        matrix[pair.official.value][automatic.value if automatic else UNCLASSIFIED] += 1
    return matrix


def cohen_kappa(
    matrix: Mapping[str, Mapping[str, int]], categories: Sequence[str] | None = None
) -> float | None:
    """Cohen's kappa of a square confusion matrix over ``categories`` (default: its row keys).

    kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement (diagonal share) and p_e the
    agreement expected by chance from the two raters' marginals. Cells outside ``categories``
    (e.g. "unclassified") are ignored. ``None`` when undefined: no observations, or p_e == 1
    (both raters used one and the same category for everything, so chance explains it all).
    """
    cats = list(categories) if categories is not None else list(matrix)
    n = sum(matrix.get(r, {}).get(c, 0) for r in cats for c in cats)
    if n == 0:
        return None
    observed = sum(matrix.get(c, {}).get(c, 0) for c in cats) / n
    rows = {r: sum(matrix.get(r, {}).get(c, 0) for c in cats) for r in cats}
    cols = {c: sum(matrix.get(r, {}).get(c, 0) for r in cats) for c in cats}
    expected = sum(rows[c] * cols[c] for c in cats) / (n * n)
    if abs(1.0 - expected) < 1e-12:
        return None
    return (observed - expected) / (1.0 - expected)


def _level_stats(pairs: Sequence[Pair]) -> dict[str, LevelStats]:
    out = {}
    for level in LEVELS:
        support = sum(p.official is level for p in pairs)
        predicted = sum(p.automatic_level is level for p in pairs)
        correct = sum(p.official is level and p.automatic_level is level for p in pairs)
        out[level.value] = LevelStats(
            level,
            support,
            predicted,
            correct,
            precision=correct / predicted if predicted else None,
            recall=correct / support if support else None,
        )
    return out


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def _classify_reason(
    pair: Pair,
    figure_level: Level | None,
    record_date: str,
    edition_cutoff: str,
    *,
    changed: bool,
) -> tuple[ReasonClass, str]:
    auto = pair.automatic
    level = pair.automatic_level
    official = pair.official.value
    if auto is None or level is None:
        why = "no classification" if auto is None else (auto.reason or auto.rule)
        return (
            ReasonClass.PARSER_GAP,
            f"No automatic level ({why}); ANS published {official}.",
        )
    said = f"automatic {level.value} by {auto.rule}"
    if pair.warnings:
        return (
            ReasonClass.PARSER_GAP,
            f"The record parsed with warnings ({'; '.join(pair.warnings)}), so {said} may rest "
            f"on incomplete data; ANS published {official}.",
        )
    if figure_level is not None and figure_level is not pair.official:
        sides = (
            "agrees with the figure list"
            if level is figure_level
            else "agrees with neither"
            if level is not pair.official
            else "agrees with Table 2"
        )
        return (
            ReasonClass.PUBLISHED_CONTRADICTION,
            f"The seed contradicts itself: Table 2 says {official}, its figure list says "
            f"{figure_level.value}; {said} {sides}.",
        )
    if auto.rule in POLICY_RULES and pair.official.is_digital:
        return (
            ReasonClass.POLICY_CHOICE,
            f"{said}: a policy DESIGN.md §2 chose where the seed is silent; ANS published "
            f"{official} (digital) for it.",
        )
    if changed:
        when = "after" if record_date > edition_cutoff else "before"
        return (
            ReasonClass.SERVICE_CHANGED,
            f"The record is dated {record_date}, {when} the edition's cut-off {edition_cutoff}: "
            f"the service may differ from the one ANS rated {official}; {said}.",
        )
    return (
        ReasonClass.UNEXPLAINED,
        f"ANS published {official}, {said}, from a record dated {record_date} (cut-off "
        f"{edition_cutoff}); no known reason: read the evidence.",
    )


def compare(
    pairs: Iterable[Pair],
    *,
    edition: str,
    record_date: str,
    edition_cutoff: str,
    figure_levels: Mapping[int, Level] | None = None,
    matching: MatchReport | None = None,
) -> AgreementReport:
    """Agreement of ``pairs`` (one edition) with the published levels.

    ``record_date`` is when the classified records were captured and ``edition_cutoff`` the
    edition's cut-off (ISO dates). ``figure_levels`` (lineage -> level per the figure list) turns
    on the contradiction check. ``matching`` (the identity report, restricted to the edition)
    contributes its unmatched / ambiguous / conflicting lineages to the report.
    """
    items = sorted(pairs, key=lambda p: (p.lineage, p.service_id))
    # A record captured more than a month away from the cut-off, either side, may show the
    # service as it was not when ANS rated it.
    gap = _date(record_date, "record_date") - _date(edition_cutoff, "edition_cutoff")
    changed = abs(gap.days) > 31
    figures = dict(figure_levels or {})

    confusion = confusion_matrix(items)
    compared = [p for p in items if p.automatic_level is not None]
    agreed = sum(p.automatic_level is p.official for p in compared)

    found: list[Contradiction] = []
    disagreements: list[Disagreement] = []
    for pair in items:
        figure_level = figures.get(pair.lineage)
        if figure_level is not None and figure_level is not pair.official:
            found.append(
                Contradiction(pair.lineage, pair.published_name, pair.official, figure_level)
            )
        if pair.automatic_level is pair.official:
            continue
        reason, explanation = _classify_reason(
            pair, figure_level, record_date, edition_cutoff, changed=changed
        )
        auto = pair.automatic
        disagreements.append(
            Disagreement(
                service_id=pair.service_id,
                name=pair.published_name,
                lineage=pair.lineage,
                official=pair.official,
                automatic=pair.automatic_level,
                rule=auto.rule if auto else None,
                evidence=auto.evidence_json() if auto else [],
                reason_class=reason,
                explanation=explanation,
            )
        )

    return AgreementReport(
        edition=edition,
        record_date=record_date,
        edition_cutoff=edition_cutoff,
        total=len(items),
        compared=len(compared),
        agreed=agreed,
        agreement=agreed / len(compared) if compared else None,
        kappa=cohen_kappa(confusion, [lv.value for lv in LEVELS]),
        confusion=confusion,
        per_level=_level_stats(items),
        disagreements=disagreements,
        contradictions=found,
        unmatched=[u.to_json() for _, u in sorted(matching.unmatched.items())] if matching else [],
        ambiguous=[a.to_json() for _, a in sorted(matching.ambiguous.items())] if matching else [],
        conflicts=[c.to_json() for c in matching.conflicts] if matching else [],
    )


@dataclass(frozen=True)
class FigureMatching:
    """The figure list linked to one edition's Table 2 rows (figure names are in capitals)."""

    edition: str
    by_lineage: dict[int, FigureRow]  # lineage -> its figure
    report: MatchReport  # keyed by figure number: unmatched / ambiguous / conflicting figures
    lineages_without_figure: tuple[int, ...]

    def levels(self) -> dict[int, Level]:
        """lineage -> level per the figure list (the ``figure_levels`` of :func:`compare`)."""
        return {lineage: fig.level for lineage, fig in self.by_lineage.items()}


def match_figures(
    published_rows: Iterable[PublishedRow],
    figure_rows: Iterable[FigureRow],
    edition: str = "2022-09",
) -> FigureMatching:
    """Link each figure to a Table 2 row of ``edition`` by name (normalised exact, else fuzzy)."""
    rows = [r for r in published_rows if r.edition == edition]
    figures = {f.figure: f for f in figure_rows}
    catalogue = [CatalogueName(r.lineage, r.service_name) for r in rows]
    report = match_names({n: [f.service_name_upper] for n, f in figures.items()}, catalogue)
    by_lineage = {m.service_id: figures[n] for n, m in report.matched.items()}
    missing = tuple(sorted({r.lineage for r in rows} - set(by_lineage)))
    return FigureMatching(edition, by_lineage, report, missing)


def contradictions(
    published_rows: Iterable[PublishedRow],
    figure_rows: Iterable[FigureRow],
    edition: str = "2022-09",
) -> list[Contradiction]:
    """Services whose Table 2 level differs from their figure's level, by lineage."""
    rows = [r for r in published_rows if r.edition == edition]
    matching = match_figures(rows, figure_rows, edition)
    table = {r.lineage: r for r in rows}
    return [
        Contradiction(
            lineage, table[lineage].service_name, table[lineage].level, fig.level, fig.figure
        )
        for lineage, fig in sorted(matching.by_lineage.items())
        if fig.level is not table[lineage].level
    ]
