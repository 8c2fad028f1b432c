"""Write one edition's rows with COPY and publish it, all in one transaction.

Either every row of the load lands and the edition points at it, or nothing does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from psycopg import Connection as PgConnection
from psycopg.types.json import Jsonb
from sqlalchemy import Engine

from load.ledger import LoadLease, complete_and_publish
from transform.lineage import PublishedEdition
from transform.models import Service, TimeEstimate
from transform.pipeline import RecordIssue, TransformedEdition


class ArchivedLike(Protocol):
    """What the load needs to know of an archived HTTP response (see extract.archive)."""

    @property
    def url(self) -> str: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LoadSummary:
    load_id: int
    services: int
    issues: int
    responses: int
    levels: dict[str, int]


SNAPSHOT_COLUMNS = (
    "load_id",
    "service_id",
    "name",
    "slug",
    "url",
    "agency_siorg",
    "source_format",
    "source_url",
    "raw_sha256",
    "level",
    "rule",
    "confidence",
    "rules_version",
    "evidence",
    "unclassified_reason",
    "channel_kinds",
    "steps",
    "time_estimate",
    "ratings_positive",
    "ratings_negative",
    "digital_flag",
    "digital_percent",
    "free_of_charge",
    "parse_warnings",
    "service_keys",
    "captured_at",
)


def write_edition(
    engine: Engine,
    lease: LoadLease,
    transformed: TransformedEdition,
    responses: Sequence[ArchivedLike],
    read_body: Callable[[str], bytes],
    digest: str | None = None,
) -> LoadSummary:
    with engine.begin() as conn:
        pg: PgConnection[Any] = conn.connection.driver_connection  # type: ignore[assignment]
        copy_raw_documents(pg, (r.sha256 for r in responses), read_body)
        _copy_fetch_log(pg, lease.load_id, responses)
        _copy_snapshots(pg, lease.load_id, transformed)
        _copy_issues(pg, lease.load_id, transformed.issues)
        complete_and_publish(conn, lease, len(transformed.results), len(transformed.issues), digest)
    return LoadSummary(
        load_id=lease.load_id,
        services=len(transformed.results),
        issues=len(transformed.issues),
        responses=len(responses),
        levels=transformed.level_counts(),
    )


def copy_raw_documents(
    pg: PgConnection[Any], digests: Iterable[str], read_body: Callable[[str], bytes]
) -> None:
    """Store each body once (content-addressed), reading only those the warehouse lacks."""
    hashes = list(dict.fromkeys(digests))
    if not hashes:
        return
    with pg.cursor() as cur:
        known = {
            row[0]
            for row in cur.execute(
                "SELECT sha256 FROM selo.raw_document WHERE sha256 = ANY(%s)", (hashes,)
            )
        }
        missing = [h for h in hashes if h not in known]
        if not missing:
            return
        # Two runs may archive the same body at once: stage, then insert what is still new.
        cur.execute(
            "CREATE TEMP TABLE raw_document_stage (sha256 text, body bytea, size int) "
            "ON COMMIT DROP"
        )
        with cur.copy("COPY raw_document_stage (sha256, body, size) FROM STDIN") as copy:
            for digest in missing:
                body = read_body(digest)
                copy.write_row((digest, body, len(body)))
        cur.execute(
            "INSERT INTO selo.raw_document (sha256, body, size) "
            "SELECT sha256, body, size FROM raw_document_stage ON CONFLICT (sha256) DO NOTHING"
        )


def _copy_fetch_log(pg: PgConnection[Any], load_id: int, responses: Sequence[ArchivedLike]) -> None:
    with (
        pg.cursor() as cur,
        cur.copy(
            "COPY selo.fetch_log (load_id, seq, url, fetched_at, status, headers, sha256) "
            "FROM STDIN"
        ) as copy,
    ):
        for seq, r in enumerate(responses, start=1):
            copy.write_row(
                (load_id, seq, r.url, r.fetched_at, r.status, Jsonb(dict(r.headers)), r.sha256)
            )


def _copy_snapshots(pg: PgConnection[Any], load_id: int, transformed: TransformedEdition) -> None:
    columns = ", ".join(SNAPSHOT_COLUMNS)
    with pg.cursor() as cur, cur.copy(f"COPY selo.service_snapshot ({columns}) FROM STDIN") as copy:
        for result in transformed.results:
            s, c = result.service, result.classification
            copy.write_row(
                (
                    load_id,
                    s.id,
                    s.name,
                    s.slug,
                    s.url,
                    s.agency_siorg,
                    s.source_format.value,
                    result.source.url,
                    result.source.sha256,
                    c.level.value if c.level else None,
                    c.rule,
                    c.confidence,
                    c.rules_version,
                    Jsonb(c.evidence_json()),
                    c.reason if c.level is None else None,
                    sorted({ch.raw_kind for step in s.steps for ch in step.all_channels}),
                    Jsonb(steps_json(s)),
                    Jsonb(_estimate_json(s.time_estimate)),
                    s.ratings.positive if s.ratings else None,
                    s.ratings.negative if s.ratings else None,
                    s.digital_flag,
                    s.digital_percent,
                    s.free_of_charge,
                    list(s.warnings),
                    list(transformed.keys.get(s.id, ())),
                    result.source.captured_at,
                )
            )


def _copy_issues(pg: PgConnection[Any], load_id: int, issues: Sequence[RecordIssue]) -> None:
    with (
        pg.cursor() as cur,
        cur.copy(
            "COPY selo.record_issue (load_id, record, service_id, stage, reason) FROM STDIN"
        ) as copy,
    ):
        for issue in issues:
            copy.write_row((load_id, issue.record, issue.service_id, issue.stage, issue.reason))


def write_published(
    engine: Engine,
    lease: LoadLease,
    published: PublishedEdition,
    responses: Sequence[ArchivedLike],
    read_body: Callable[[str], bytes],
    digest: str | None = None,
) -> LoadSummary:
    """One published edition: its services, and the curated service keys it seeds."""
    with engine.begin() as conn:
        pg: PgConnection[Any] = conn.connection.driver_connection  # type: ignore[assignment]
        copy_raw_documents(pg, (r.sha256 for r in responses), read_body)
        _copy_fetch_log(pg, lease.load_id, responses)
        with (
            pg.cursor() as cur,
            cur.copy(
                "COPY selo.published_service (load_id, service_key, lineage, published_name, "
                "diretoria, level, figure_level, table_action, duplicate_lineages, "
                "catalogue_ids) FROM STDIN"
            ) as copy,
        ):
            for s in published.services:
                copy.write_row(
                    (
                        lease.load_id,
                        s.key,
                        s.lineage,
                        s.name,
                        s.diretoria,
                        s.level.value,
                        s.figure_level.value if s.figure_level else None,
                        s.table_action,
                        list(s.duplicate_lineages),
                        Jsonb({k: list(v) for k, v in s.catalogue_ids.items()}),
                    )
                )
        _copy_issues(pg, lease.load_id, published.issues)
        _seed_service_keys(pg, lease, published)
        complete_and_publish(conn, lease, len(published.services), len(published.issues), digest)
    return LoadSummary(
        load_id=lease.load_id,
        services=len(published.services),
        issues=len(published.issues),
        responses=len(responses),
        levels=published.level_counts(),
    )


def _seed_service_keys(
    pg: PgConnection[Any], lease: LoadLease, published: PublishedEdition
) -> None:
    # Reference data, not history: a key's label and diretoria follow the latest edition that
    # published it (an older edition loaded later never overwrites a newer one's).
    with pg.cursor() as cur:
        cur.executemany(
            "INSERT INTO selo.service_key AS k (key, agency_siorg, lineage, label, diretoria, "
            "source_edition) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET "
            "label = excluded.label, diretoria = excluded.diretoria, "
            "source_edition = excluded.source_edition, updated_at = now() "
            "WHERE k.source_edition <= excluded.source_edition",
            [
                (s.key, lease.spec.agency_siorg, s.lineage, s.name, s.diretoria, lease.spec.code)
                for s in published.services
            ],
        )


def steps_json(service: Service) -> list[dict[str, Any]]:
    # asdict keeps the StrEnum members; a json round trip makes them plain strings.
    return json.loads(json.dumps([asdict(step) for step in service.steps], ensure_ascii=False))  # type: ignore[no-any-return]


def _estimate_json(estimate: TimeEstimate | None) -> dict[str, Any]:
    return asdict(estimate) if estimate else {}
