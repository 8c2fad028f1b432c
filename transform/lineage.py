"""Stable service keys across editions, and the published editions as typed snapshots.

A service's identity outlives its names, its slugs and even its catalogue id:

- A service the seal ever published is keyed by its Table 2 ``lineage`` (ANS's own statement
  that those names are one service): ``<agency>:L<lineage>``. Two rows of one edition carrying the
  same name are one service listed twice (Table 2 marks it "Excluído duplicidade"): the later
  lineage folds into the earlier one.
- A catalogue record is linked to lineage keys through the name matching of
  :mod:`transform.identity` (crosswalk first, then exact and fuzzy names) within its own snapshot;
  one record may carry several keys when the catalogue merged services (23120 in 2026 is the
  three "Gerenciar ..." services of 2022). A record linked to no lineage is keyed by its
  catalogue id: ``<agency>:S<id>``.
- The numeric id is evidence, not identity: the catalogue has reused ids for a different service
  (2234 in 2018 vs 2026). :func:`find_name_changes` compares the names an id had in other
  editions with the name it has now and reports every id whose names are too far apart;
  :func:`separate_reused` tells a renamed service (the same lineage key on both sides) from a
  reused id (no key in common), which gets a key of its own (``<agency>:S<id>@<edition>``)
  instead of inheriting another service's history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from transform.agreement import match_figures
from transform.identity import (
    DEFAULT_THRESHOLD,
    catalogue_name_for,
    match_published,
    normalise_name,
)
from transform.maturity.model import Level
from transform.models import Service
from transform.pipeline import RecordIssue
from transform.reference import CrosswalkEntry, FigureRow, PublishedRow

FIGURES_EDITION = "2022-09"


def lineage_key(agency: int, lineage: int) -> str:
    return f"{agency}:L{lineage}"


def catalogue_key(agency: int, service_id: int, edition: str | None = None) -> str:
    return f"{agency}:S{service_id}" + (f"@{edition}" if edition else "")


def duplicate_lineages(rows: Iterable[PublishedRow]) -> dict[int, int]:
    """lineage -> the lineage it duplicates: same name within one edition (first row wins)."""
    first: dict[tuple[str, str], int] = {}
    folded: dict[int, int] = {}
    for row in rows:
        key = (row.edition, normalise_name(row.service_name))
        seen = first.setdefault(key, row.lineage)
        if seen != row.lineage:
            folded[row.lineage] = folded.get(seen, seen)
    return folded


def lineage_keys(rows: Iterable[PublishedRow], agency: int) -> dict[int, str]:
    """Every lineage's key, duplicates folded onto the lineage they repeat."""
    rows = list(rows)
    folded = duplicate_lineages(rows)
    return {r.lineage: lineage_key(agency, folded.get(r.lineage, r.lineage)) for r in rows}


@dataclass(frozen=True, slots=True)
class KeyAssignment:
    """The keys of one edition's records, and what the matching could not settle."""

    keys: dict[int, tuple[str, ...]]  # catalogue id -> keys (several when services merged)
    issues: tuple[RecordIssue, ...] = ()


def assign_keys(
    services: Sequence[Service],
    rows: Sequence[PublishedRow],
    crosswalk: Sequence[CrosswalkEntry],
    *,
    snapshot: str,
    agency: int,
) -> KeyAssignment:
    """Link each record to its lineage key(s) by name, or key it by its catalogue id."""
    if not services:
        return KeyAssignment({})
    by_lineage = lineage_keys(rows, agency)
    report = match_published(
        rows, [catalogue_name_for(s) for s in services], crosswalk, snapshot=snapshot
    )
    linked: dict[int, set[str]] = defaultdict(set)
    for lineage, match in report.matched.items():
        linked[match.service_id].add(by_lineage[lineage])
    keys = {
        s.id: tuple(sorted(linked[s.id])) if s.id in linked else (catalogue_key(agency, s.id),)
        for s in services
    }
    issues = [
        RecordIssue(
            f"lineage {a.lineage}",
            "identity",
            f"published name(s) {' / '.join(a.names)} match several records equally well: "
            + ", ".join(f"{c.service_id} ({c.score:.0f})" for c in a.candidates),
        )
        for a in report.ambiguous.values()
    ]
    issues += [
        RecordIssue(
            "lineages " + ", ".join(map(str, c.lineages)),
            "identity",
            f"several lineages claim record {c.service_id}; none linked",
            c.service_id,
        )
        for c in report.conflicts
    ]
    return KeyAssignment(keys, tuple(issues))


@dataclass(frozen=True, slots=True)
class EarlierRecord:
    """How one catalogue id appeared in another edition."""

    edition: str
    name: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NameChange:
    """An id whose name now is unlike every name it had in other editions."""

    service_id: int
    name: str
    earlier: EarlierRecord  # the closest earlier record
    score: float


def find_name_changes(
    current: Mapping[int, str],
    earlier: Mapping[int, Sequence[EarlierRecord]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[NameChange]:
    """Ids whose name now scores below ``threshold`` against every name they had elsewhere."""
    found = []
    for service_id, name in sorted(current.items()):
        seen = earlier.get(service_id, ())
        if not seen:
            continue
        mine = normalise_name(name)
        scored = sorted(
            ((fuzz.token_sort_ratio(mine, normalise_name(e.name)), e) for e in seen),
            key=lambda pair: -pair[0],
        )
        best, record = scored[0]
        if best < threshold:
            found.append(NameChange(service_id, name, record, float(best)))
    return found


def separate_reused(
    assignment: KeyAssignment, changes: Sequence[NameChange], *, agency: int, edition: str
) -> KeyAssignment:
    """Report every id whose name changed; key apart those that now name another service.

    A changed name under the same lineage key is the same service renamed or rescoped (ANS's
    Table 2, or the curated crosswalk, says so). A changed name with no key in common with the
    earlier record is a reused id: it gets a key of its own, never the other service's history.
    """
    keys = dict(assignment.keys)
    issues = list(assignment.issues)
    for change in changes:
        mine = keys.get(change.service_id, ())
        shared = sorted(set(mine) & set(change.earlier.keys))
        head = (
            f"same id, another name: here «{change.name}», in {change.earlier.edition} "
            f"«{change.earlier.name}» (name score {change.score:.0f}); "
        )
        if shared:
            verdict = f"one service renamed or rescoped, linked by {', '.join(shared)}"
        else:
            if mine == (catalogue_key(agency, change.service_id),):
                keys[change.service_id] = (catalogue_key(agency, change.service_id, edition),)
            verdict = f"id reused for another service: keyed {', '.join(keys[change.service_id])}"
        issues.append(
            RecordIssue(
                f"service {change.service_id}", "identity", head + verdict, change.service_id
            )
        )
    return KeyAssignment(keys, tuple(issues))


@dataclass(frozen=True, slots=True)
class PublishedService:
    """One service of a published edition: what ANS printed, and how it links to records."""

    key: str
    lineage: int
    name: str
    diretoria: str
    level: Level  # Table 2
    figure_level: Level | None  # the figure list (2022 only), when it exists
    table_action: str
    duplicate_lineages: tuple[int, ...] = ()  # rows folded into this one
    catalogue_ids: dict[str, tuple[int, ...]] = field(default_factory=dict)  # snapshot -> ids


@dataclass(frozen=True, slots=True)
class PublishedEdition:
    edition: str
    rows: int
    services: tuple[PublishedService, ...]
    issues: tuple[RecordIssue, ...]

    def level_counts(self, *, figures: bool = False) -> dict[str, int]:
        counts = {level.value: 0 for level in Level} | {"unclassified": 0}
        for s in self.services:
            level = s.figure_level if figures and s.figure_level else s.level
            counts[level.value] += 1
        return counts


def published_edition(
    edition: str,
    rows: Sequence[PublishedRow],
    figures: Sequence[FigureRow],
    *,
    agency: int,
    links: Mapping[str, Mapping[int, int | None]] | None = None,
) -> PublishedEdition:
    """One published edition as services: duplicates folded, figure levels attached.

    ``rows`` are all editions' rows (lineage keys and duplicates are judged on the whole table);
    ``links`` maps a snapshot name to lineage -> catalogue id, from the matching of each snapshot.
    """
    keys = lineage_keys(rows, agency)
    mine = [r for r in rows if r.edition == edition]
    if not mine:
        raise ValueError(f"no published rows for edition {edition!r}")
    # The figure list illustrates the 2022 e-book: it says nothing of other editions.
    figure_levels = (
        match_figures(rows, figures, edition).levels()
        if figures and edition == FIGURES_EDITION
        else {}
    )
    by_key: dict[str, PublishedService] = {}
    folded: dict[str, list[int]] = defaultdict(list)
    issues: list[RecordIssue] = []
    for row in mine:
        key = keys[row.lineage]
        if key in by_key:
            first = by_key[key]
            folded[key].append(row.lineage)
            if row.level is not first.level:
                issues.append(
                    RecordIssue(
                        f"lineage {row.lineage}",
                        "identity",
                        f"repeats lineage {first.lineage} with another level "
                        f"({row.level.value} vs {first.level.value}); the first row is kept",
                    )
                )
            continue
        ids: dict[str, tuple[int, ...]] = {
            snapshot: (found,)
            for snapshot, by_lineage in (links or {}).items()
            if (found := by_lineage.get(row.lineage)) is not None
        }
        by_key[key] = PublishedService(
            key=key,
            lineage=row.lineage,
            name=row.service_name,
            diretoria=row.diretoria,
            level=row.level,
            figure_level=figure_levels.get(row.lineage),
            table_action=row.table_action,
            catalogue_ids=ids,
        )
    services = tuple(
        replace(s, duplicate_lineages=tuple(folded[s.key])) if folded.get(s.key) else s
        for s in by_key.values()
    )
    return PublishedEdition(edition, len(mine), services, tuple(issues))
