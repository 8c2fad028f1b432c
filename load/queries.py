"""Read-side queries over the warehouse (what ``selo editions`` shows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, text

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
                "GROUP BY 1, 2"
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
