"""Read-side queries over the warehouse (what ``selo editions`` shows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

from transform.lineage import EarlierRecord

if TYPE_CHECKING:
    import pandas as pd

LEVEL_KEYS = ("A1", "A2", "A3", "B", "C", "unclassified")


@dataclass(frozen=True, slots=True)
class LoadInfo:
    id: int
    status: str
    started: datetime
    finished: datetime | None
    rows: int | None
    issues: int | None
    source: str
    rules_version: str
    error: str | None
    current: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "current": self.current,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "rows": self.rows,
            "issues": self.issues,
            "source": self.source,
            "rules_version": self.rules_version,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class EditionInfo:
    code: str
    agency_siorg: int
    source_kind: str
    cutoff: date
    status: str  # published | unpublished
    current_load_id: int | None
    services: int
    levels: dict[str, int]
    loads: list[LoadInfo] = field(default_factory=list)

    @property
    def share_digital(self) -> float | None:
        classified = sum(v for k, v in self.levels.items() if k != "unclassified")
        if not classified:
            return None
        return (self.levels["A1"] + self.levels["A2"] + self.levels["A3"]) / classified

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "agency": self.agency_siorg,
            "source_kind": self.source_kind,
            "cutoff": self.cutoff.isoformat(),
            "status": self.status,
            "current_load": self.current_load_id,
            "services": self.services,
            "levels": self.levels,
            "share_digital": self.share_digital,
            "loads": [load.to_json() for load in self.loads],
        }


def list_editions(engine: Engine) -> list[EditionInfo]:
    with engine.connect() as conn:
        editions = conn.execute(
            text(
                "SELECT id, code, agency_siorg, source_kind, cutoff, current_load_id "
                "FROM selo.edition ORDER BY code, agency_siorg, source_kind"
            )
        ).all()
        counts = conn.execute(
            text(
                "SELECT s.load_id, coalesce(s.level, 'unclassified') AS level, count(*) AS n "
                "FROM selo.service_snapshot s JOIN selo.edition e ON e.current_load_id = s.load_id "
                "GROUP BY 1, 2 "
                "UNION ALL SELECT p.load_id, p.level, count(*) FROM selo.published_service p "
                "JOIN selo.edition e ON e.current_load_id = p.load_id GROUP BY 1, 2"
            )
        ).all()
        loads = conn.execute(
            text(
                "SELECT id, edition_id, status, started_at, finished_at, services, issues, source, "
                "rules_version, error FROM selo.load ORDER BY id"
            )
        ).all()
    by_load: dict[int, dict[str, int]] = {}
    for row in counts:
        by_load.setdefault(row.load_id, {})[row.level] = int(row.n)
    result = []
    for e in editions:
        levels = {key: by_load.get(e.current_load_id or -1, {}).get(key, 0) for key in LEVEL_KEYS}
        result.append(
            EditionInfo(
                code=e.code,
                agency_siorg=e.agency_siorg,
                source_kind=e.source_kind,
                cutoff=e.cutoff,
                status="published" if e.current_load_id else "unpublished",
                current_load_id=e.current_load_id,
                services=sum(levels.values()),
                levels=levels,
                loads=[
                    LoadInfo(
                        id=r.id,
                        status=r.status,
                        started=r.started_at,
                        finished=r.finished_at,
                        rows=r.services,
                        issues=r.issues,
                        source=r.source,
                        rules_version=r.rules_version,
                        error=r.error,
                        current=r.id == e.current_load_id,
                    )
                    for r in loads
                    if r.edition_id == e.id
                ],
            )
        )
    return result


def current_digest(engine: Engine, edition_id: int) -> tuple[int, str | None] | None:
    """The edition's current load and its input digest, if it has one."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT l.id, l.input_digest FROM selo.edition e "
                "JOIN selo.load l ON l.id = e.current_load_id WHERE e.id = :edition"
            ),
            {"edition": edition_id},
        ).one_or_none()
    return (int(row.id), row.input_digest) if row else None


def unfinished_archive_runs(engine: Engine, edition_id: int, *, exclude_load: int) -> list[str]:
    """Archive runs of the edition's loads that never completed since its current load, newest
    first: what a killed or failed run fetched, for the next run to reuse."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT l.archive_run FROM selo.load l JOIN selo.edition e ON e.id = l.edition_id "
                "WHERE l.edition_id = :edition AND l.id <> :exclude "
                "AND l.status IN ('failed', 'abandoned') AND l.archive_run IS NOT NULL "
                "AND l.id > coalesce(e.current_load_id, 0) ORDER BY l.id DESC"
            ),
            {"edition": edition_id, "exclude": exclude_load},
        ).scalars()
        return [str(r) for r in rows]


def earlier_records(
    engine: Engine, agency: int, *, exclude_edition: int
) -> dict[int, list[EarlierRecord]]:
    """id -> how it appeared in every other edition's current load of the agency."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.service_id, e.code, s.name, s.service_keys FROM selo.service_snapshot s "
                "JOIN selo.edition e ON e.current_load_id = s.load_id "
                "WHERE e.agency_siorg = :agency AND e.id <> :edition ORDER BY e.code"
            ),
            {"agency": agency, "edition": exclude_edition},
        ).all()
    found: dict[int, list[EarlierRecord]] = {}
    for row in rows:
        found.setdefault(row.service_id, []).append(
            EarlierRecord(row.code, row.name, tuple(row.service_keys))
        )
    return found


def load_levels(engine: Engine, load_id: int) -> tuple[dict[str, int], int]:
    """Services per level of one load (snapshot or published rows), and their total."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT coalesce(level, 'unclassified') AS level, count(*) AS n "
                "FROM selo.service_snapshot WHERE load_id = :id GROUP BY 1 "
                "UNION ALL SELECT level, count(*) FROM selo.published_service "
                "WHERE load_id = :id GROUP BY 1"
            ),
            {"id": load_id},
        ).all()
    levels = dict.fromkeys(LEVEL_KEYS, 0)
    for row in rows:
        levels[row.level] += int(row.n)
    return levels, sum(levels.values())


@dataclass(frozen=True, slots=True)
class LevelCell:
    level: str | None
    official: bool
    figure_level: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceHistory:
    """One service across editions: its level in each, official (*) and automatic."""

    service_key: str
    label: str
    diretoria: str | None
    cells: dict[str, LevelCell]  # "<edition> <kind>" -> level

    def to_json(self) -> dict[str, Any]:
        return {
            "service_key": self.service_key,
            "label": self.label,
            "diretoria": self.diretoria,
            "levels": {
                column: {
                    "level": cell.level,
                    "official": cell.official,
                    "figure_level": cell.figure_level,
                }
                for column, cell in self.cells.items()
            },
        }


def service_history(engine: Engine, agency: int) -> tuple[list[str], list[ServiceHistory]]:
    """Every service's level in every edition (the ``analytics.service_levels`` view), by key."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT service_key, label, diretoria, edition, source_kind, level, figure_level "
                "FROM analytics.service_levels WHERE agency_siorg = :agency "
                "ORDER BY edition, source_kind DESC"
            ),
            {"agency": agency},
        ).all()
    columns: list[str] = []
    found: dict[str, ServiceHistory] = {}
    for row in rows:
        column = f"{row.edition} {'official' if row.source_kind == 'published' else 'auto'}"
        if column not in columns:
            columns.append(column)
        history = found.setdefault(
            row.service_key, ServiceHistory(row.service_key, row.label, row.diretoria, {})
        )
        history.cells[column] = LevelCell(
            row.level, row.source_kind == "published", row.figure_level
        )
    ordered = sorted(found.values(), key=lambda h: _key_order(h.service_key))
    return columns, ordered


def _key_order(key: str) -> tuple[str, int, str]:
    _, _, rest = key.partition(":")
    digits = "".join(c for c in rest[1:] if c.isdigit())
    return (rest[:1], int(digits or 0), rest)


# -- the analyst views as pandas DataFrames (for notebooks) -------------------------------------

ANALYST_VIEWS = (
    "edition_summary",
    "service_history",
    "level_transitions",
    "by_diretoria",
    "quality_priority",
    "classification_agreement",
    "service_levels",
    "service_detail",
)


def analyst_frame(
    engine: Engine, view: str, *, agency: int | None = None, edition: str | None = None
) -> pd.DataFrame:
    """One ``analytics`` view as a DataFrame, optionally for one agency and/or edition.

    >>> from load.db import make_engine
    >>> summary = analyst_frame(make_engine(url), "edition_summary")  # doctest: +SKIP
    """
    import pandas as pd

    if view not in ANALYST_VIEWS:
        raise ValueError(f"unknown view {view!r}: use one of {', '.join(ANALYST_VIEWS)}")
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if agency is not None:
        clauses.append("agency_siorg = :agency")
        params["agency"] = agency
    if edition is not None:
        column = "official_edition" if view == "classification_agreement" else "edition"
        if view == "level_transitions":
            column = "to_edition"
        clauses.append(f"{column} = :edition")
        params["edition"] = edition
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    with engine.connect() as conn:
        return pd.read_sql_query(
            text(f"SELECT * FROM analytics.{view}{where}"), conn, params=params
        )


def edition_summary(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "edition_summary", agency=agency)


def service_history_frame(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "service_history", agency=agency)


def level_transitions(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "level_transitions", agency=agency)


def by_diretoria(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "by_diretoria", agency=agency)


def quality_priority(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "quality_priority", agency=agency)


def classification_agreement(engine: Engine, agency: int | None = None) -> pd.DataFrame:
    return analyst_frame(engine, "classification_agreement", agency=agency)
