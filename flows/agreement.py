"""How far the automatic levels agree with the published seal, for one published edition.

Composes: the recorded snapshot's documents (extract) -> parse + classify (transform) -> match the
published names to the snapshot's ids -> compare (transform.agreement). No database needed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from extract.snapshots import snapshot
from transform.agreement import AgreementReport, Pair, compare, contradictions, match_figures
from transform.identity import MatchReport, catalogue_name_for, match_published
from transform.parse import parse_document
from transform.pipeline import TransformedEdition, transform_documents
from transform.reference import (
    EDITION_CUTOFFS,
    EDITIONS,
    crosswalk,
    figure_rows,
    published_rows,
)

# Which recorded snapshot to hold each published edition against, by default: the 2020 edition
# against the legacy archive (closest in time), the others against the 2026 catalogue dump.
DEFAULT_SNAPSHOT = {
    "2020-11": "legacy-2018",
    "2021-04": "govbr-2026-10",
    "2021-09": "govbr-2026-10",
    "2022-09": "govbr-2026-10",
}


@dataclass(frozen=True)
class AgreementRun:
    report: AgreementReport
    matching: MatchReport
    transformed: TransformedEdition
    snapshot: str


def measure_agreement(edition: str, snapshot_name: str | None = None) -> AgreementRun:
    if edition not in EDITIONS:
        raise ValueError(f"no published edition {edition!r}: use one of {', '.join(EDITIONS)}")
    chosen = snapshot(snapshot_name or DEFAULT_SNAPSHOT[edition])
    transformed = transform_documents(chosen.documents(), parse=parse_document)
    by_id = {r.service.id: r for r in transformed.results}

    # Every name a lineage ever had helps find it; the edition's own rows are compared.
    matching = match_published(
        published_rows(),
        [catalogue_name_for(r.service) for r in transformed.results],
        crosswalk(),
        snapshot=chosen.name,
    ).for_edition(edition)
    pairs: list[Pair] = []
    paired: set[int] = set()
    for row in published_rows(edition):
        service_id = matching.service_id_for(row)
        if service_id is None or service_id not in by_id:
            continue  # reported by the matching as unmatched / ambiguous / absent
        if service_id in paired:
            continue  # Table 2's own duplicate rows ("Excluído duplicidade") count once
        paired.add(service_id)
        result = by_id[service_id]
        pairs.append(
            Pair(
                service_id=service_id,
                automatic=result.classification,
                official=row.level,
                published_name=row.service_name,
                lineage=row.lineage,
                warnings=result.service.warnings,
            )
        )
    # The figure list exists for the 2022 edition only.
    figures = (
        match_figures(published_rows(), figure_rows(), edition).levels()
        if edition == "2022-09"
        else None
    )
    report = compare(
        pairs,
        edition=edition,
        record_date=chosen.captured.isoformat(),
        edition_cutoff=EDITION_CUTOFFS[edition].isoformat(),
        figure_levels=figures,
        matching=matching,
    )
    if edition == "2022-09":
        # Every contradiction of the seed, with its figure number, not only the compared ones.
        report = replace(report, contradictions=contradictions(published_rows(), figure_rows()))
    return AgreementRun(report, matching, transformed, chosen.name)
