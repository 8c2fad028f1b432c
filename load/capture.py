"""The July capture in the warehouse: the raw documents of one agency at the cut-off.

A capture is not an edition: nothing is classified. It records every response (the agency
listing, each API record, each gov.br service page) with its body in ``raw_document``, so the
September edition is built from what was true in July, without the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import Connection as PgConnection
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, text

from load.ledger import LoadError
from load.writer import copy_raw_documents

_LOCK_CLASS = 0x5E11  # advisory-lock namespace for "capture being taken"


@dataclass(frozen=True, slots=True)
class CaptureLease:
    capture_id: int
    agency: int
    edition: str


@dataclass(frozen=True, slots=True)
class CapturedDocument:
    """One response of a capture; ``sha256`` is None when no response arrived at all."""

    kind: str  # listing | record | page
    service_id: int | None
    url: str
    fetched_at: datetime | None
    status: int | None
    headers: dict[str, str]
    sha256: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    kind: str
    service_id: int | None
    url: str
    fetched_at: datetime | None
    status: int | None
    sha256: str | None
    error: str | None
    body: bytes | None


@contextmanager
def open_capture(
    engine: Engine,
    agency: int,
    edition: str,
    cutoff: date,
    source: str,
    *,
    archive_run: str | None = None,
    flow_run_id: str | None = None,
) -> Iterator[CaptureLease]:
    """Hold the (agency, edition) capture lock and a ``running`` capture row for the block."""
    key = f"{agency}:{edition}"
    with engine.connect() as lock_conn:
        locked = lock_conn.execute(
            text("SELECT pg_try_advisory_lock(:cls, hashtext(:key))"),
            {"cls": _LOCK_CLASS, "key": key},
        ).scalar()
        lock_conn.commit()
        if not locked:
            raise LoadError(
                f"the capture of edition {edition} for agency {agency} is being taken by another "
                "run; try again later"
            )
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE selo.capture SET status = 'abandoned', finished_at = now(), "
                        "error = 'the run stopped before it finished' WHERE agency_siorg = :a "
                        "AND edition = :e AND status = 'running'"
                    ),
                    {"a": agency, "e": edition},
                )
                capture_id = conn.execute(
                    text(
                        "INSERT INTO selo.capture (agency_siorg, edition, cutoff, source, "
                        "archive_run, flow_run_id) VALUES (:a, :e, :c, :s, :r, :f) RETURNING id"
                    ),
                    {
                        "a": agency,
                        "e": edition,
                        "c": cutoff,
                        "s": source,
                        "r": archive_run,
                        "f": flow_run_id,
                    },
                ).scalar_one()
            lease = CaptureLease(int(capture_id), agency, edition)
            try:
                yield lease
            except BaseException as exc:
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            "UPDATE selo.capture SET status = 'failed', finished_at = now(), "
                            "error = :error WHERE id = :id AND status = 'running'"
                        ),
                        {"id": lease.capture_id, "error": f"{type(exc).__name__}: {exc}"[:2000]},
                    )
                raise
        finally:
            lock_conn.execute(
                text("SELECT pg_advisory_unlock(:cls, hashtext(:key))"),
                {"cls": _LOCK_CLASS, "key": key},
            )
            lock_conn.commit()


def write_capture(
    engine: Engine,
    lease: CaptureLease,
    documents: Sequence[CapturedDocument],
    read_body: Callable[[str], bytes],
) -> dict[str, int]:
    """Store the documents and mark the capture complete, in one transaction."""
    counts = {
        "records": sum(d.kind == "record" and d.error is None for d in documents),
        "pages": sum(d.kind == "page" and d.error is None for d in documents),
        "failed": sum(d.error is not None for d in documents),
    }
    with engine.begin() as conn:
        pg: PgConnection[Any] = conn.connection.driver_connection  # type: ignore[assignment]
        copy_raw_documents(pg, [d.sha256 for d in documents if d.sha256], read_body)
        with (
            pg.cursor() as cur,
            cur.copy(
                "COPY selo.capture_document (capture_id, seq, kind, service_id, url, fetched_at, "
                "status, headers, sha256, error) FROM STDIN"
            ) as copy,
        ):
            for seq, d in enumerate(documents, start=1):
                copy.write_row(
                    (
                        lease.capture_id,
                        seq,
                        d.kind,
                        d.service_id,
                        d.url,
                        d.fetched_at,
                        d.status,
                        Jsonb(d.headers),
                        d.sha256,
                        d.error,
                    )
                )
        conn.execute(
            text(
                "UPDATE selo.capture SET status = 'complete', finished_at = now(), "
                "records = :records, pages = :pages, failed = :failed WHERE id = :id"
            ),
            {"id": lease.capture_id, **counts},
        )
    return counts


def latest_capture(engine: Engine, agency: int, edition: str) -> int | None:
    """The newest complete capture of an (agency, edition), if any."""
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT id FROM selo.capture WHERE agency_siorg = :a AND edition = :e "
                "AND status = 'complete' ORDER BY finished_at DESC, id DESC LIMIT 1"
            ),
            {"a": agency, "e": edition},
        ).scalar()
    return int(found) if found is not None else None


def capture_documents(engine: Engine, capture_id: int) -> list[StoredDocument]:
    """Every document of a capture with its body, in capture order."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.kind, d.service_id, d.url, d.fetched_at, d.status, d.sha256, d.error, "
                "r.body FROM selo.capture_document d LEFT JOIN selo.raw_document r "
                "ON r.sha256 = d.sha256 WHERE d.capture_id = :id ORDER BY d.seq"
            ),
            {"id": capture_id},
        ).all()
    return [
        StoredDocument(
            r.kind,
            r.service_id,
            r.url,
            r.fetched_at,
            r.status,
            r.sha256,
            r.error,
            bytes(r.body) if r.body is not None else None,
        )
        for r in rows
    ]
