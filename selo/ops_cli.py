"""The bodies of ``selo reprocess`` and ``selo diff``; ``selo.cli`` wires them as commands."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.edition import EditionOutcome
    from load.diff import LoadDiff, ReprocessTarget
    from selo.settings import Settings


@dataclass(frozen=True, slots=True)
class Reprocessed:
    target: ReprocessTarget  # the edition and the load that was read back
    outcome: EditionOutcome  # the new load, or ``unchanged`` (then ``load_id`` is still current)


def reprocess_edition(
    settings: Settings, code: str, kind: str | None = None, *, force: bool = False
) -> Reprocessed:
    """Classify edition ``code`` again from the warehouse's archive of its current load.

    Builds a new load through :func:`flows.edition.build_edition` (same ledger, same atomic
    publish) from the documents of the current load, with the current rules and without the
    network. The edition keeps its kind; the new load's source is ``reprocess:load <N>``. If
    the documents and the rules version are those of the current load, the attempt is recorded
    as ``unchanged`` and nothing is loaded (reprocessing is idempotent), unless ``force`` (a
    new load all the same, e.g. after a parser fix within one rules version). Published
    (official) editions and editions without a current load are refused.
    """
    from flows.edition import EditionRequest, SourceSpec, build_edition, warehouse
    from load.diff import reprocess_target

    with warehouse(settings) as engine:
        target = reprocess_target(engine, settings.agency_siorg, code, kind)
    spec = SourceSpec.reprocess(target.load.id, target.edition.source_kind, target.origin_kind)
    request = EditionRequest.for_code(code, settings.agency_siorg, spec, target.edition.cutoff)
    # Records the current load could not fetch cannot be fetched now either: they stay
    # reported, and the others are published as they were the first time.
    outcome = build_edition(request, settings, allow_partial=True, skip_unchanged=not force)
    return Reprocessed(target, outcome)


def reprocess_command(
    edition: str,
    agency: int | None,
    kind: str | None,
    database_url: str | None,
    force: bool = False,
) -> None:
    """Reprocess one edition and say what became of it."""
    from selo.cli import _guarded, _print_summary, _settings, out

    settings = _settings(database_url=database_url, agency_siorg=agency)
    done = _guarded(lambda: reprocess_edition(settings, edition, kind, force=force))
    target, outcome = done.target, done.outcome
    label = f"Edition {outcome.code} ({outcome.kind}) of agency {outcome.agency}"
    if outcome.unchanged:
        out.print(
            f"{label}: unchanged: same documents and rules as load {outcome.load_id} "
            f"(rules {target.load.rules_version}); nothing new loaded",
            markup=False,
        )
        return
    origin = (
        f", first fetched by load {target.origin.id}" if target.origin.id != target.load.id else ""
    )
    out.print(
        f"Reprocessed load {target.load.id} (rules {target.load.rules_version}) from the "
        f"warehouse's archive{origin}, without the network",
        markup=False,
    )
    _print_summary(outcome)
    out.print(
        f"load {target.load.id} stays queryable; what changed: selo diff --edition {outcome.code}"
        + (f" --kind {outcome.kind}" if kind else ""),
        markup=False,
    )


def diff_command(
    edition: str,
    from_load: int | None,
    to_load: int | None,
    agency: int | None,
    kind: str | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Print what changed between two loads of an edition (default: previous vs current)."""
    from selo.cli import _guarded, _settings, out

    settings = _settings(database_url=database_url, agency_siorg=agency)

    def body() -> LoadDiff:
        from flows.edition import warehouse
        from load.diff import diff_loads

        with warehouse(settings) as engine:
            return diff_loads(
                engine, settings.agency_siorg, edition, kind, before=from_load, after=to_load
            )

    diff = _guarded(body)
    if as_json:
        out.print_json(json.dumps(diff.to_json(), ensure_ascii=False))
        return
    e, a, b = diff.edition, diff.before, diff.after
    out.print(
        f"Edition {e.code} ({e.source_kind}) of agency {e.agency_siorg}: "
        f"load {a.id} -> load {b.id}",
        markup=False,
    )
    for flag, load in (("from", a), ("to", b)):
        current = ", current" if load.id == e.current_load_id else ""
        out.print(
            f"  {flag} load {load.id}: rules {load.rules_version}, {load.services} services, "
            f"{load.source}{current}",
            markup=False,
        )
    if a.rules_version != b.rules_version:
        out.print(f"rules: {a.rules_version} -> {b.rules_version}", markup=False)
    else:
        out.print(f"rules: {a.rules_version} (same in both loads)", markup=False)
    for title, changes in (
        ("level changes", diff.level_changes),
        ("rule-only changes", diff.rule_changes),
        ("added", diff.added),
        ("removed", diff.removed),
    ):
        out.print(f"{title}: {len(changes)}", markup=False)
        for c in changes:
            before = f"{c.from_level} ({c.from_rule})" if c.from_level else "absent"
            after = f"{c.to_level} ({c.to_rule})" if c.to_level else "absent"
            out.print(f"  {c.service_id} «{c.name}»: {before} -> {after}", markup=False)
    out.print(f"unchanged: {diff.unchanged} services (same level and rule)", markup=False)
